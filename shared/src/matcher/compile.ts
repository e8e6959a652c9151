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
import { MatchBuffer, materialise, type Templates, templatesOf } from './matches';
import { Folder, isWordCodeUnit, resolveNormalise, SYM_MASK, SYM_ONE, SYM_SPACE } from './normalise';
import { F_SOFT, F_WORD, LAST2, Scanner, type ScanPlan, skipPassBytes } from './scanner';
import { createStream } from './stream';
import type { CompiledMatcher, CompileOptions, Match, MatchStream, MatcherStats } from './types';

const MODES = { word: MODE_WORD, substring: MODE_SUBSTRING, prefix: MODE_PREFIX } as const;

interface Symbols {
  syms: Int32Array;
  counts: Uint16Array | null;
  soft: Uint8Array | null;
  expanded: Int32Array;
  wordStart: boolean;
  wordEnd: boolean;
}

function patternSymbols(phrase: string, normaliser: PhraseNormaliser | null): Symbols | null {
  if (normaliser === null) {
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
  return normaliser.patternSymbols(phrase);
}

/**
 * Normalises phrases with one scanner, reused (reset) for each, reading its symbol arrays in
 * place: a scanner and a handful of copies per phrase made tens of thousands of short-lived typed
 * arrays per compile, and the process kept the memory they took.
 */
class PhraseNormaliser {
  private scanner: Scanner | null = null;
  private capacity = 0;

  constructor(private readonly folder: Folder) {}

  /** The phrase's symbols, trimmed of spaces; null when nothing is left. */
  patternSymbols(phrase: string): Symbols | null {
    const need = phrase.length + 4;
    if (this.scanner === null || need > this.capacity) {
      const plan: ScanPlan = {
        automaton: null,
        variants: [],
        folder: this.folder,
        makeMatch: () => {
          throw new Error('unreachable');
        },
        hasExclusions: false,
        // Every symbol is kept: the window grows instead of sliding (a long phrase was cut to
        // its last few dozen symbols).
        maxLen: 1 << 20,
        maxExLen: 0,
        byLast: null,
        byLast2: null,
        byLast3: null,
      };
      this.capacity = Math.max(need, 256);
      this.scanner = new Scanner(plan, false, this.capacity);
    }
    const scanner = this.scanner;
    try {
      scanner.write(phrase);
      const { n, syms, counts, flags } = scanner.symbolView();
      let a = 0;
      let b = n;
      while (a < b && syms[a] === SYM_SPACE) a++;
      while (b > a && syms[b - 1] === SYM_SPACE) b--;
      if (a === b) return null;
      let runs = b - a;
      let repeated = false;
      let joined = false;
      for (let i = a; i < b; i++) {
        const c = counts[i] as number;
        if (c > 1) {
          repeated = true;
          runs += c - 1;
        }
        if (i > a && ((flags[i] as number) & F_SOFT) !== 0) joined = true;
      }
      const kept = syms.slice(a, b);
      let soft: Uint8Array | null = null;
      if (joined) {
        soft = new Uint8Array(b - a);
        for (let i = a + 1; i < b; i++) soft[i - a] = ((flags[i] as number) & F_SOFT) !== 0 ? 1 : 0;
      }
      let expanded = kept;
      if (repeated) {
        // The symbols with each run written out.
        expanded = new Int32Array(runs);
        let w = 0;
        for (let i = a; i < b; i++) for (let r = 0; r < (counts[i] as number); r++) expanded[w++] = syms[i] as number;
      }
      return {
        syms: kept,
        counts: repeated ? counts.slice(a, b) : null,
        soft,
        expanded,
        wordStart: ((flags[a] as number) & F_WORD) !== 0,
        wordEnd: ((flags[b - 1] as number) & F_WORD) !== 0,
      };
    } finally {
      scanner.reset();
    }
  }
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
  const normaliser = folder === null ? null : new PhraseNormaliser(folder);
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
    const sy = patternSymbols(entry.phrase, normaliser);
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
    const sy = typeof phrase === 'string' ? patternSymbols(phrase, normaliser) : null;
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
  let byLast2: Map<number, Int32Array> | null = null;
  let byLast3: Map<number, Int32Array> | null = null;
  if (norm !== null && norm.masks) {
    const lists = new Map<number, number[]>();
    const lists2 = new Map<number, number[]>();
    const lists3 = new Map<number, number[]>();
    const add = (m: Map<number, number[]>, key: number, v: number): void => {
      const list = m.get(key);
      if (list === undefined) m.set(key, [v]);
      else list.push(v);
    };
    variants.forEach((v, i) => {
      const xs = v.expanded;
      if (xs.length < 3) return;
      const last = v.syms[v.syms.length - 1] ?? 0;
      if (last === SYM_MASK) return;
      add(lists, last, i);
      add(lists2, last * LAST2 + (xs[xs.length - 2] as number), i);
      add(lists3, last * LAST2 + (xs[xs.length - 3] as number), i);
    });
    // Longest first (stable): a masked window shorter than a variant's letters rules out the rest.
    const longestFirst = (l: number[]): Int32Array =>
      Int32Array.from(
        l.sort((x, y) => (variants[y] as Variant).expanded.length - (variants[x] as Variant).expanded.length),
      );
    byLast = new Map([...lists].map(([k, l]) => [k, longestFirst(l)]));
    byLast2 = new Map([...lists2].map(([k, l]) => [k, longestFirst(l)]));
    byLast3 = new Map([...lists3].map(([k, l]) => [k, longestFirst(l)]));
  }
  const maxLen = variants.reduce((m, v) => Math.max(m, v.syms.length), 1);

  // One frozen template per entry; matches copy it with their offsets.
  const templates = variants.map((v) => (v.entry >= 0 ? (entries[v.entry] as KeywordEntry) : null));
  const makeMatch = (variant: number, start: number, end: number): Match => {
    const e = templates[variant] as KeywordEntry;
    return { id: e.id, start, end, category: e.category, severity: e.severity };
  };
  const templateTable = templatesOf(templates);
  const rawBufs = [new MatchBuffer(), new MatchBuffer(), new MatchBuffer(), new MatchBuffer()];
  const hasExclusions = variants.some((v) => v.mode === MODE_EXCLUSION);
  const plan: ScanPlan = {
    automaton,
    variants,
    folder,
    makeMatch,
    hasExclusions,
    maxLen,
    maxExLen,
    byLast,
    byLast2,
    byLast3,
  };

  const rawNext = folder === null ? rawTable(automaton) : null;
  const rawPlan = rawNext === null ? null : rawPlanOf(automaton, rawNext, variants, maxLen);
  const stats: MatcherStats = Object.freeze({
    states: automaton.states,
    classes: automaton.classes,
    patterns: variants.length,
    bytes:
      automaton.bytes +
      (rawNext?.byteLength ?? 0) +
      skipPassBytes(plan) +
      variants.reduce((b, v) => b + v.syms.byteLength + (v.counts?.byteLength ?? 0) + 48, 0),
  });

  let pool: Scanner | null = null;
  const findAll =
    folder === null
      ? (text: string): Match[] => findAllRaw(text, rawPlan as RawPlan, templateTable, rawBufs, hasExclusions, maxExLen)
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

/** What the raw scan loops read. */
interface RawPlan {
  a: Automaton;
  next: Int32Array;
  /** 1 / classes: a premultiplied state times this, rounded, is the state (no division). */
  invC: number;
  /**
   * Every output of each state, its own and those down its failure chain, flattened:
   * `outs[outAt[s] .. outAt[s + 1])` in triples (variant, length, kind), kind being
   * RAW_SUBSTRING, RAW_EXCLUSION, or the word checks (RAW_NEED_START | RAW_NEED_END).
   */
  outAt: Int32Array;
  outs: Int32Array;
  maxLen: number;
}

const RAW_SUBSTRING = 0;
const RAW_EXCLUSION = 1;
const RAW_NEED_START = 2;
const RAW_NEED_END = 4;
const RAW_CHECK = 8;

function rawPlanOf(a: Automaton, next: Int32Array, variants: readonly Variant[], maxLen: number): RawPlan {
  const outAt = new Int32Array(a.states + 1);
  const outs: number[] = [];
  for (let s = 0; s < a.states; s++) {
    outAt[s] = outs.length;
    if (a.hasOut[s] !== 1) continue;
    let t = (a.outStart[s] as number) < (a.outStart[s + 1] as number) ? s : (a.dictLink[s] as number);
    while (t >= 0) {
      for (let k = a.outStart[t] as number; k < (a.outStart[t + 1] as number); k++) {
        const v = a.outVars[k] as number;
        const V = variants[v] as Variant;
        let kind = RAW_SUBSTRING;
        if (V.mode === MODE_EXCLUSION) kind = RAW_EXCLUSION;
        else if (V.mode !== MODE_SUBSTRING) {
          kind =
            RAW_CHECK | (V.wordStart ? RAW_NEED_START : 0) | (V.mode === MODE_WORD && V.wordEnd ? RAW_NEED_END : 0);
        }
        outs.push(v, V.syms.length, kind);
      }
      t = a.dictLink[t] as number;
    }
  }
  outAt[a.states] = outs.length;
  return { a, next, invC: 1 / a.classes, outAt, outs: Int32Array.from(outs), maxLen };
}

/** Exclusion occurrences of one chain: start, end pairs. */
type Spans = number[];

/**
 * Reports the outputs of the state reached at text[i] (`s` premultiplied, no flag) into `buf`,
 * exclusion occurrences into `ex`.
 */
function emitRaw(text: string, i: number, s: number, p: RawPlan, buf: MatchBuffer, ex: Spans): void {
  const state = (s * p.invC + 0.5) | 0;
  const outs = p.outs;
  const stop = p.outAt[state + 1] as number;
  for (let k = p.outAt[state] as number; k < stop; k += 3) {
    const v = outs[k] as number;
    const start = i + 1 - (outs[k + 1] as number);
    const kind = outs[k + 2] as number;
    if (kind !== RAW_SUBSTRING) {
      if (kind === RAW_EXCLUSION) {
        ex.push(start, i + 1);
        continue;
      }
      if ((kind & RAW_NEED_START) !== 0 && start > 0 && isWordCodeUnit(text.charCodeAt(start - 1))) continue;
      if ((kind & RAW_NEED_END) !== 0 && i + 1 < text.length && isWordCodeUnit(text.charCodeAt(i + 1))) continue;
    }
    buf.push(v, start, i + 1);
  }
}

/** One chain over text[from .. to) from state `s`, reporting matches that end after `reportFrom`. */
function chainRaw(
  text: string,
  from: number,
  to: number,
  reportFrom: number,
  s: number,
  p: RawPlan,
  buf: MatchBuffer,
  ex: Spans,
): void {
  const next = p.next;
  const cmap = p.a.cmap;
  for (let i = from; i < to; i++) {
    s = next[s + (cmap[text.charCodeAt(i)] as number)] as number;
    if (s >= 0) continue;
    s = ~s;
    if (i >= reportFrom) emitRaw(text, i, s, p, buf, ex);
  }
}

const CHAINS = 4;
/** Texts at least this long are scanned as four interleaved chains. */
const CHAIN_MIN = 1 << 15;

/**
 * Plain Aho-Corasick over UTF-16 code units: one table load per character. A long text is cut
 * into four parts scanned in one loop, four independent chains of table loads that the processor
 * overlaps (one chain waits on the latency of each load; the table is larger than the L2 cache).
 * Each part but the first starts `maxLen - 1` characters early, so its state is exact by the
 * time it reaches its own part, and reports only matches ending there.
 */
function findAllRaw(
  text: string,
  p: RawPlan,
  templates: Templates,
  bufs: MatchBuffer[],
  hasExclusions: boolean,
  maxExLen: number,
): Match[] {
  const len = text.length;
  const buf = bufs[0] as MatchBuffer;
  for (const b of bufs) b.clear();
  const exs: Spans[] = [[], [], [], []];
  if (len < CHAIN_MIN || len < CHAINS * 4 * p.maxLen) {
    chainRaw(text, 0, len, 0, 0, p, buf, exs[0] as Spans);
  } else {
    const part = Math.ceil(len / CHAINS);
    const warm = p.maxLen - 1;
    const b1 = part;
    const b2 = 2 * part;
    const b3 = 3 * part;
    const o1 = b1 - warm;
    const o2 = b2 - warm;
    const o3 = b3 - warm;
    // Lockstep over the common length; each chain then finishes on its own.
    const common = part;
    const next = p.next;
    const cmap = p.a.cmap;
    const buf1 = bufs[1] as MatchBuffer;
    const buf2 = bufs[2] as MatchBuffer;
    const buf3 = bufs[3] as MatchBuffer;
    const ex0 = exs[0] as Spans;
    const ex1 = exs[1] as Spans;
    const ex2 = exs[2] as Spans;
    const ex3 = exs[3] as Spans;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < common; i++) {
      s0 = next[s0 + (cmap[text.charCodeAt(i)] as number)] as number;
      s1 = next[s1 + (cmap[text.charCodeAt(o1 + i)] as number)] as number;
      s2 = next[s2 + (cmap[text.charCodeAt(o2 + i)] as number)] as number;
      s3 = next[s3 + (cmap[text.charCodeAt(o3 + i)] as number)] as number;
      if ((s0 | s1 | s2 | s3) >= 0) continue;
      if (s0 < 0) {
        s0 = ~s0;
        emitRaw(text, i, s0, p, buf, ex0);
      }
      if (s1 < 0) {
        s1 = ~s1;
        if (o1 + i >= b1) emitRaw(text, o1 + i, s1, p, buf1, ex1);
      }
      if (s2 < 0) {
        s2 = ~s2;
        if (o2 + i >= b2) emitRaw(text, o2 + i, s2, p, buf2, ex2);
      }
      if (s3 < 0) {
        s3 = ~s3;
        if (o3 + i >= b3) emitRaw(text, o3 + i, s3, p, buf3, ex3);
      }
    }
    chainRaw(text, common, b1, 0, s0, p, buf, ex0);
    chainRaw(text, o1 + common, b2, b1, s1, p, buf1, ex1);
    chainRaw(text, o2 + common, b3, b2, s2, p, buf2, ex2);
    chainRaw(text, o3 + common, len, b3, s3, p, buf3, ex3);
    // The parts in order: matches, and exclusion occurrences, stay ordered by end.
    for (let k = 1; k < CHAINS; k++) {
      const b = bufs[k] as MatchBuffer;
      const d = b.data;
      for (let x = 0; x < b.size; x += 3) buf.push(d[x] as number, d[x + 1] as number, d[x + 2] as number);
      for (const y of exs[k] as Spans) ex0.push(y);
    }
  }
  const ex = exs[0] as Spans;
  if (hasExclusions && ex.length > 0) {
    // Occurrences of exclusions come in end order: keep a match unless one covers it.
    const d = buf.data;
    let w = 0;
    let lo = 0;
    for (let k = 0; k < buf.size; k += 3) {
      const ms = d[k + 1] as number;
      const me = d[k + 2] as number;
      while (lo < ex.length && (ex[lo + 1] as number) < me) lo += 2;
      let covered = false;
      for (let x = lo; x < ex.length && (ex[x + 1] as number) < me + maxExLen; x += 2) {
        if ((ex[x] as number) <= ms) {
          covered = true;
          break;
        }
      }
      if (covered) continue;
      d[w] = d[k] as number;
      d[w + 1] = ms;
      d[w + 2] = me;
      w += 3;
    }
    buf.size = w;
  }
  return materialise(buf, templates, []);
}
