/**
 * The compiled automaton: a dense DFA over input equivalence classes, in typed arrays (no object
 * per state). Built as a trie whose missing transitions are then filled breadth-first from the
 * failure state's row, so scanning is one table load per symbol and never follows a failure link.
 */

export const MODE_WORD = 0;
export const MODE_SUBSTRING = 1;
export const MODE_PREFIX = 2;
export const MODE_EXCLUSION = 3;

/** One path through the automaton: an entry's phrase or an exclusion, normalised. */
export interface Variant {
  /** Index of the keyword entry, or -1 for an exclusion. */
  entry: number;
  mode: number;
  syms: Int32Array;
  /** Minimum run length of each symbol (repeated letters), or null when all are 1. */
  counts: Uint16Array | null;
  /** 1 where a joined separator precedes the symbol in the phrase (`i hate`), or null. */
  soft: Uint8Array | null;
  /** The symbols with each run written out (`weed`), for matching masked text. */
  expanded: Int32Array;
  /** Whether the first / last symbol is a word character (only then is a boundary required). */
  wordStart: boolean;
  wordEnd: boolean;
}

export interface Automaton {
  states: number;
  classes: number;
  /** Class of each BMP symbol; astral symbols are looked up in `astral`. */
  cmap: Uint8Array | Uint16Array;
  astral: Map<number, number>;
  /**
   * `delta[state * classes + class]`: the next state, with `outFlag` set when that state has
   * outputs (`hasOut`), so a scan tests the flag without a second load. `& stateMask` is the state.
   * `outFlag` is 0 (no flag: read `hasOut`) for 32,769 to 65,536 states.
   */
  delta: Uint16Array | Int32Array;
  outFlag: number;
  stateMask: number;
  /** 1 where the state, or a state on its failure chain, ends a variant. */
  hasOut: Uint8Array;
  /** The variants ending exactly at state s are `outVars[outStart[s] .. outStart[s + 1])`. */
  outStart: Int32Array;
  outVars: Int32Array;
  /** The nearest state on the failure chain that ends a variant, or -1. */
  dictLink: Int32Array;
  /** Length of the longest suffix of the state's string that is a prefix of an exclusion. */
  exDepth: Uint16Array;
  bytes: number;
}

export interface AlphabetHints {
  /** Symbol that reads as `i`, or as `l` where only `l` continues (leetspeak `1`), or -1. */
  one: number;
  i: number;
  l: number;
}

export function buildAutomaton(variants: readonly Variant[], hints: AlphabetHints | null): Automaton {
  // Equivalence classes: class 0 for every symbol no variant uses.
  const classOf = new Map<number, number>();
  let total = 1;
  const classify = (sym: number): void => {
    if (!classOf.has(sym)) classOf.set(sym, classOf.size + 1);
  };
  for (const v of variants) {
    total += v.syms.length;
    for (const sym of v.syms) classify(sym);
  }
  if (hints !== null && (classOf.has(hints.i) || classOf.has(hints.l))) classify(hints.one);
  const C = classOf.size + 1;
  const cmap = C <= 256 ? new Uint8Array(65536) : new Uint16Array(65536);
  const astral = new Map<number, number>();
  for (const [sym, cls] of classOf) {
    if (sym < 65536) cmap[sym] = cls;
    else astral.set(sym, cls);
  }
  const clsOf = (sym: number): number => (sym < 65536 ? (cmap[sym] ?? 0) : (astral.get(sym) ?? 0));

  // Trie: goto[state * C + class], -1 where there is no edge yet.
  let go = new Int32Array(Math.min(total, 1 << 16) * C).fill(-1);
  const grow = (need: number): void => {
    if (need * C <= go.length) return;
    const next = new Int32Array(Math.max(need, (go.length / C) * 2) * C).fill(-1);
    next.set(go);
    go = next;
  };
  const depth = new Int32Array(total);
  const exPrefix = new Uint8Array(total);
  const ownHead = new Int32Array(total).fill(-1);
  const ownTail = new Int32Array(total).fill(-1);
  const nextOut = new Int32Array(variants.length).fill(-1);
  let states = 1;
  variants.forEach((v, vi) => {
    let s = 0;
    const ex = v.mode === MODE_EXCLUSION;
    for (const sym of v.syms) {
      const at = s * C + clsOf(sym);
      let t = go[at] ?? -1;
      if (t < 0) {
        t = states++;
        grow(states);
        go[at] = t;
        depth[t] = (depth[s] ?? 0) + 1;
      }
      if (ex) exPrefix[t] = 1;
      s = t;
    }
    if (ownHead[s] === -1) ownHead[s] = vi;
    else nextOut[ownTail[s] ?? 0] = vi;
    ownTail[s] = vi;
  });

  // Breadth-first: failure links, then fill each missing edge from the failure state's row.
  const fail = new Int32Array(states);
  const dictLink = new Int32Array(states).fill(-1);
  const exDepth = new Uint16Array(states);
  const queue = new Int32Array(states);
  const one = hints === null ? -1 : (classOf.get(hints.one) ?? -1);
  const ci = hints === null ? -1 : (classOf.get(hints.i) ?? -1);
  const cl = hints === null ? -1 : (classOf.get(hints.l) ?? -1);
  let qHead = 0;
  let qTail = 0;
  queue[qTail++] = 0;
  while (qHead < qTail) {
    const s = queue[qHead++] ?? 0;
    const base = s * C;
    const fbase = (fail[s] ?? 0) * C;
    const ownOne = one >= 0 ? (go[base + one] ?? -1) : 0;
    for (let c = 0; c < C; c++) {
      const t = go[base + c] ?? -1;
      if (t >= 0) {
        const f = s === 0 ? 0 : (go[fbase + c] ?? 0);
        fail[t] = f;
        exDepth[t] = exPrefix[t] === 1 ? (depth[t] ?? 0) : (exDepth[f] ?? 0);
        dictLink[t] = ownHead[f] !== -1 ? f : (dictLink[f] ?? -1);
        queue[qTail++] = t;
      } else {
        go[base + c] = s === 0 ? 0 : (go[fbase + c] ?? 0);
      }
    }
    if (one >= 0 && ownOne < 0) {
      // `1` continues as `i`, else as `l`, when the trie has such an edge here.
      const viaI = ci >= 0 ? (go[base + ci] ?? 0) : 0;
      const viaL = cl >= 0 ? (go[base + cl] ?? 0) : 0;
      const d = (depth[s] ?? 0) + 1;
      if (viaI !== 0 && depth[viaI] === d) go[base + one] = viaI;
      else if (viaL !== 0 && depth[viaL] === d) go[base + one] = viaL;
    }
  }

  // States are renumbered in breadth-first order, so the shallow states that most text visits
  // have neighbouring rows (fewer cache lines and pages touched per character).
  const newId = new Int32Array(states);
  for (let q = 0; q < states; q++) newId[queue[q] ?? 0] = q;
  const outStart = new Int32Array(states + 1);
  const outVars = new Int32Array(variants.length);
  const hasOut = new Uint8Array(states);
  const links = new Int32Array(states);
  const exDepths = new Uint16Array(states);
  let k = 0;
  for (let q = 0; q < states; q++) {
    const s = queue[q] ?? 0;
    outStart[q] = k;
    for (let v = ownHead[s] ?? -1; v !== -1; v = nextOut[v] ?? -1) outVars[k++] = v;
    const link = dictLink[s] ?? -1;
    links[q] = link >= 0 ? (newId[link] ?? 0) : -1;
    exDepths[q] = exDepth[s] ?? 0;
    if (k > (outStart[q] ?? 0) || link >= 0) hasOut[q] = 1;
  }
  outStart[states] = k;

  // The flag fits in the top bit of a Uint16Array up to 32,768 states; up to 65,536 the table stays
  // 16-bit without a flag (outFlag 0: read `hasOut`), beyond that it is 32-bit.
  const outFlag = states <= 32768 ? 0x8000 : states <= 65536 ? 0 : 0x40000000;
  const delta = states <= 65536 ? new Uint16Array(states * C) : new Int32Array(states * C);
  for (let q = 0; q < states; q++) {
    const from = (queue[q] ?? 0) * C;
    const to = q * C;
    for (let c = 0; c < C; c++) {
      const t = newId[go[from + c] ?? 0] ?? 0;
      delta[to + c] = hasOut[t] === 1 ? t | outFlag : t;
    }
  }

  const bytes =
    cmap.byteLength +
    delta.byteLength +
    hasOut.byteLength +
    outStart.byteLength +
    outVars.byteLength +
    links.byteLength +
    exDepths.byteLength +
    astral.size * 16;
  return {
    states,
    classes: C,
    cmap,
    astral,
    delta,
    outFlag,
    stateMask: outFlag === 0 ? 0xffff : outFlag - 1,
    hasOut,
    outStart,
    outVars,
    dictLink: links,
    exDepth: exDepths,
    bytes,
  };
}
