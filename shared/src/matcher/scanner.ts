import { type Automaton, MODE_EXCLUSION, MODE_PREFIX, MODE_WORD, type Variant } from './automaton';
import {
  type Folder,
  isWordCodeUnit,
  KIND_DROP,
  KIND_MASK,
  KIND_PUNCT,
  KIND_SEP,
  KIND_WORD,
  SYM_BITS,
  SYM_MASK,
  SYM_MASK_BITS,
  SYM_ONE,
  SYM_SPACE,
} from './normalise';
import type { Match } from './types';

// Module-local copies of the constants: CommonJS output would otherwise read each imported or
// exported constant as a property of a module object inside the hot loop.
const WORD = 1;
const SOFT = 2;
const BITS = SYM_BITS;
const LOW = SYM_MASK_BITS;
const K_DROP = KIND_DROP;
const K_WORD = KIND_WORD;
const K_SEP = KIND_SEP;
const K_MASK = KIND_MASK;
const K_PUNCT = KIND_PUNCT;
const S_SPACE = SYM_SPACE;
const S_MASK = SYM_MASK;
const S_ONE = SYM_ONE;

/** Symbol flag: a word character. */
export const F_WORD = WORD;
/** Symbol flag: a joined separator (`k i l l`) sits just before this symbol. */
export const F_SOFT = SOFT;

/** What a scanner needs from the compiled matcher. */
export interface ScanPlan {
  automaton: Automaton | null;
  variants: readonly Variant[];
  /** null: raw mode, one symbol per UTF-16 code unit. */
  folder: Folder | null;
  makeMatch(variant: number, start: number, end: number): Match;
  hasExclusions: boolean;
  /** Longest variant and longest exclusion, in symbols. */
  maxLen: number;
  maxExLen: number;
  /** Variants by last symbol, longest (expanded) first, for masked text (`c*sino`); null when masks are off. */
  byLast: Map<number, Int32Array> | null;
  /**
   * The same lists by last symbol and the letter before it in the expanded variant (key
   * `last * LAST2 + before`), for windows whose second-to-last letter the text gives.
   */
  byLast2: Map<number, Int32Array> | null;
  /** The same by last symbol and the letter two before it (key `last * LAST2 + that one`). */
  byLast3: Map<number, Int32Array> | null;
}

/** The key base of `ScanPlan.byLast2` (above every symbol, the mask's included). */
export const LAST2 = 0x200000;

const isLetterSym = (p: number): boolean =>
  (p >= 0x30 && p <= 0x39) || (p >= 0x61 && p <= 0x7a) || (p >= 0x41 && p <= 0x5a) || (p >= 128 && p !== S_MASK);

interface VariantTables {
  /** Symbols of each variant. */
  len: Int32Array;
  /** The variant's mode (MODE_WORD, ...). */
  mode: Uint8Array;
  /** 1 where the variant must start at a word start (word or prefix mode, word character first). */
  needStart: Uint8Array;
  /** 1 where the variant must end at a word end (word mode, word character last). */
  needEnd: Uint8Array;
}
const tablesOf = new WeakMap<readonly Variant[], VariantTables>();
const needLens = new WeakMap<Automaton, Int32Array>();
/** Per-variant facts in typed arrays, computed once per compiled variant list. */
export function variantTables(variants: readonly Variant[]): VariantTables {
  let t = tablesOf.get(variants);
  if (t === undefined) {
    const len = new Int32Array(variants.length);
    const needStart = new Uint8Array(variants.length);
    const mode = new Uint8Array(variants.length);
    const needEnd = new Uint8Array(variants.length);
    variants.forEach((v, i) => {
      len[i] = v.syms.length;
      mode[i] = v.mode;
      needEnd[i] = v.mode === MODE_WORD && v.wordEnd ? 1 : 0;
      needStart[i] = (v.mode === MODE_WORD || v.mode === MODE_PREFIX) && v.wordStart ? 1 : 0;
    });
    t = { len, mode, needStart, needEnd };
    tablesOf.set(variants, t);
  }
  return t;
}

/**
 * The skip pass's tables. `ctab[ctx * 128 + c]`, for an ASCII character c read in context ctx,
 * packs the next context (bits 0-9, premultiplied by 128), PF_SKIP (the character makes no symbol:
 * dropped, or a separator that may join single letters), PF_PUNCT (a symbol that never repeats
 * into a run: punctuation, a mask), the symbol's automaton class (bits 16-30), and the sign bit
 * when the character needs the general path (a letter after a mask, a third spaced-out letter
 * followed by more letters), or PF_PRE (punctuation after a joined separator, which then reads as
 * a space symbol first). The contexts track what the general path's joined-separator and mask
 * rules depend on: how many letters the current word has (0, 1, 2 or more), whether a separator
 * after a single letter is pending, whether the last one or two symbols follow such a separator,
 * and whether the last symbol is a mask inside a word.
 */
interface Prefilter {
  ctab: Int32Array;
  /** The automaton class of the space symbol. */
  space: number;
  /**
   * Non-zero where the state ends a variant other than an exclusion (on its output chain): G_ANY,
   * plus G_END when every such variant must end at a word end, G_RUN when each needs a run of at
   * least two of its last symbol (`ass`), and G_START when each must begin at a word start.
   */
  interest: Uint8Array;
  /** For G_START states, the longest of those variants (at most 255 symbols, else no G_START). */
  startLen: Uint8Array;
}
const G_ANY = 1;
const G_END = 2;
const G_RUN = 4;
const G_START = 8;
/** The shortest run the G_RUN gate asks of the last symbol (a variant's counts, read as one). */
const RUN2 = new Int32Array([2]);
const PF_SKIP = 1 << 10;
const PF_PUNCT = 1 << 11;
const PF_BAIL = 1 << 31;
const PF_PRE = PF_BAIL | 1 | 0;
/** With the sign bit: a letter after a joined separator (read in the skip pass's own branch). */
const PF_JOINED = 1 << 12;
/**
 * With the sign bit: a letter right after the third (or later) letter of a spaced-out run. When
 * the last two letters each made a symbol, the separator before the last one becomes a space
 * (`k i l l my` reads `kill my`, as the general path's unsoften()), in the pass's own branch.
 */
const PF_UNSOFT = 1 << 13;
const CX_A = 0; // after a non-word symbol (or at the start)
const CX_W1 = 1; // one letter since the break
const CX_W1S1 = 2; // one letter after a joined separator
const CX_W1S2 = 3; // ... and the symbol before it followed one too (`k i l`)
const CX_W2 = 4; // two letters or more
const CX_P0 = 5; // a separator after a single letter, pending
const CX_P1 = 6; // ... after a letter that followed one
const CX_M = 7; // a mask inside a word (`w*`)
const prefilters = new WeakMap<Automaton, Prefilter>();

/** The skip pass's tables for batch scans of this plan (built now), in bytes; 0 when it has none. */
export function skipPassBytes(plan: ScanPlan): number {
  const o = plan.folder?.options;
  if (plan.automaton === null || plan.folder === null || o === undefined) return 0;
  if (!o.repeats || !o.separators || !o.whitespace) return 0;
  const p = prefilterOf(plan.automaton, plan.folder, plan.variants);
  return p.ctab.byteLength + p.interest.byteLength + p.startLen.byteLength;
}

function prefilterOf(a: Automaton, f: Folder, variants: readonly Variant[]): Prefilter {
  let p = prefilters.get(a);
  if (p !== undefined) return p;
  const cls = (code: number): number => (code < 65536 ? (a.cmap[code] as number) : (a.astral.get(code) ?? 0)) << 16;
  const ctab = new Int32Array(8 * 128);
  // A letter after a mask needs the general path (a masked word); one after a spaced-out run of
  // three letters or more is read in the pass's PF_UNSOFT branch (or there handed over).
  const afterWord = [CX_W1, CX_W2, CX_W2, -2, CX_W2, CX_W1S1, CX_W1S2, -1];
  for (let ctx = 0; ctx < 8; ctx++) {
    const word = ctx >= CX_W1 && ctx <= CX_W2;
    const pending = ctx === CX_P0 || ctx === CX_P1;
    for (let c = 0; c < 128; c++) {
      const unit = f.ascii[c] as number;
      const kind = unit >>> BITS;
      const code = unit & LOW;
      let v: number;
      if (kind === K_DROP) v = (ctx << 7) | PF_SKIP;
      else if (kind === K_WORD) {
        const next = afterWord[ctx] as number;
        if (next === -1) v = PF_BAIL;
        else if (next === -2) v = PF_BAIL | PF_UNSOFT | (CX_W2 << 7) | cls(code);
        else v = (next << 7) | cls(code) | (pending ? PF_BAIL | PF_JOINED : 0);
      } else if (kind === K_SEP) {
        if (pending) v = (ctx << 7) | PF_SKIP;
        else if (word && ctx !== CX_W2) v = ((ctx === CX_W1 ? CX_P0 : CX_P1) << 7) | PF_SKIP;
        else v = (CX_A << 7) | cls(S_SPACE);
      } else if (kind === K_PUNCT) v = pending ? PF_PRE : (CX_A << 7) | PF_PUNCT | cls(code);
      else if (pending)
        v = PF_PRE; // a mask after a separator: punctuation
      else if (word || ctx === CX_M) v = (CX_M << 7) | PF_PUNCT | cls(S_MASK);
      else v = (CX_A << 7) | PF_PUNCT | cls(0x2a); // a mask outside a word: punctuation
      ctab[ctx * 128 + c] = v | 0;
    }
  }
  const interest = new Uint8Array(a.states);
  const startLen = new Uint8Array(a.states);
  const { len, needStart, needEnd } = variantTables(variants);
  for (let s = 0; s < a.states; s++) {
    if (a.hasOut[s] !== 1) continue;
    let any = false;
    let end = true;
    let run = true;
    let start = true;
    let longest = 0;
    let t = (a.outStart[s] as number) < (a.outStart[s + 1] as number) ? s : (a.dictLink[s] as number);
    while (t >= 0) {
      for (let k = a.outStart[t] as number; k < (a.outStart[t + 1] as number); k++) {
        const v = a.outVars[k] as number;
        const V = variants[v] as Variant;
        if (V.mode === MODE_EXCLUSION) continue;
        any = true;
        if (needEnd[v] !== 1) end = false;
        if (V.counts === null || (V.counts[V.counts.length - 1] as number) < 2) run = false;
        if (needStart[v] !== 1) start = false;
        else longest = Math.max(longest, len[v] as number);
      }
      t = a.dictLink[t] as number;
    }
    if (!any) continue;
    start &&= longest <= 255;
    interest[s] = G_ANY | (end ? G_END : 0) | (run ? G_RUN : 0) | (start ? G_START : 0);
    if (start) startLen[s] = longest;
  }
  p = { ctab, space: a.cmap[S_SPACE] as number, interest, startLen };
  prefilters.set(a, p);
  return p;
}

/**
 * The incremental core shared by batch scans and streams: it normalises character by character,
 * keeps per-symbol arrays (symbol, automaton state, run length, original offsets, flags), and
 * verifies each candidate once the symbol after it is known. With `editable`, it also keeps one
 * snapshot per code point so that a backspace restores the previous state in O(1).
 */
export class Scanner {
  private sym: Int32Array;
  private st: Int32Array;
  private cnt: Uint16Array;
  private os: Int32Array;
  private oe: Int32Array;
  private fl: Uint8Array;
  private n = 0;

  // Context of the contextual rules.
  private glued = false;
  private tok = 0;
  private soft = false;
  private sepS = 0;
  private lastMask = -1;
  /** When a mask precedes the last symbol: the mask's index, to match masked windows once it closes. */
  private maskLm = -1;
  /** Batch scans: the last symbol that is not a word character or follows a joined separator. */
  private brk = -1;
  private rawLen = 0;

  // Candidates: ending at the last symbol (not yet verified), verified but waiting for exclusions,
  // and verified exclusion occurrences.
  // Pending candidates are pend[0 .. pendN) (a count rather than `length = 0`, which is a runtime
  // call, on every symbol that closes candidates).
  private pend: number[] = [];
  private pendS: number[] = [];
  private pendN = 0;
  private awV: number[] = [];
  private awS: number[] = [];
  private awE: number[] = [];
  private exS: number[] = [];
  private exE: number[] = [];
  private out: Match[] = [];

  // Editing.
  private raw: Uint16Array;
  private steps = 0;
  private snapRaw: Int32Array;
  private snapN: Int32Array;
  private snapCnt: Uint16Array;
  private snapOe: Int32Array;
  /** The last symbol's code, flags, start and state (a later word can turn it into a space and itself). */
  private snapSym: Int32Array;
  private snapFl: Uint8Array;
  private snapOs: Int32Array;
  private snapSt: Int32Array;
  private snapCtx: Uint8Array;
  private snapPend: Int32Array;
  private reported: Set<number> | null;

  private readonly repeats: boolean;
  private readonly separators: boolean;
  private readonly whitespace: boolean;
  private readonly keyBase: number;
  private readonly vt: VariantTables;
  private needLens: Int32Array | null = null;
  private acls: Int32Array | null = null;
  /** The skip pass's tables (batch scans with every contextual rule on), else null. */
  private readonly pf: Prefilter | null;
  /** The skip pass may start at or after this index (past the character where it last stopped). */
  private pfFrom = 0;
  private pfBack = 0;
  /**
   * The skip pass reported the candidates whose last symbol starts at or before this index itself
   * (direct()): the general path, reading part of that text again after a stop, does not.
   */
  private directTo = -1;
  /** direct()'s candidates that pass, as (variant, start) pairs. */
  private passed = new Int32Array(64);

  constructor(
    private readonly plan: ScanPlan,
    private readonly editable: boolean,
    capacity = 64,
  ) {
    const cap = Math.max(128, capacity);
    this.sym = new Int32Array(cap);
    this.st = new Int32Array(cap);
    this.cnt = new Uint16Array(cap);
    this.os = new Int32Array(cap);
    this.oe = new Int32Array(cap);
    this.fl = new Uint8Array(cap);
    const snapCap = editable ? cap : 0;
    this.raw = new Uint16Array(snapCap);
    this.snapRaw = new Int32Array(snapCap);
    this.snapN = new Int32Array(snapCap);
    this.snapCnt = new Uint16Array(snapCap);
    this.snapOe = new Int32Array(snapCap);
    this.snapSym = new Int32Array(snapCap);
    this.snapFl = new Uint8Array(snapCap);
    this.snapOs = new Int32Array(snapCap);
    this.snapSt = new Int32Array(snapCap);
    this.snapCtx = new Uint8Array(snapCap);
    this.snapPend = new Int32Array(snapCap);
    this.reported = editable ? new Set() : null;
    const o = plan.folder?.options;
    this.repeats = o?.repeats ?? false;
    this.separators = o?.separators ?? false;
    this.whitespace = o?.whitespace ?? false;
    this.keyBase = plan.variants.length + 1;
    this.vt = variantTables(plan.variants);
    this.pf =
      !editable && plan.automaton !== null && plan.folder !== null && this.repeats && this.separators && this.whitespace
        ? prefilterOf(plan.automaton, plan.folder, plan.variants)
        : null;
  }

  /**
   * The symbol arrays themselves, valid until the next write or reset: `[0, n)` are the symbols
   * so far (pattern compilation copies what it keeps, without a copy of everything per phrase).
   */
  symbolView(): { n: number; syms: Int32Array; counts: Uint16Array; flags: Uint8Array } {
    return { n: this.n, syms: this.sym, counts: this.cnt, flags: this.fl };
  }

  /** The normalised symbols so far (for `normalise()`). */
  symbols(): { syms: Int32Array; counts: Uint16Array; flags: Uint8Array; starts: Int32Array; ends: Int32Array } {
    const n = this.n;
    return {
      syms: this.sym.slice(0, n),
      counts: this.cnt.slice(0, n),
      flags: this.fl.slice(0, n),
      starts: this.os.slice(0, n),
      ends: this.oe.slice(0, n),
    };
  }

  get length(): number {
    return this.rawLen;
  }

  /** The raw text (editable scanners only). */
  text(): string {
    let s = '';
    for (let i = 0; i < this.rawLen; i += 8192) {
      s += String.fromCharCode(...this.raw.subarray(i, Math.min(this.rawLen, i + 8192)));
    }
    return s;
  }

  /** Takes the matches reported (settled) since the last call. */
  take(): Match[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  write(text: string): void {
    if (this.plan.folder === null) this.writeRaw(text);
    else this.writeNormalised(text, this.plan.folder);
  }

  private writeRaw(text: string): void {
    const len = text.length;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(i);
      const rs = this.rawLen;
      this.append(c, isWordCodeUnit(c) ? WORD : 0, rs, rs + 1);
      let w = 1;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          this.append(d, 0, rs + 1, rs + 2);
          w = 2;
        }
      }
      this.rawLen = rs + w;
      if (this.editable) this.snapshot(c, w === 2 ? text.charCodeAt(i + 1) : -1);
      i += w - 1;
    }
  }

  /**
   * The hot path: normalisation rules and the automaton step inlined over local variables. Each
   * unit appends at most two symbols: a joined separator that turned out to be a real space, and
   * its own symbol.
   */
  private writeNormalised(text: string, f: Folder): void {
    let i = 0;
    while (i < text.length) {
      i = this.scanSome(text, f, i);
      if (i < text.length) {
        if (this.editable) this.grow();
        else this.compact();
      }
    }
  }

  /** Scans from `start` until the text ends or the symbol arrays are nearly full; returns where it stopped. */
  private scanSome(text: string, f: Folder, start: number): number {
    const a = this.plan.automaton;
    const ascii = f.ascii;
    const len = text.length;
    const repeats = this.repeats;
    const separators = this.separators;
    const whitespace = this.whitespace;
    const editable = this.editable;
    const maxLen = this.plan.maxLen;
    const C = a === null ? 0 : a.classes;
    const cmap = a === null ? new Uint8Array(0) : a.cmap;
    const delta = a === null ? new Uint16Array(1) : a.delta;
    const stateMask = a === null ? 0 : a.stateMask;
    const hasOut = a === null ? new Uint8Array(1) : a.hasOut;
    let n = this.n;
    let glued = this.glued;
    let tok = this.tok;
    let soft = this.soft;
    let sepS = this.sepS;
    let lastMask = this.lastMask;
    let brk = this.brk;
    let rawLen = this.rawLen;
    let state = n > 0 ? (this.st[n - 1] as number) : 0;
    const sym = this.sym;
    const cnt = this.cnt;
    const os = this.os;
    const oe = this.oe;
    const fl = this.fl;
    const st = this.st;
    // Room for the symbols of one more code point (NFKC expands one to at most 18).
    const room = sym.length - 64;
    const awV = this.awV;
    const pf = this.pf;
    let single = 0;
    let units: Int32Array | null = null;
    let i = start;
    while (i < len) {
      if (n > room) break;
      if (
        pf !== null &&
        a !== null &&
        i >= this.pfFrom &&
        !glued &&
        tok === 0 &&
        !soft &&
        lastMask < 0 &&
        this.maskLm < 0 &&
        this.pendN === 0 &&
        awV.length === 0
      ) {
        // A word break with nothing pending: the skip pass runs ahead over the text.
        const at = this.skip(text, i, state, n > 0 && sym[n - 1] === S_SPACE);
        if (at !== i) {
          // Nothing to report before `at`: a fresh start there (or the end of the text).
          n = 0;
          glued = false;
          tok = 0;
          brk = -1;
          lastMask = -1;
          state = 0;
          rawLen = at;
          i = at;
          if (this.exS.length > 0) this.exS.length = this.exE.length = 0;
          continue;
        }
      }
      const c = text.charCodeAt(i);
      const rs = rawLen;
      if (c < 128 && !soft && !editable && a !== null && lastMask < 0 && awV.length === 0) {
        // Batch scans of ASCII text: the fast path, until a character needs the general one.
        this.n = n;
        this.glued = glued;
        this.tok = tok;
        this.soft = false;
        this.sepS = sepS;
        this.brk = brk;
        this.rawLen = rawLen;
        const j = this.fastRun(text, f, a, i);
        if (j !== i) {
          n = this.n;
          glued = this.glued;
          tok = this.tok;
          soft = this.soft;
          sepS = this.sepS;
          brk = this.brk;
          rawLen = this.rawLen;
          state = n > 0 ? (st[n - 1] as number) : 0;
          i = j;
          continue;
        }
      }
      let w = 1;
      let count = 1;
      if (c < 128) {
        single = ascii[c] as number;
        units = null;
      } else {
        let cp = c;
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
          const d = text.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
            w = 2;
          }
        }
        units = f.fold(cp);
        count = units.length;
      }
      const re = rs + w;
      for (let u = 0; u < count; u++) {
        const unit = units === null ? single : (units[u] as number);
        const kind = unit >>> BITS;
        if (kind === K_DROP) continue;
        let code = unit & LOW;
        // Up to two symbols to append: [preSym at sepS] then [code with flags].
        let pre = false;
        let main = true;
        let flags = 0;
        if (kind === K_WORD) {
          const softGap = soft;
          soft = false;
          if (n > 0 && repeats && (glued || softGap) && sym[n - 1] === code) {
            const k = cnt[n - 1] as number;
            if (k < 65535) cnt[n - 1] = k + 1;
            oe[n - 1] = re;
            main = false;
          } else {
            flags = softGap ? WORD | SOFT : WORD;
            if (!softGap && n > 1 && ((fl[n - 1] as number) & SOFT) !== 0 && ((fl[n - 2] as number) & SOFT) !== 0) {
              // A spaced-out run (`k i l l`) followed by a word of two or more letters (`myself`):
              // the separator before the word was a real space.
              this.n = n;
              this.brk = brk;
              this.lastMask = lastMask;
              this.unsoften();
              n = this.n;
              brk = this.brk;
              lastMask = this.lastMask;
              state = st[n - 1] as number;
            }
          }
          glued = true;
          tok = softGap ? 1 : tok + 1;
        } else if (kind === K_SEP) {
          code = S_SPACE;
          if (soft) {
            // A run of separators after a single letter counts as one separator.
            if (!whitespace) {
              soft = false;
              pre = true;
            } else main = false;
          } else if (separators && glued && tok === 1 && n > 0 && sym[n - 1] !== S_MASK) {
            soft = true;
            sepS = rs;
            main = false;
          } else if (whitespace && n > 0 && sym[n - 1] === S_SPACE) main = false;
          glued = false;
          tok = 0;
        } else if (kind === K_MASK && glued && !soft && n > 0 && ((fl[n - 1] as number) & WORD) !== 0) {
          flags = WORD;
          tok++;
        } else {
          if (kind === K_MASK) code = 0x2a;
          if (soft) {
            soft = false;
            pre = true;
          }
          glued = false;
          tok = 0;
        }
        for (let step = pre ? 0 : 1; step < (main ? 2 : 1); step++) {
          const sy = step === 0 ? S_SPACE : code;
          sym[n] = sy;
          fl[n] = step === 0 ? 0 : flags;
          cnt[n] = 1;
          os[n] = step === 0 ? sepS : rs;
          oe[n] = step === 0 ? sepS + 1 : re;
          if (this.pendN > 0 || this.maskLm >= 0) this.closePending(n);
          if (((fl[n] as number) & WORD) === 0 || ((fl[n] as number) & SOFT) !== 0) brk = n;
          if (sy === S_MASK) lastMask = n;
          else if (((fl[n] as number) & WORD) === 0) lastMask = -1;
          n++;
          if (a === null) continue;
          const cls = sy < 65536 ? (cmap[sy] as number) : (a.astral.get(sy) ?? 0);
          state = (delta[state * C + cls] as number) & stateMask;
          st[n - 1] = state;
          if (hasOut[state] === 1) {
            this.n = n;
            this.collectDfa(state, n - 1);
          }
          if (lastMask >= 0 && lastMask < n - 1 && n - 1 - lastMask < maxLen) this.maskLm = lastMask;
          if (awV.length > 0) {
            this.n = n;
            this.settle();
          }
        }
      }
      rawLen = re;
      i += w;
      if (editable) {
        this.n = n;
        this.glued = glued;
        this.tok = tok;
        this.soft = soft;
        this.sepS = sepS;
        this.rawLen = rawLen;
        this.snapshot(c, w === 2 ? text.charCodeAt(i - 1) : -1);
      }
    }
    this.n = n;
    this.glued = glued;
    this.tok = tok;
    this.soft = soft;
    this.sepS = sepS;
    this.lastMask = lastMask;
    this.brk = brk;
    this.rawLen = rawLen;
    return i;
  }

  /**
   * The batch fast path: ASCII characters while no joined separator, mask or exclusion candidate
   * is pending. The same steps as the general path of scanSome, for one unit per character, in a
   * small loop; returns where it stopped (the text ends, the arrays are nearly full, or the
   * character there needs the general path).
   */
  private fastRun(text: string, f: Folder, a: Automaton, start: number): number {
    const ascii = f.ascii;
    const len = text.length;
    const repeats = this.repeats;
    const separators = this.separators;
    const whitespace = this.whitespace;
    const C = a.classes;
    const delta = a.delta;
    const stateMask = a.stateMask;
    const flagged = a.outFlag !== 0;
    const hasOut = a.hasOut;
    const needLen = this.needLen(a);
    const sym = this.sym;
    const cnt = this.cnt;
    const os = this.os;
    const oe = this.oe;
    const fl = this.fl;
    const st = this.st;
    const awV = this.awV;
    const hasEx = this.plan.hasExclusions;
    const acls = this.asciiClasses(a, f);
    const room = sym.length - 64;
    const pfFrom = this.pf === null ? len + 1 : this.pfFrom;
    let n = this.n;
    let glued = this.glued;
    let tok = this.tok;
    let brk = this.brk;
    let rawLen = this.rawLen;
    let state = n > 0 ? (st[n - 1] as number) : 0;
    // Candidates are pending (this.pendN > 0): only collectDfa adds them here.
    let pending = this.pendN > 0;
    let i = start;
    while (i < len && n <= room) {
      const c = text.charCodeAt(i);
      if (c >= 128) break;
      const unit = ascii[c] as number;
      const kind = unit >>> BITS;
      let code = unit & LOW;
      let flags = 0;
      if (kind === K_WORD) {
        if (n > 0 && repeats && glued && sym[n - 1] === code) {
          const k = cnt[n - 1] as number;
          if (k < 65535) cnt[n - 1] = k + 1;
          oe[n - 1] = rawLen + 1;
          tok++;
          rawLen++;
          i++;
          continue;
        }
        flags = WORD;
        if (n > 1 && ((fl[n - 1] as number) & SOFT) !== 0 && ((fl[n - 2] as number) & SOFT) !== 0) {
          this.n = n;
          this.brk = brk;
          this.rawLen = rawLen;
          this.unsoften();
          n = this.n;
          brk = this.brk;
          state = st[n - 1] as number;
          // Candidates ending at the letter read again are pending now: the next symbol closes them.
          pending = this.pendN > 0;
        }
        glued = true;
        tok++;
      } else if (kind === K_SEP) {
        if (separators && glued && tok === 1 && n > 0 && sym[n - 1] !== S_MASK) {
          // A separator after a single letter: joined or not depends on what follows.
          this.soft = true;
          this.sepS = rawLen;
          glued = false;
          tok = 0;
          rawLen++;
          i++;
          break;
        }
        glued = false;
        tok = 0;
        if (whitespace && n > 0 && sym[n - 1] === S_SPACE) {
          rawLen++;
          i++;
          // Quiet at a word break: back to the skip pass.
          if (i >= pfFrom && !pending && awV.length === 0 && this.maskLm < 0) break;
          continue;
        }
        code = S_SPACE;
      } else if (kind === K_PUNCT) {
        glued = false;
        tok = 0;
      } else if (kind === K_DROP) {
        rawLen++;
        i++;
        continue;
      } else break; // a mask
      sym[n] = code;
      fl[n] = flags;
      cnt[n] = 1;
      os[n] = rawLen;
      oe[n] = rawLen + 1;
      if (pending) {
        this.closePending(n);
        pending = false;
      }
      const t = delta[state * C + (acls[c] as number)] as number;
      state = t & stateMask;
      st[n] = state;
      if (flags === 0) brk = n;
      n++;
      rawLen++;
      i++;
      // Skipped when every candidate would need a word start inside the current word.
      if ((flagged ? t > stateMask : hasOut[state] === 1) && n - 1 - (needLen[state] as number) <= brk) {
        this.n = n;
        this.collectDfa(state, n - 1);
        pending = this.pendN > 0;
      }
      if (hasEx && awV.length > 0) {
        this.n = n;
        this.settle();
        if (awV.length > 0) break;
      }
      // Quiet at a word break: back to the skip pass.
      if (flags === 0 && i >= pfFrom && !pending && awV.length === 0 && this.maskLm < 0) break;
    }
    this.n = n;
    this.glued = glued;
    this.tok = tok;
    this.brk = brk;
    this.rawLen = rawLen;
    return i;
  }

  /**
   * The skip pass: from `start` (a word break with nothing pending, automaton state `s0`), runs
   * the automaton over the ASCII text with the same symbols as the general path but no per-symbol
   * arrays, until a character needs the general path or a state ends a variant that could match
   * here. Returns where scanning goes on: `start` (too close to restart any later), the end of the
   * text (nothing there can match), or a word break before the stop far enough back for a fresh
   * start from the root to reach the automaton's state there (its depth) with every symbol a
   * candidate or a covering exclusion can span. Sets `pfFrom` past the stop.
   */
  private skip(text: string, start: number, s0: number, afterSpace: boolean): number {
    // As few values as possible live in the loop (the rest are read again where it stops).
    const pf = this.pf as Prefilter;
    const a = this.plan.automaton as Automaton;
    const ctab = pf.ctab;
    const interest = pf.interest;
    const delta = a.delta;
    const C = a.classes;
    const stateMask = a.stateMask;
    const len = text.length;
    let s = s0;
    let ctx = 0;
    const space = pf.space;
    let prev = afterSpace ? space : -1;
    // The state before the last letter that followed a joined separator: after a spaced-out run
    // the general path may read again from there (`k i l l my`: the separator before the last
    // letter was a real space).
    let ps = s;
    // In a spaced-out run: bit 0 when its last letter made a symbol of its own (a repeat of the
    // letter before it adds to that one's run), bit 1 when a letter after a joined separator
    // before it did (the last symbol before the last letter's then follows a joined separator).
    let made = 0;
    let i = start;
    for (; i < len; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) break;
      const v = ctab[ctx + c] as number;
      if (v < 0) {
        if ((v & PF_JOINED) !== 0) {
          // A letter after a joined separator, read here to keep the state before it.
          ctx = v & 0x3ff;
          const x = (v >>> 16) & 0x7fff;
          made = ctx === CX_W1S1 << 7 ? 0 : (made | (made << 1)) & 2;
          if (x !== prev) {
            made |= 1;
            ps = s;
            s = (delta[s * C + x] as number) & stateMask;
            prev = x;
            if (interest[s] !== 0 && this.mayMatch(text, s, i)) break;
          }
          continue;
        }
        if ((v & PF_UNSOFT) !== 0) {
          // A letter after a spaced-out run's last letter, which made a symbol (else the general
          // path reads it). When the symbol before that one follows a joined separator too, this
          // is a word after the run (`k i l l my`): the separator before the run's last letter
          // becomes a space symbol, and the automaton reads the space and the letter again from
          // the state before them (the general path's unsoften(); where a state on the way ends a
          // variant, or this letter repeats that one, the general path reads it). Otherwise the
          // letter goes on the word (`3.3 This` reads `eethis`).
          const x = (v >>> 16) & 0x7fff;
          if ((made & 1) === 0) break;
          if (made === 3) {
            if (x === prev) break;
            const t1 = (delta[ps * C + space] as number) & stateMask;
            if (interest[t1] !== 0) break;
            const t2 = (delta[t1 * C + prev] as number) & stateMask;
            if (interest[t2] !== 0) break;
            s = t2;
          }
          ctx = v & 0x3ff;
          made = 0;
          if (x !== prev) {
            s = (delta[s * C + x] as number) & stateMask;
            prev = x;
            if (interest[s] !== 0 && this.mayMatch(text, s, i)) break;
          }
          continue;
        }
        if (v !== PF_PRE) break;
        // Punctuation after a joined separator: the separator reads as a space symbol, then the
        // character is read again after it.
        s = (delta[s * C + space] as number) & stateMask;
        if (interest[s] !== 0) break;
        prev = space;
        ctx = 0;
        i--;
        continue;
      }
      ctx = v & 0x3ff;
      if ((v & PF_SKIP) !== 0) continue;
      const x = v >>> 16;
      // A repeated letter, or a run of spaces, is one symbol: the state stays.
      if (x !== prev) {
        s = (delta[s * C + x] as number) & stateMask;
        if (interest[s] !== 0 && this.mayMatch(text, s, i) && !this.direct(text, s, i)) break;
      }
      prev = x | ((v << 20) >> 31);
    }
    if (i >= len) return len;
    this.pfFrom = i + 1;
    // After a spaced-out run (`k i l`), the general path may read again from the state before the
    // last symbol: a space, the letter, and the next one.
    const depth =
      ctx === CX_W1S2 << 7 ? Math.max(a.depth[s] as number, (a.depth[ps] as number) + 3) : (a.depth[s] as number);
    const at = this.restartBefore(text, start, i, depth);
    // Where candidates are dense, the pass stops too soon after each start to save anything: it
    // waits longer and longer before starting again (and as before once it saves some).
    if (at - start < 32) {
      this.pfBack = Math.min(1 << 14, this.pfBack * 2 + 32);
      this.pfFrom += this.pfBack;
    } else this.pfBack = 0;
    return at;
  }

  /** A fresh start before the skip pass's stop at i, where the automaton's state has this depth. */
  private restartBefore(text: string, start: number, i: number, depth: number): number {
    const f = this.plan.folder as Folder;
    if (depth >= 65535) return start;
    // Back from the stop: count symbols (a lower bound: punctuation, and letters unlike the one
    // after them) until there are enough, then find a separator or punctuation after two letters
    // (the general path has no context there that a fresh start lacks).
    const need = depth + 2;
    const ascii = f.ascii;
    let count = 0;
    let after = -1;
    for (let x = i - 1; x > start && x >= 2; x--) {
      const u = ascii[text.charCodeAt(x)] as number;
      const kind = u >>> BITS;
      if (kind === K_WORD) {
        if (after >= 0 && after !== u) count++;
        after = u;
      } else if (kind !== K_DROP) {
        if (
          count >= need &&
          (kind === K_SEP || kind === K_PUNCT) &&
          (ascii[text.charCodeAt(x - 1)] as number) >>> BITS === K_WORD &&
          (ascii[text.charCodeAt(x - 2)] as number) >>> BITS === K_WORD
        ) {
          return x;
        }
        if (kind !== K_SEP) count++;
        after = -1;
      }
    }
    return start;
  }

  /**
   * The skip pass's own verification of the candidates at state s, whose last symbol starts at
   * text[i], where the text makes it plain: ASCII letters, separators and punctuation, with no
   * joined separator, mask or non-ASCII character in any window or next to one, no variant
   * written spaced out (`a s s`), and no exclusion that could still cover one. It reports those
   * that pass, with the same checks as collectDfa() and verify() on the same symbols read back
   * from the text, and returns true; else it returns false and the general path reads them.
   */
  private direct(text: string, s: number, i: number): boolean {
    const a = this.plan.automaton as Automaton;
    const ascii = (this.plan.folder as Folder).ascii;
    const { len, needStart, needEnd, mode } = this.vt;
    const variants = this.plan.variants;
    const cu = ascii[text.charCodeAt(i)] as number;
    if (cu >>> BITS !== K_WORD) return false;
    // The last symbol's run (repeats of its letter and dropped characters), and what follows.
    let end = i + 1;
    let run = 1;
    let y = i + 1;
    for (; y < text.length; y++) {
      const d = text.charCodeAt(y);
      if (d >= 128) return false;
      const u = ascii[d] as number;
      if (u === cu) {
        run++;
        end = y + 1;
      } else if (u >>> BITS !== K_DROP) break;
    }
    // A letter or a mask (which then stands inside the word) continues the word.
    const nextKind = y < text.length ? (ascii[text.charCodeAt(y)] as number) >>> BITS : -1;
    const wordGoesOn = nextKind === K_WORD || nextKind === K_MASK;
    // Separators after a word of one letter join it to a letter after them (`a man` reads
    // `aman`, the `m` after a joined separator: a word boundary all the same), which adds to the
    // run when it is the same letter (`o o` is a run of two).
    const wordBefore = nextKind === K_SEP && run === 1 ? this.kindBefore(text, ascii, i) : K_WORD;
    if (wordBefore === -2) return false;
    if (wordBefore !== K_WORD) {
      for (let z = y + 1; z < text.length; z++) {
        const d = text.charCodeAt(z);
        if (d >= 128) return false;
        const u = ascii[d] as number;
        if (u === cu) return false;
        const kind = u >>> BITS;
        if (kind !== K_SEP && kind !== K_DROP) break;
      }
    }
    const exDepth = this.plan.hasExclusions ? (a.exDepth[s] as number) : 0;
    const outStart = a.outStart;
    const outVars = a.outVars;
    const passed = this.passed;
    let np = 0;
    let t = (outStart[s] as number) < (outStart[s + 1] as number) ? s : (a.dictLink[s] as number);
    while (t >= 0) {
      const last = outStart[t + 1] as number;
      for (let k = outStart[t] as number; k < last; k++) {
        const v = outVars[k] as number;
        if (mode[v] === MODE_EXCLUSION) continue;
        const V = variants[v] as Variant;
        const n = len[v] as number;
        // An exclusion could still cover it (settle() would hold it), or the phrase was spaced out.
        if (V.soft !== null || exDepth >= n || np >= passed.length) return false;
        if (needEnd[v] === 1 && wordGoesOn) continue;
        const start = this.windowStart(text, ascii, i, n, V.counts, run);
        if (start === -2) return false;
        if (start === -1) continue;
        if (needStart[v] === 1) {
          const before = this.kindBefore(text, ascii, start);
          if (before === -2) return false;
          if (before === K_WORD) continue;
        }
        passed[np++] = v;
        passed[np++] = start;
      }
      t = a.dictLink[t] as number;
    }
    for (let k = 0; k < np; k += 2) this.out.push(this.plan.makeMatch(passed[k] as number, passed[k + 1] as number, end));
    if (np > 0) this.directTo = i;
    return true;
  }

  /**
   * From the symbol whose run starts at text[i] (`run` letters), back over a window of n symbols
   * as the general path makes them of plain ASCII text (a run of one letter, a run of
   * separators, one punctuation character): the index of the window's first character; -1 when
   * a run is shorter than `counts` asks; -2 when the text there needs the general path (a mask,
   * a non-ASCII character, a separator joining a one-letter word to a letter).
   */
  private windowStart(
    text: string,
    ascii: Int32Array,
    i: number,
    n: number,
    counts: Uint16Array | null,
    run: number,
  ): number {
    // Every letter's run: not right after separators that may join it to a one-letter word.
    if (this.joinedBefore(text, ascii, i)) return -2;
    if (counts !== null && run < (counts[n - 1] as number)) return -1;
    let p = i;
    for (let k = n - 2; k >= 0; k--) {
      let x = p - 1;
      let u = 0;
      for (; x >= 0; x--) {
        const d = text.charCodeAt(x);
        if (d >= 128) return -2;
        u = ascii[d] as number;
        if (u >>> BITS !== K_DROP) break;
      }
      if (x < 0) return -2;
      const kind = u >>> BITS;
      if (kind === K_WORD) {
        let r = 1;
        let q = x;
        for (let z = x - 1; z >= 0; z--) {
          const d = text.charCodeAt(z);
          if (d >= 128) return -2;
          const w = ascii[d] as number;
          if (w === u) {
            r++;
            q = z;
          } else if (w >>> BITS !== K_DROP) break;
        }
        // (A joined separator before the run may add to it: checked first.)
        if (this.joinedBefore(text, ascii, q)) return -2;
        if (counts !== null && r < (counts[k] as number)) return -1;
        p = q;
      } else if (kind === K_SEP) {
        let q = x;
        for (let z = x - 1; z >= 0; z--) {
          const d = text.charCodeAt(z);
          if (d >= 128) return -2;
          const kz = (ascii[d] as number) >>> BITS;
          if (kz === K_SEP) q = z;
          else if (kz !== K_DROP) break;
        }
        p = q;
      } else if (kind === K_PUNCT) p = x;
      else return -2; // a mask
    }
    return p;
  }

  /**
   * Whether the letter at text[p] may follow a joined separator: separators (past dropped
   * characters) right before it, after a word of one letter; or it is unclear.
   */
  private joinedBefore(text: string, ascii: Int32Array, p: number): boolean {
    let z = p - 1;
    let seps = 0;
    for (; z >= 0; z--) {
      const d = text.charCodeAt(z);
      if (d >= 128) return true;
      const kind = (ascii[d] as number) >>> BITS;
      if (kind === K_SEP) seps++;
      else if (kind !== K_DROP) break;
    }
    return seps > 0 && this.oneLetterBefore(text, ascii, z + 1);
  }

  /** Whether the word before index q (past dropped characters) is one letter, or unclear. */
  private oneLetterBefore(text: string, ascii: Int32Array, q: number): boolean {
    let letters = 0;
    for (let z = q - 1; z >= 0; z--) {
      const d = text.charCodeAt(z);
      if (d >= 128) return true;
      const kind = (ascii[d] as number) >>> BITS;
      if (kind === K_DROP) continue;
      if (kind === K_MASK) return true;
      if (kind !== K_WORD) break;
      if (++letters > 1) return false;
    }
    return letters === 1;
  }

  /**
   * The kind of the symbol before a window starting at text[start] (past dropped characters):
   * K_WORD when a letter (which continues the word into the window), -1 at the text's start,
   * -2 when unclear (a mask, a non-ASCII character), else the kind (a break).
   */
  private kindBefore(text: string, ascii: Int32Array, start: number): number {
    for (let z = start - 1; z >= 0; z--) {
      const d = text.charCodeAt(z);
      if (d >= 128) return -2;
      const kind = (ascii[d] as number) >>> BITS;
      if (kind === K_DROP) continue;
      return kind === K_MASK ? -2 : kind;
    }
    return -1;
  }

  /**
   * Whether a variant ending at state s, at the symbol of text[i], could pass the word-boundary
   * checks (as far as the text around it tells: a variant that needs a word start, inside a word
   * longer than itself, or a word end, followed by more letters, cannot).
   */
  private mayMatch(text: string, s: number, i: number): boolean {
    const f = this.plan.folder as Folder;
    const a = this.plan.automaton as Automaton;
    const pf = this.pf as Prefilter;
    const { len, needStart, needEnd, mode } = this.vt;
    const ascii = f.ascii;
    const cu = ascii[text.charCodeAt(i)] as number;
    const isWord = cu >>> BITS === K_WORD;
    // The gates: what every variant of the state needs, checked once (most states fail here).
    const g = pf.interest[s] as number;
    let cont = -1;
    if ((g & G_END) !== 0) {
      cont = this.continues(text, ascii, cu, i);
      if (cont === 1) return false;
    }
    if ((g & G_RUN) !== 0 && !this.runsMayMatch(text, ascii, RUN2, i)) return false;
    let before = -1;
    if ((g & G_START) !== 0 && isWord) {
      before = this.wordBefore(text, ascii, cu, i, pf.startLen[s] as number);
      if (before >= (pf.startLen[s] as number)) return false;
    }
    const outStart = a.outStart;
    const outVars = a.outVars;
    let t = (outStart[s] as number) < (outStart[s + 1] as number) ? s : (a.dictLink[s] as number);
    while (t >= 0) {
      const end = outStart[t + 1] as number;
      for (let k = outStart[t] as number; k < end; k++) {
        const v = outVars[k] as number;
        if (mode[v] === MODE_EXCLUSION) continue;
        if (needStart[v] === 1 && isWord) {
          if (before < 0) before = this.wordBefore(text, ascii, cu, i, this.plan.maxLen + 1);
          // It starts at or after the word's second symbol, none of which follows a joined separator.
          if (before >= (len[v] as number)) continue;
        }
        if (needEnd[v] === 1) {
          if (cont < 0) cont = this.continues(text, ascii, cu, i);
          if (cont === 1) continue;
        }
        const counts = (this.plan.variants[v] as Variant).counts;
        if (counts !== null && !this.runsMayMatch(text, ascii, counts, i)) continue;
        return true;
      }
      t = a.dictLink[t] as number;
    }
    return false;
  }

  /**
   * Symbols of the current word before text[i] (unit cu), not counting its first (which may
   * follow a joined separator, and then starts a word of its own); counts up to `most`.
   */
  private wordBefore(text: string, ascii: Int32Array, cu: number, i: number, most: number): number {
    let before = 0;
    let later = cu;
    for (let x = i - 1; x >= 0 && before < most; x--) {
      const d = text.charCodeAt(x);
      if (d >= 128) break;
      const u = ascii[d] as number;
      const kind = u >>> BITS;
      if (kind === K_DROP) continue;
      if (kind !== K_WORD) break;
      if (u !== later) before++;
      later = u;
    }
    return before;
  }

  /** 1 when a letter follows text[i] (unit cu), past repeats of it and dropped characters; else 0. */
  private continues(text: string, ascii: Int32Array, cu: number, i: number): number {
    for (let y = i + 1; y < text.length; y++) {
      const d = text.charCodeAt(y);
      if (d >= 128) return 0;
      const u = ascii[d] as number;
      if (u === cu || u >>> BITS === K_DROP) continue;
      return u >>> BITS === K_WORD ? 1 : 0;
    }
    return 0;
  }

  /**
   * For a variant with repeated letters (`ass`: s at least twice), whether the text's runs may be
   * long enough, when the candidate lies inside one word of ASCII letters ending with text[i]
   * (else, or where a joined separator could still add to the last run, it may).
   */
  private runsMayMatch(text: string, ascii: Int32Array, counts: Int32Array | Uint16Array, i: number): boolean {
    const cu = ascii[text.charCodeAt(i)] as number;
    let run = 1;
    // The last run goes on past text[i] (repeats and dropped characters).
    let y = i + 1;
    for (; y < text.length; y++) {
      const d = text.charCodeAt(y);
      if (d >= 128) break;
      const u = ascii[d] as number;
      if (u === cu) run++;
      else if (u >>> BITS !== K_DROP) break;
    }
    let k = counts.length - 1;
    let cur = cu;
    let x = i - 1;
    let first = true;
    for (;;) {
      for (; x >= 0; x--) {
        const d = text.charCodeAt(x);
        if (d >= 128) return true;
        const u = ascii[d] as number;
        if (u === cur) run++;
        else if (u >>> BITS !== K_DROP) break;
      }
      if (first && run === 1 && y < text.length) {
        // A single letter before a separator: a joined one could add the same letter to its run.
        const after = ascii[text.charCodeAt(y)] as number;
        const beforeUnit = x >= 0 ? (ascii[text.charCodeAt(x)] as number) : 0;
        if (after >>> BITS === K_SEP && beforeUnit >>> BITS !== K_WORD) return true;
      }
      first = false;
      if (run < (counts[k] as number)) {
        // Too short, unless a joined separator before it could add to it (`a ass`).
        return x >= 0 && (ascii[text.charCodeAt(x)] as number) >>> BITS !== K_WORD;
      }
      if (k === 0) return true;
      k--;
      if (x < 0) return true;
      const u = ascii[text.charCodeAt(x)] as number;
      if (u >>> BITS !== K_WORD) return true; // the candidate spans a break or a joined separator
      cur = u;
      run = 1;
      x--;
    }
  }

  /** The automaton class of each ASCII character's unit (one load instead of two per character). */
  private asciiClasses(a: Automaton, f: Folder): Int32Array {
    if (this.acls !== null) return this.acls;
    const t = new Int32Array(128);
    for (let c = 0; c < 128; c++) t[c] = a.cmap[(f.ascii[c] as number) & LOW] as number;
    this.acls = t;
    return t;
  }

  /**
   * The last symbol, the first letter of a word after a joined separator, turns out to start a
   * word of two or more letters after a spaced-out run: the separator becomes a space symbol
   * before it, and both go through the automaton again (the candidates ending at the letter are
   * found again; those ending before it were closed by a non-word symbol either way).
   */
  private unsoften(): void {
    const j = this.n - 1;
    const { sym, fl, cnt, os, oe, st } = this;
    sym[j + 1] = sym[j] as number;
    fl[j + 1] = WORD;
    cnt[j + 1] = cnt[j] as number;
    os[j + 1] = os[j] as number;
    oe[j + 1] = oe[j] as number;
    sym[j] = S_SPACE;
    fl[j] = 0;
    cnt[j] = 1;
    os[j] = this.sepS;
    oe[j] = this.sepS + 1;
    this.pendN = 0;
    this.maskLm = -1;
    this.lastMask = -1;
    this.brk = j;
    const a = this.plan.automaton;
    this.n = j + 2;
    if (a === null) return;
    let state = j > 0 ? (st[j - 1] as number) : 0;
    for (let x = j; x <= j + 1; x++) {
      if (x > j && this.pendN > 0) this.closePending(x);
      const sy = sym[x] as number;
      const cls = sy < 65536 ? (a.cmap[sy] as number) : (a.astral.get(sy) ?? 0);
      state = (a.delta[state * a.classes + cls] as number) & a.stateMask;
      st[x] = state;
      if (a.hasOut[state] === 1) this.collectDfa(state, x);
    }
    if (this.awV.length > 0) this.settle();
  }

  private grow(): void {
    const cap = this.sym.length * 2;
    const g32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.sym = g32(this.sym);
    this.st = g32(this.st);
    this.os = g32(this.os);
    this.oe = g32(this.oe);
    const cnt = new Uint16Array(cap);
    cnt.set(this.cnt);
    this.cnt = cnt;
    const fl = new Uint8Array(cap);
    fl.set(this.fl);
    this.fl = fl;
  }

  /**
   * Batch scans keep only a window of symbols: when the arrays are full, the last few symbols
   * (enough to verify any candidate still open) move to the front, so memory stays constant.
   */
  private compact(): void {
    const n = this.n;
    const keep = Math.min(n, this.plan.maxLen + this.plan.maxExLen + 2);
    if (keep * 2 > this.sym.length) {
      this.grow();
      return;
    }
    const shift = n - keep;
    for (const arr of [this.sym, this.st, this.cnt, this.os, this.oe, this.fl]) arr.copyWithin(0, shift, n);
    const adjust = (xs: number[]): void => {
      for (let i = 0; i < xs.length; i++) xs[i] = (xs[i] ?? 0) - shift;
    };
    adjust(this.pendS);
    adjust(this.awS);
    adjust(this.awE);
    adjust(this.exS);
    adjust(this.exE);
    this.brk -= shift;
    if (this.lastMask >= 0) this.lastMask = Math.max(-1, this.lastMask - shift);
    if (this.maskLm >= 0) this.maskLm = Math.max(-1, this.maskLm - shift);
    this.n = keep;
  }

  private append(sym: number, flags: number, rs: number, re: number): void {
    const n = this.n;
    if (n === this.sym.length) this.grow();
    this.sym[n] = sym;
    this.fl[n] = flags;
    this.cnt[n] = 1;
    this.os[n] = rs;
    this.oe[n] = re;
    if (this.pendN > 0 || this.maskLm >= 0) this.closePending(n);
    this.n = n + 1;
    const a = this.plan.automaton;
    if (a === null) return;
    const prev = n > 0 ? (this.st[n - 1] ?? 0) : 0;
    const cls = sym < 65536 ? (a.cmap[sym] ?? 0) : (a.astral.get(sym) ?? 0);
    const s = (a.delta[prev * a.classes + cls] ?? 0) & a.stateMask;
    this.st[n] = s;
    if (a.hasOut[s] === 1) this.collectDfa(s, n);
    if (this.awV.length > 0) this.settle();
  }

  /**
   * Per state: the longest variant ending there (on its output chain) when every one of them
   * must start at a word start, else a huge number. A candidate ending at symbol e then starts
   * inside the current word, and fails, when e - needLen <= the last word break.
   */
  private needLen(a: Automaton): Int32Array {
    if (this.needLens !== null) return this.needLens;
    let t = needLens.get(a);
    if (t === undefined) {
      const { len, needStart } = this.vt;
      t = new Int32Array(a.states);
      for (let s = 0; s < a.states; s++) {
        if (a.hasOut[s] !== 1) continue;
        let longest = 0;
        let u = (a.outStart[s] as number) < (a.outStart[s + 1] as number) ? s : (a.dictLink[s] as number);
        while (u >= 0 && longest >= 0) {
          for (let k = a.outStart[u] as number; k < (a.outStart[u + 1] as number); k++) {
            const v = a.outVars[k] as number;
            if (needStart[v] !== 1) longest = -1;
            else if (longest >= 0) longest = Math.max(longest, len[v] as number);
          }
          u = a.dictLink[u] as number;
        }
        t[s] = longest < 0 ? 1 << 30 : longest;
      }
      needLens.set(a, t);
    }
    this.needLens = t;
    return t;
  }

  /** Adds the candidates ending at symbol e in automaton state s to the pending ones. */
  private collectDfa(s: number, e: number): void {
    const a = this.plan.automaton;
    if (a === null) return;
    const { len, needStart } = this.vt;
    const outStart = a.outStart;
    const outVars = a.outVars;
    const dictLink = a.dictLink;
    const fl = this.fl;
    // Word starts are known already: a candidate that needs one and lacks it is dropped here
    // rather than verified later (verify() would reject it the same way).
    let t = (outStart[s] as number) < (outStart[s + 1] as number) ? s : (dictLink[s] as number);
    while (t >= 0) {
      const end = outStart[t + 1] as number;
      for (let k = outStart[t] as number; k < end; k++) {
        const v = outVars[k] as number;
        const st = e + 1 - (len[v] as number);
        if (st < 0) continue;
        if (
          st > 0 &&
          needStart[v] === 1 &&
          ((fl[st - 1] as number) & WORD) !== 0 &&
          ((fl[st] as number) & SOFT) === 0
        ) {
          continue;
        }
        this.pend[this.pendN] = v;
        this.pendS[this.pendN++] = st;
      }
      t = dictLink[t] as number;
    }
  }

  /**
   * Variants matching the window ending at j where each text mask stands for one letter. Runs
   * are compared expanded, so `w*ed` (w, *, e, d) matches `weed` (w, e×2, d).
   */
  private collectMasks(j: number, lastMask: number): void {
    const byLast = this.plan.byLast;
    const sj = this.sym[j] ?? 0;
    if (byLast === null || sj === S_MASK || ((this.fl[j] ?? 0) & WORD) === 0) return;
    let list = byLast.get(sj);
    if (list === undefined) return;
    // The variant's letter before the last, or the one before that, where the text gives it (the
    // last run again, or a symbol that is not a mask nor a `1`, which reads as 1, i and l): only
    // the variants with that letter there.
    if (sj !== S_ONE && this.plan.byLast2 !== null && this.plan.byLast3 !== null) {
      const sym = this.sym;
      const known = (x: number): boolean => x >= 0 && sym[x] !== S_MASK && sym[x] !== S_ONE;
      if ((this.cnt[j] ?? 1) > 1) list = this.plan.byLast2.get(sj * LAST2 + sj);
      else if (known(j - 1)) list = this.plan.byLast2.get(sj * LAST2 + (sym[j - 1] ?? 0));
      else if (sym[j - 1] === S_MASK && known(j - 2)) {
        list = this.plan.byLast3.get(sj * LAST2 + (sym[j - 2] ?? 0));
      }
      if (list === undefined) return;
    }
    const variants = this.plan.variants;
    // The window spans the mask and every symbol after it, each at least one letter of the
    // variant (the lists are longest first).
    const least = j - lastMask + 1;
    for (let x = 0; x < list.length; x++) {
      const v = list[x] ?? 0;
      const xs = (variants[v] as Variant).expanded;
      if (xs.length < least) break;
      let k = xs.length - 1;
      let idx = j;
      let masked = false;
      while (k >= 0 && idx >= 0) {
        const t = this.sym[idx] ?? 0;
        if (t === S_MASK) {
          if (k === xs.length - 1 || !isLetterSym(xs[k] ?? 0)) break;
          masked = true;
          k--;
        } else {
          let c = this.cnt[idx] ?? 1;
          while (c > 0 && k >= 0) {
            const p = xs[k] ?? 0;
            if (t !== p && !(t === S_ONE && (p === 0x69 || p === 0x6c))) break;
            c--;
            k--;
          }
          if (c > 0) break;
        }
        idx--;
      }
      if (k === -1 && masked && idx + 1 <= lastMask && this.sym[idx + 1] !== S_MASK) {
        this.pend[this.pendN] = v;
        this.pendS[this.pendN++] = idx + 1;
      }
    }
  }

  /** Checks a candidate ending at symbol e; `next` is the index of the symbol after it, or -1 at the end. */
  private verify(v: number, s: number, e: number, next: number): boolean {
    const V = this.plan.variants[v] as Variant;
    const len = e - s + 1;
    if (s < 0) return false;
    const counts = V.counts;
    if (counts !== null && len === V.syms.length) {
      for (let k = 0; k < len; k++) {
        if (this.sym[s + k] !== S_MASK && (this.cnt[s + k] ?? 0) < (counts[k] ?? 0)) return false;
      }
    }
    if (this.separators && len > 1) {
      // Joined separators inside each word of the window: either every letter is spaced out
      // (`k i l l`), or they sit where the phrase has them too (`i hate you` typed as `i hate you`).
      const ps = len === V.syms.length ? V.soft : null;
      let all = true;
      let same = true;
      for (let k = 1; k < len; k++) {
        if (this.sym[s + k] === S_SPACE) {
          if (!all && !same) return false;
          all = true;
          same = true;
          continue;
        }
        if (this.sym[s + k - 1] === S_SPACE) continue;
        const t = ((this.fl[s + k] ?? 0) & SOFT) === 0 ? 0 : 1;
        if (t === 0) all = false;
        if (t !== (ps === null ? 0 : (ps[k] ?? 0))) same = false;
      }
      if (!all && !same) return false;
    }
    if ((V.mode === MODE_WORD || V.mode === MODE_PREFIX) && V.wordStart && s > 0) {
      if (((this.fl[s - 1] ?? 0) & WORD) !== 0 && ((this.fl[s] ?? 0) & SOFT) === 0) return false;
    }
    if (V.mode === MODE_WORD && V.wordEnd && next >= 0) {
      const f = this.fl[next] ?? 0;
      if ((f & WORD) !== 0 && (f & SOFT) === 0) return false;
    }
    return true;
  }

  /** The symbol `next` just arrived: candidates ending before it are complete. */
  private closePending(next: number): void {
    const pend = this.pend;
    const e = next - 1;
    if (this.maskLm >= 0) {
      this.collectMasks(e, this.maskLm);
      this.maskLm = -1;
    }
    const count = this.pendN;
    this.pendN = 0;
    // The symbol after the candidates is a word character inside a word: candidates that must end
    // at a word end fail (the last check of verify(), made first because it fails most often).
    const f = this.fl[next] as number;
    const inWord = (f & WORD) !== 0 && (f & SOFT) === 0;
    const needEnd = this.vt.needEnd;
    for (let i = 0; i < count; i++) {
      const v = pend[i] ?? 0;
      if (inWord && needEnd[v] === 1) continue;
      const s = this.pendS[i] ?? 0;
      if (!this.verify(v, s, e, next)) continue;
      const V = this.plan.variants[v] as Variant;
      if (V.mode === MODE_EXCLUSION) {
        this.exS.push(s);
        this.exE.push(e);
      } else if (!this.plan.hasExclusions) {
        this.report(v, s, e);
      } else {
        this.awV.push(v);
        this.awS.push(s);
        this.awE.push(e);
      }
    }
  }

  private covered(s: number, e: number, exS: readonly number[], exE: readonly number[]): boolean {
    for (let i = 0; i < exS.length; i++) if ((exS[i] ?? 0) <= s && e <= (exE[i] ?? 0)) return true;
    return false;
  }

  /** Reports the waiting candidates that no exclusion covers or can still cover. */
  private settle(): void {
    const a = this.plan.automaton;
    const n = this.n;
    let earliest = Infinity;
    if (a !== null && n > 0) {
      const d = a.exDepth[this.st[n - 1] ?? 0] ?? 0;
      if (d > 0) earliest = n - d;
    }
    for (let i = 0; i < this.pendN; i++) {
      const V = this.plan.variants[this.pend[i] ?? 0] as Variant;
      if (V.mode === MODE_EXCLUSION) earliest = Math.min(earliest, this.pendS[i] ?? 0);
    }
    let w = 0;
    for (let i = 0; i < this.awV.length; i++) {
      const v = this.awV[i] ?? 0;
      const s = this.awS[i] ?? 0;
      const e = this.awE[i] ?? 0;
      if (this.covered(s, e, this.exS, this.exE)) continue;
      if (earliest <= s) {
        this.awV[w] = v;
        this.awS[w] = s;
        this.awE[w] = e;
        w++;
      } else this.report(v, s, e);
    }
    this.awV.length = w;
    this.awS.length = w;
    this.awE.length = w;
    if (w === 0 && earliest === Infinity) {
      this.exS.length = 0;
      this.exE.length = 0;
    }
  }

  private report(v: number, s: number, e: number): void {
    // Reported by the skip pass already.
    if ((this.os[e] as number) <= this.directTo) return;
    if (this.reported !== null) {
      // Keyed by the end in the original text: a backspace can shorten the last symbol's run
      // (`a$ssk` to `a$s`), and the match it then ends is a new one.
      const key = (this.oe[e] ?? 0) * this.keyBase + v;
      if (this.reported.has(key)) return;
      this.reported.add(key);
    }
    this.out.push(this.plan.makeMatch(v, this.os[s] ?? 0, this.oe[e] ?? 0));
  }

  /** As if the text ended here: reports every remaining match. The state is kept. */
  finish(): Match[] {
    const n = this.n;
    if (this.pendN === 0 && this.awV.length === 0 && (this.maskLm < 0 || n === 0)) return this.take();
    const exS = this.exS.slice();
    const exE = this.exE.slice();
    const aw: [number, number, number][] = [];
    for (let i = 0; i < this.awV.length; i++) aw.push([this.awV[i] ?? 0, this.awS[i] ?? 0, this.awE[i] ?? 0]);
    const kept = this.pendN;
    if (this.maskLm >= 0 && n > 0) this.collectMasks(n - 1, this.maskLm);
    const pv = this.pend.slice(0, this.pendN);
    const ps = this.pendS.slice(0, this.pendN);
    this.pendN = kept;
    for (let i = 0; i < pv.length; i++) {
      const v = pv[i] ?? 0;
      const s = ps[i] ?? 0;
      if (!this.verify(v, s, n - 1, -1)) continue;
      const V = this.plan.variants[v] as Variant;
      if (V.mode === MODE_EXCLUSION) {
        exS.push(s);
        exE.push(n - 1);
      } else aw.push([v, s, n - 1]);
    }
    for (const [v, s, e] of aw) if (!this.covered(s, e, exS, exE)) this.report(v, s, e);
    return this.take();
  }

  private snapshot(c: number, d: number): void {
    if (this.steps + 2 > this.raw.length || this.rawLen > this.raw.length) this.growSnapshots();
    if (d >= 0) {
      this.raw[this.rawLen - 2] = c;
      this.raw[this.rawLen - 1] = d;
    } else this.raw[this.rawLen - 1] = c;
    const k = this.steps++;
    const n = this.n;
    this.snapRaw[k] = this.rawLen;
    this.snapN[k] = n;
    this.snapCnt[k] = n > 0 ? (this.cnt[n - 1] ?? 0) : 0;
    this.snapOe[k] = n > 0 ? (this.oe[n - 1] ?? 0) : 0;
    if (n > 0) {
      this.snapSym[k] = this.sym[n - 1] ?? 0;
      this.snapFl[k] = this.fl[n - 1] ?? 0;
      this.snapOs[k] = this.os[n - 1] ?? 0;
      this.snapSt[k] = this.st[n - 1] ?? 0;
    }
    this.snapCtx[k] = (this.glued ? 1 : 0) | (this.soft ? 2 : 0) | (Math.min(this.tok, 2) << 2);
    this.snapPend[k] = this.sepS;
  }

  private growSnapshots(): void {
    const cap = Math.max(64, this.raw.length * 2, this.rawLen + 2);
    const g = <T extends Int32Array | Uint16Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.raw = g(this.raw, (k) => new Uint16Array(k));
    this.snapRaw = g(this.snapRaw, (k) => new Int32Array(k));
    this.snapN = g(this.snapN, (k) => new Int32Array(k));
    this.snapCnt = g(this.snapCnt, (k) => new Uint16Array(k));
    this.snapOe = g(this.snapOe, (k) => new Int32Array(k));
    this.snapSym = g(this.snapSym, (k) => new Int32Array(k));
    this.snapFl = g(this.snapFl, (k) => new Uint8Array(k));
    this.snapOs = g(this.snapOs, (k) => new Int32Array(k));
    this.snapSt = g(this.snapSt, (k) => new Int32Array(k));
    this.snapCtx = g(this.snapCtx, (k) => new Uint8Array(k));
    this.snapPend = g(this.snapPend, (k) => new Int32Array(k));
  }

  /** Deletes the last `count` code points. O(count + longest pattern). */
  backspace(count: number): void {
    if (!this.editable || this.steps === 0 || count <= 0) return;
    this.steps = Math.max(0, this.steps - count);
    const k = this.steps - 1;
    if (k < 0) {
      this.n = 0;
      this.rawLen = 0;
      this.glued = false;
      this.soft = false;
      this.tok = 0;
    } else {
      const n = this.snapN[k] ?? 0;
      this.n = n;
      if (n > 0) {
        this.cnt[n - 1] = this.snapCnt[k] ?? 1;
        this.oe[n - 1] = this.snapOe[k] ?? 0;
        this.sym[n - 1] = this.snapSym[k] ?? 0;
        this.fl[n - 1] = this.snapFl[k] ?? 0;
        this.os[n - 1] = this.snapOs[k] ?? 0;
        this.st[n - 1] = this.snapSt[k] ?? 0;
      }
      this.rawLen = this.snapRaw[k] ?? 0;
      const ctx = this.snapCtx[k] ?? 0;
      this.glued = (ctx & 1) !== 0;
      this.soft = (ctx & 2) !== 0;
      this.tok = ctx >> 2;
      this.sepS = this.snapPend[k] ?? 0;
    }
    this.rebuild();
  }

  /** Recomputes the candidates that the deleted text could have changed, from the stored states. */
  private rebuild(): void {
    const n = this.n;
    const plan = this.plan;
    this.pendN = 0;
    this.maskLm = -1;
    this.awV.length = this.awS.length = this.awE.length = 0;
    this.exS.length = this.exE.length = 0;
    const from = Math.max(0, n - plan.maxLen - plan.maxExLen - 1);
    if (this.reported !== null) {
      // Forget matches of deleted text, and those too far back to be found again.
      const keep = from < n ? (this.oe[from] ?? 0) : this.rawLen;
      for (const key of this.reported) {
        const end = Math.floor(key / this.keyBase);
        if (end > this.rawLen || end < keep) this.reported.delete(key);
      }
    }
    const maskAt = (j: number, lm: number): number =>
      this.sym[j] === S_MASK ? j : ((this.fl[j] ?? 0) & WORD) === 0 ? -1 : lm;
    let lm = -1;
    for (let j = Math.max(0, from - plan.maxLen); j < from; j++) lm = maskAt(j, lm);
    this.lastMask = lm;
    for (let j = from; j < n; j++) this.lastMask = maskAt(j, this.lastMask);
    for (let j = from; j < n; j++) {
      const a = plan.automaton;
      const s = this.st[j] ?? 0;
      if (a !== null && a.hasOut[s] === 1) this.collectDfa(s, j);
      lm = maskAt(j, lm);
      this.maskLm = lm >= 0 && lm < j && j - lm < plan.maxLen ? lm : -1;
      if (j < n - 1) this.closePending(j + 1);
    }
    if (this.awV.length > 0) this.settle();
  }

  reset(): void {
    this.n = 0;
    this.rawLen = 0;
    this.steps = 0;
    this.glued = false;
    this.soft = false;
    this.tok = 0;
    this.lastMask = -1;
    this.maskLm = -1;
    this.brk = -1;
    this.pfFrom = 0;
    this.pfBack = 0;
    this.directTo = -1;
    this.pendN = 0;
    // Truncating an array is a runtime call: only when there is something to drop.
    if (this.awV.length > 0) this.awV.length = this.awS.length = this.awE.length = 0;
    if (this.exS.length > 0) this.exS.length = this.exE.length = 0;
    if (this.out.length > 0) this.out = [];
    if (this.reported !== null && this.reported.size > 0) this.reported.clear();
  }
}
