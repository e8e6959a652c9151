import { CONFUSABLES } from './confusables';
import type { NormaliseOptions } from './types';

/**
 * Per-character folding. Each input code point folds to zero or more *units*, each a kind and a
 * symbol packed in one number (`kind << 21 | symbol`). The scanner applies the rules that need
 * context (repeats, masks, separators, whitespace runs) on top of these units.
 */
export const KIND_DROP = 0;
export const KIND_WORD = 1;
export const KIND_SEP = 2;
export const KIND_MASK = 3;
export const KIND_PUNCT = 4;

export const SYM_BITS = 21;
export const SYM_MASK_BITS = (1 << SYM_BITS) - 1;
/** The symbol of a run of separators. */
export const SYM_SPACE = 0x20;
/** The symbol of a masking `*` or `#`: outside Unicode, so no character folds to it. */
export const SYM_MASK = 0x110000;
/** `1` stays its own symbol: the automaton reads it as `1`, `i` and `l` at once. */
export const SYM_ONE = 0x31;

export type ResolvedNormalise = Required<NormaliseOptions>;

export const ALL_STEPS: ResolvedNormalise = {
  nfkc: true,
  caseFold: true,
  diacritics: true,
  invisibles: true,
  confusables: true,
  leetspeak: true,
  masks: true,
  repeats: true,
  separators: true,
  whitespace: true,
};

export function resolveNormalise(option: boolean | NormaliseOptions | undefined): ResolvedNormalise | null {
  if (option === false) return null;
  if (option === undefined || option === true) return ALL_STEPS;
  return { ...ALL_STEPS, ...option };
}

const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
};

/** Letters that have no decomposition but a plain Latin skeleton. */
const EXTRA_FOLDS: Readonly<Record<string, string>> = {
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  ŀ: 'l',
  ħ: 'h',
  ı: 'i',
  ŧ: 't',
  æ: 'ae',
  œ: 'oe',
};

const APOSTROPHES = new Set([0x27, 0x2018, 0x2019, 0x02bc, 0x2032]);
const FORMAT = /^[\p{Cc}\p{Cf}]$/u;
/** Zero-width, format and control characters, fillers and variation selectors. */
const INVISIBLE = {
  test: (ch: string): boolean => {
    const cp = ch.codePointAt(0) ?? 0;
    return (
      FORMAT.test(ch) ||
      cp === 0x034f ||
      cp === 0x115f ||
      cp === 0x1160 ||
      cp === 0x3164 ||
      cp === 0xffa0 ||
      (cp >= 0x180b && cp <= 0x180f) ||
      (cp >= 0xfe00 && cp <= 0xfe0f) ||
      (cp >= 0xe0100 && cp <= 0xe01ef)
    );
  },
};
const WHITESPACE = /^\s$/u;
const WORDLIKE = /^[\p{L}\p{N}\p{M}]$/u;
const MARKS = /\p{M}/gu;

let confusableMap: Map<number, string> | null = null;
function confusables(): Map<number, string> {
  if (confusableMap === null) {
    confusableMap = new Map();
    for (const [target, chars] of Object.entries(CONFUSABLES)) {
      for (const ch of chars) confusableMap.set(ch.codePointAt(0) ?? 0, target);
    }
  }
  return confusableMap;
}

const pack = (kind: number, sym: number): number => (kind << SYM_BITS) | sym;
const EMPTY = new Int32Array(0);

/** Folds characters to units under one set of options; results for non-ASCII are cached. */
export class Folder {
  /** The unit of each ASCII character. */
  readonly ascii = new Int32Array(128);
  private readonly cache = new Map<number, Int32Array>();

  constructor(readonly options: ResolvedNormalise) {
    for (let c = 0; c < 128; c++) this.ascii[c] = this.asciiUnit(c);
  }

  private asciiUnit(c: number): number {
    const o = this.options;
    const ch = String.fromCharCode(c);
    if (c >= 0x41 && c <= 0x5a) return pack(KIND_WORD, o.caseFold ? c + 32 : c);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || ch === '@' || ch === '$') {
      const leet = o.leetspeak ? LEET[ch] : undefined;
      if (leet !== undefined) return pack(KIND_WORD, leet.charCodeAt(0));
      return pack(c >= 0x30 && c <= 0x39 ? KIND_WORD : c >= 0x61 ? KIND_WORD : KIND_PUNCT, c);
    }
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return pack(KIND_SEP, SYM_SPACE);
    if (ch === '.' || ch === '-' || ch === '_') return o.separators ? pack(KIND_SEP, SYM_SPACE) : pack(KIND_PUNCT, c);
    if (ch === '*' || ch === '#') return o.masks ? pack(KIND_MASK, SYM_MASK) : pack(KIND_PUNCT, c);
    if (c === 0x27) return o.separators ? pack(KIND_DROP, 0) : pack(KIND_PUNCT, c);
    if (c < 0x20 || c === 0x7f) return o.invisibles ? pack(KIND_DROP, 0) : pack(KIND_PUNCT, c);
    return pack(KIND_PUNCT, c);
  }

  /** The units of a code point (ASCII ones too, though the scanner reads `ascii` directly). */
  fold(cp: number): Int32Array {
    if (cp < 128) return Int32Array.of(this.ascii[cp] ?? 0);
    const hit = this.cache.get(cp);
    if (hit !== undefined) return hit;
    const units = this.compute(cp);
    if (this.cache.size < 65536) this.cache.set(cp, units);
    return units;
  }

  private compute(cp: number): Int32Array {
    const o = this.options;
    let s = String.fromCodePoint(cp);
    if (WHITESPACE.test(s)) return Int32Array.of(pack(KIND_SEP, SYM_SPACE));
    if (APOSTROPHES.has(cp)) return o.separators ? EMPTY : Int32Array.of(pack(KIND_PUNCT, cp));
    if (INVISIBLE.test(s)) return o.invisibles ? EMPTY : Int32Array.of(pack(KIND_PUNCT, cp));
    if (o.nfkc) s = s.normalize('NFKC');
    if (o.caseFold) s = s.toLowerCase().replace(/ß/g, 'ss');
    if (o.diacritics) {
      s = s.normalize('NFD').replace(MARKS, '');
      let out = '';
      for (const ch of s) out += EXTRA_FOLDS[ch] ?? ch;
      s = out;
    }
    const units: number[] = [];
    for (const ch of s) {
      let c = ch.codePointAt(0) ?? 0;
      let folded = ch;
      if (c >= 128 && o.confusables) {
        const skeleton = confusables().get(c);
        if (skeleton !== undefined) {
          folded = skeleton;
          c = folded.charCodeAt(0);
        }
      }
      if (c < 128) {
        const unit = this.ascii[c] ?? 0;
        if (unit >>> SYM_BITS !== KIND_DROP) units.push(unit);
      } else if (WHITESPACE.test(folded)) units.push(pack(KIND_SEP, SYM_SPACE));
      else if (INVISIBLE.test(folded)) {
        if (!o.invisibles) units.push(pack(KIND_PUNCT, c));
      } else if (WORDLIKE.test(folded)) units.push(pack(KIND_WORD, c));
      else units.push(pack(KIND_PUNCT, c));
    }
    return Int32Array.from(units);
  }
}

const WORD_CU = /^[\p{L}\p{N}_']$/u;
/** Word characters of raw (un-normalised) text, per UTF-16 code unit: letters, digits, `_`, `'`. */
export function isWordCodeUnit(c: number): boolean {
  if (c < 128) {
    return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x27;
  }
  if (c >= 0xd800 && c <= 0xdfff) return false; // half of an astral character: almost always an emoji or symbol
  return WORD_CU.test(String.fromCharCode(c));
}
