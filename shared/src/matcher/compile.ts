import { Value } from '@sinclair/typebox/value';
import { type KeywordEntry, KeywordEntrySchema } from '../protocol/policy.schema';
import {
  buildAutomaton,
  MODE_EXCLUSION,
  MODE_PREFIX,
  MODE_SUBSTRING,
  MODE_WORD,
  type Automaton,
  type Variant,
} from './automaton';
import { MatcherError } from './errors';
import { Folder, isWordCodeUnit, resolveNormalise, SYM_MASK, SYM_ONE, SYM_SPACE } from './normalise';
import { F_SOFT, F_WORD, Scanner, type ScanPlan, variantTables } from './scanner';
import { createStream } from './stream';
import type { CompiledMatcher, CompileOptions, Match, MatchStream, MatcherStats } from './types';

const MODES = { word: MODE_WORD, substring: MODE_SUBSTRING, prefix: MODE_PREFIX } as const;
// Module-local copies for the raw scan loop (CommonJS output reads imports as properties).
const M_WORD = MODE_WORD;
const M_SUBSTRING = MODE_SUBSTRING;
const M_EXCLUSION = MODE_EXCLUSION;

interface Symbols {
  syms: Int32Array;
  counts: Uint16Array | null;
  soft: Uint8Array | null;
  expanded: Int32Array;
  wordStart: boolean;
  wordEnd: boolean;
}

function patternSymbols(phrase: string, folder: Folder | null): Symbols | null {
  if (folder === null) {
    if (phrase.length === 0) return null;
    const syms = new Int32Array(phrase.length);
    for (let i = 0; i < phrase.length; i++) syms[i] = phrase.charCodeAt(i);
    return {
      syms,
      counts: null,
      soft: null,
      expanded: syms,
      wordStart: isWordCodeUnit(phrase.charCodeAt(0)),
      wordEnd: isWordCodeUnit(phrase.charCodeAt(phrase.length - 1)),
    };
  }
  const { syms, counts, flags } = normaliseSymbols(phrase, folder);
  let a = 0;
  let b = syms.length;
  while (a < b && syms[a] === SYM_SPACE) a++;
  while (b > a && syms[b - 1] === SYM_SPACE) b--;
  if (a === b) return null;
  const c = counts.slice(a, b);
  const kept = syms.slice(a, b);
  const soft = flags.slice(a, b).map((f, i) => (i > 0 && (f & F_SOFT) !== 0 ? 1 : 0));
  const expanded: number[] = [];
  kept.forEach((sym, i) => {
    for (let r = 0; r < (c[i] ?? 1); r++) expanded.push(sym);
  });
  return {
    syms: kept,
    counts: c.some((x) => x > 1) ? c : null,
    soft: soft.some((x) => x === 1) ? soft : null,
    expanded: Int32Array.from(expanded),
    wordStart: ((flags[a] ?? 0) & F_WORD) !== 0,
    wordEnd: ((flags[b - 1] ?? 0) & F_WORD) !== 0,
  };
}

function normaliseSymbols(text: string, folder: Folder): ReturnType<Scanner['symbols']> {
  const plan: ScanPlan = {
    automaton: null,
    variants: [],
    folder,
    makeMatch: () => {
      throw new Error('unreachable');
    },
    hasExclusions: false,
    maxLen: 1,
    maxExLen: 0,
    byLast: null,
  };
  const scanner = new Scanner(plan, false, text.length + 4);
  scanner.write(text);
  return scanner.symbols();
}

function sortMatches(out: Match[]): Match[] {
  for (let i = 1; i < out.length; i++) {
    const a = out[i - 1] as Match;
    const b = out[i] as Match;
    if (a.end > b.end || (a.end === b.end && a.start > b.start)) {
      return out.sort((x, y) => x.end - y.end || x.start - y.start);
    }
  }
  return out;
}

/**
 * Compiles keyword entries into a matcher. Entries are validated against KeywordEntrySchema;
 * empty phrases (or phrases that normalise to nothing) are rejected with a MatcherError.
 */
export function compileMatcher(entries: readonly KeywordEntry[], options: CompileOptions = {}): CompiledMatcher {
  const norm = resolveNormalise(options.normalise);
  const folder = norm === null ? null : new Folder(norm);
  const variants: Variant[] = [];

  entries.forEach((entry, index) => {
    if (typeof entry === 'object' && entry !== null && (entry as { phrase?: unknown }).phrase === '') {
      throw new MatcherError('SHARED_ERR_MATCHER_EMPTY_PATTERN', `entry ${index} (id ${JSON.stringify(entry.id)})`);
    }
    if (!Value.Check(KeywordEntrySchema, entry)) {
      const first = [...Value.Errors(KeywordEntrySchema, entry)][0];
      throw new MatcherError(
        'SHARED_ERR_MATCHER_INVALID_ENTRY',
        `entry ${index}: ${first ? `${first.path || '/'} ${first.message}` : 'invalid'}`,
      );
    }
    const sy = patternSymbols(entry.phrase, folder);
    if (sy === null) {
      throw new MatcherError(
        'SHARED_ERR_MATCHER_EMPTY_PATTERN',
        `entry ${index} (id ${JSON.stringify(entry.id)}) phrase ${JSON.stringify(entry.phrase)}`,
      );
    }
    variants.push({ entry: index, mode: MODES[entry.match], ...sy });
  });
  let maxExLen = 0;
  (options.exclusions ?? []).forEach((phrase, index) => {
    const sy = typeof phrase === 'string' ? patternSymbols(phrase, folder) : null;
    if (sy === null) {
      throw new MatcherError('SHARED_ERR_MATCHER_EMPTY_EXCLUSION', `exclusion ${index} ${JSON.stringify(phrase)}`);
    }
    maxExLen = Math.max(maxExLen, sy.syms.length);
    variants.push({ entry: -1, mode: MODE_EXCLUSION, ...sy });
  });

  const automaton = buildAutomaton(
    variants,
    norm !== null && norm.leetspeak ? { one: SYM_ONE, i: 0x69, l: 0x6c } : null,
  );
  let byLast: Map<number, Int32Array> | null = null;
  if (norm !== null && norm.masks) {
    const lists = new Map<number, number[]>();
    variants.forEach((v, i) => {
      if (v.expanded.length < 3) return;
      const last = v.syms[v.syms.length - 1] ?? 0;
      if (last === SYM_MASK) return;
      const list = lists.get(last) ?? [];
      list.push(i);
      lists.set(last, list);
    });
    byLast = new Map([...lists].map(([k, l]) => [k, Int32Array.from(l)]));
  }
  const maxLen = variants.reduce((m, v) => Math.max(m, v.syms.length), 1);

  // One frozen template per entry; matches copy it with their offsets.
  const templates = variants.map((v) => (v.entry >= 0 ? (entries[v.entry] as KeywordEntry) : null));
  const makeMatch = (variant: number, start: number, end: number): Match => {
    const e = templates[variant] as KeywordEntry;
    return { id: e.id, start, end, category: e.category, severity: e.severity };
  };
  const hasExclusions = variants.some((v) => v.mode === MODE_EXCLUSION);
  const plan: ScanPlan = { automaton, variants, folder, makeMatch, hasExclusions, maxLen, maxExLen, byLast };

  const rawNext = folder === null ? rawTable(automaton) : null;
  const stats: MatcherStats = Object.freeze({
    states: automaton.states,
    classes: automaton.classes,
    patterns: variants.length,
    bytes:
      automaton.bytes +
      (rawNext?.byteLength ?? 0) +
      variants.reduce((b, v) => b + v.syms.byteLength + (v.counts?.byteLength ?? 0) + 48, 0),
  });

  let pool: Scanner | null = null;
  const findAll =
    folder === null
      ? (text: string): Match[] =>
          findAllRaw(text, automaton, rawNext as Int32Array, variants, makeMatch, hasExclusions, maxExLen)
      : (text: string): Match[] => {
          // One scanner is reused (it keeps a fixed window of symbols), so a scan allocates nothing
          // but its matches.
          const scanner = pool ?? new Scanner(plan, false, 4096);
          pool = null;
          try {
            scanner.write(text);
            const out = scanner.take();
            const rest = scanner.finish();
            for (const m of rest) out.push(m);
            return sortMatches(out);
          } finally {
            scanner.reset();
            pool = scanner;
          }
        };

  return {
    findAll,
    stream: (): MatchStream => createStream(new Scanner(plan, true), findAll),
    stats,
  };
}

/**
 * The raw-mode table: `delta` with each target premultiplied by the number of classes, and
 * complemented (negative) where the target state has outputs, so the scan loop is one load and
 * one sign test per character.
 */
function rawTable(a: Automaton): Int32Array {
  const C = a.classes;
  const next = new Int32Array(a.states * C);
  const { delta, hasOut } = a;
  for (let i = 0; i < next.length; i++) {
    const t = (delta[i] as number) & a.stateMask;
    next[i] = hasOut[t] === 1 ? ~(t * C) : t * C;
  }
  return next;
}

/** Plain Aho-Corasick over UTF-16 code units: one table load per character. */
function findAllRaw(
  text: string,
  a: Automaton,
  next: Int32Array,
  variants: readonly Variant[],
  makeMatch: (variant: number, start: number, end: number) => Match,
  hasExclusions: boolean,
  maxExLen: number,
): Match[] {
  const { cmap, outStart, outVars, dictLink } = a;
  const { len: vLen, mode: vMode } = variantTables(variants);
  const C = a.classes;
  const len = text.length;
  const out: Match[] = [];
  let exS: number[] | null = null;
  let exE: number[] | null = null;
  let s = 0;
  for (let i = 0; i < len; i++) {
    s = next[s + (cmap[text.charCodeAt(i)] as number)] as number;
    if (s >= 0) continue;
    s = ~s;
    const state = (s / C) | 0;
    let t = (outStart[state] as number) < (outStart[state + 1] as number) ? state : (dictLink[state] as number);
    while (t >= 0) {
      const stop = outStart[t + 1] as number;
      for (let k = outStart[t] as number; k < stop; k++) {
        const v = outVars[k] as number;
        const start = i + 1 - (vLen[v] as number);
        const mode = vMode[v] as number;
        if (mode !== M_SUBSTRING) {
          if (mode === M_EXCLUSION) {
            (exS ??= []).push(start);
            (exE ??= []).push(i + 1);
            continue;
          }
          const V = variants[v] as Variant;
          if (V.wordStart && start > 0 && isWordCodeUnit(text.charCodeAt(start - 1))) continue;
          if (mode === M_WORD && V.wordEnd && i + 1 < len && isWordCodeUnit(text.charCodeAt(i + 1))) continue;
        }
        out.push(makeMatch(v, start, i + 1));
      }
      t = dictLink[t] as number;
    }
  }
  if (!hasExclusions || exS === null || exE === null) return out;
  // Occurrences of exclusions come in end order: keep a match unless one covers it.
  const eS = exS;
  const eE = exE;
  let lo = 0;
  return out.filter((m) => {
    while (lo < eE.length && (eE[lo] as number) < m.end) lo++;
    for (let x = lo; x < eE.length && (eE[x] as number) < m.end + maxExLen; x++) {
      if ((eS[x] as number) <= m.start) return false;
    }
    return true;
  });
}
