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
  /**
   * Length of the state's string (for a union of chains, its longest member's; at most 65,535):
   * the automaton's state after a text depends only on that many of its last symbols.
   */
  depth: Uint16Array;
  bytes: number;
}

export interface AlphabetHints {
  /** Symbol that reads as itself, `i` and `l` at once (leetspeak `1`). */
  one: number;
  i: number;
  l: number;
}

export function buildAutomaton(variants: readonly Variant[], hints: AlphabetHints | null): Automaton {
  // Equivalence classes: class 0 for every symbol no variant uses.
  const classOf = new Map<number, number>();
  let maxNodes = 1;
  const classify = (sym: number): void => {
    if (!classOf.has(sym)) classOf.set(sym, classOf.size + 1);
  };
  // The commonest characters of English text first: a scan's transitions then fall mostly in the
  // first bytes of each state's row (fewer cache lines touched per state).
  for (const ch of ' etaoinshrdlcumwfgypbvkjxqz') classify(ch.charCodeAt(0));
  for (const v of variants) maxNodes += v.syms.length;
  const used = new Set<number>();
  for (const v of variants) for (const sym of v.syms) used.add(sym);
  for (const sym of [...classOf.keys()]) if (!used.has(sym)) classOf.delete(sym);
  // Renumber what is left densely, then the other symbols in order of appearance.
  const common = [...classOf.keys()];
  classOf.clear();
  for (const sym of common) classify(sym);
  for (const v of variants) for (const sym of v.syms) classify(sym);
  if (hints !== null && (classOf.has(hints.i) || classOf.has(hints.l))) classify(hints.one);
  const C = classOf.size + 1;
  const cmap = C <= 256 ? new Uint8Array(65536) : new Uint16Array(65536);
  const astral = new Map<number, number>();
  for (const [sym, cls] of classOf) {
    if (sym < 65536) cmap[sym] = cls;
    else astral.set(sym, cls);
  }
  const clsOf = (sym: number): number => (sym < 65536 ? (cmap[sym] ?? 0) : (astral.get(sym) ?? 0));

  // Trie: goto[state * C + class], 0 where there is no edge yet (no edge leads to the root). It is
  // the largest transient of a compile, and the process keeps the memory a compile once took: it
  // is allocated once, 16-bit, for up to 65,536 states (zeroed pages that no state reaches are
  // never touched), not grown by copies; only larger lists switch to 32-bit and double.
  let go: Uint16Array | Int32Array = new Uint16Array(Math.min(maxNodes, 65536) * C);
  const grow = (need: number): void => {
    if (need * C <= go.length && (need < 65536 || go instanceof Int32Array)) return;
    // Past 65,536 states: 32-bit, doubling (bounded by the most states the phrases could make).
    const next = new Int32Array(Math.min(maxNodes, Math.max(need, (go.length / C) * 2)) * C);
    next.set(go);
    go = next;
  };

  const depth = new Int32Array(maxNodes);
  const exPrefix = new Uint8Array(maxNodes);
  const ownHead = new Int32Array(maxNodes).fill(-1);
  const ownTail = new Int32Array(maxNodes).fill(-1);
  const nextOut = new Int32Array(variants.length).fill(-1);
  let states = 1;
  variants.forEach((v, vi) => {
    let s = 0;
    const ex = v.mode === MODE_EXCLUSION;
    for (const sym of v.syms) {
      const at = s * C + clsOf(sym);
      let t = go[at] ?? 0;
      if (t === 0) {
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
  let qHead = 0;
  let qTail = 0;
  queue[qTail++] = 0;
  while (qHead < qTail) {
    const s = queue[qHead++] ?? 0;
    const base = s * C;
    const fbase = (fail[s] ?? 0) * C;
    for (let c = 0; c < C; c++) {
      const t = go[base + c] ?? 0;
      if (t > 0) {
        const f = s === 0 ? 0 : (go[fbase + c] ?? 0);
        fail[t] = f;
        exDepth[t] = exPrefix[t] === 1 ? (depth[t] ?? 0) : (exDepth[f] ?? 0);
        dictLink[t] = ownHead[f] !== -1 ? f : (dictLink[f] ?? -1);
        queue[qTail++] = t;
      } else {
        go[base + c] = s === 0 ? 0 : (go[fbase + c] ?? 0);
      }
    }
  }

  // Leetspeak `1` reads as `1`, `i` or `l`: on that class the automaton follows all three at once.
  // A state of the plain automaton stands for its node and the node's failure chain (every phrase
  // prefix that is a suffix of the text); reading `1` can lead to the union of up to three such
  // chains that no single node stands for. Those unions become extra states (a subset construction
  // limited to what `1` creates), each an antichain of trie nodes, built breadth-first.
  const one = hints === null ? -1 : (classOf.get(hints.one) ?? -1);
  const ci = hints === null ? -1 : (classOf.get(hints.i) ?? -1);
  const cl = hints === null ? -1 : (classOf.get(hints.l) ?? -1);
  const trieStates = states;
  // The unions' members, flattened: union m is `pool[poolAt[m] .. poolAt[m + 1])`.
  let pool = new Int32Array(0);
  let poolAt = new Int32Array(1);
  let multi = 0;
  let multiRows = new Int32Array(0);
  let oneCol: Int32Array | null = null;
  if (one >= 0 && (ci >= 0 || cl >= 0)) {
    const limit = Math.max(4096, trieStates);
    // Unions by their members: an open-addressed table of union numbers (-1 empty), so finding a
    // union allocates nothing (no key strings or objects).
    let slots = new Int32Array(1024).fill(-1);
    const hashOf = (xs: readonly number[], from: number, to: number): number => {
      let h = 0x811c9dc5;
      for (let i = from; i < to; i++) h = Math.imul(h ^ (xs[i] as number), 0x01000193);
      return h >>> 0;
    };
    const poolHash = (m: number): number => {
      let h = 0x811c9dc5;
      for (let i = poolAt[m] as number; i < (poolAt[m + 1] as number); i++)
        h = Math.imul(h ^ (pool[i] as number), 0x01000193);
      return h >>> 0;
    };
    const sameMembers = (m: number, xs: readonly number[]): boolean => {
      const from = poolAt[m] as number;
      if ((poolAt[m + 1] as number) - from !== xs.length) return false;
      for (let i = 0; i < xs.length; i++) if (pool[from + i] !== xs[i]) return false;
      return true;
    };
    const onChainOf = (a: number, b: number): boolean => {
      let f = b;
      const da = depth[a] ?? 0;
      while ((depth[f] ?? 0) > da) f = fail[f] ?? 0;
      return f === a;
    };
    const byDepth = (x: number, y: number): number => (depth[y] ?? 0) - (depth[x] ?? 0) || x - y;
    const ascending = (x: number, y: number): number => x - y;
    const targets: number[] = [];
    const kept: number[] = [];
    /** The state for the union of the chains of `targets`. */
    const reduce = (): number => {
      // Most unions are one chain: every target the same, or the others the root.
      let only = -1;
      for (const x of targets) {
        if (x === 0 || x === only) continue;
        if (only === -1) only = x;
        else {
          only = -2;
          break;
        }
      }
      if (only !== -2) {
        targets.length = 0;
        return only === -1 ? 0 : only;
      }
      targets.sort(byDepth);
      kept.length = 0;
      for (const x of targets) {
        if (x === 0 || (kept.length > 0 && kept[kept.length - 1] === x)) continue;
        let covered = false;
        for (const k of kept) {
          if (onChainOf(x, k)) {
            covered = true;
            break;
          }
        }
        if (!covered) kept.push(x);
      }
      targets.length = 0;
      if (kept.length === 1) return kept[0] ?? 0;
      kept.sort(ascending);
      const mask = slots.length - 1;
      let at = hashOf(kept, 0, kept.length) & mask;
      for (let m = slots[at] as number; m !== -1; m = slots[at] as number) {
        if (sameMembers(m, kept)) return trieStates + m;
        at = (at + 1) & mask;
      }
      if (multi >= limit) {
        // Pathological lists only: keep the deepest chain.
        let best = kept[0] ?? 0;
        for (const k of kept) if ((depth[k] ?? 0) > (depth[best] ?? 0)) best = k;
        return best;
      }
      const m = multi++;
      if (poolAt.length < multi + 1) {
        const next = new Int32Array(poolAt.length * 2);
        next.set(poolAt);
        poolAt = next;
      }
      const from = poolAt[m] as number;
      if (pool.length < from + kept.length) {
        const next = new Int32Array(Math.max(1024, pool.length * 2, from + kept.length));
        next.set(pool);
        pool = next;
      }
      for (let i = 0; i < kept.length; i++) pool[from + i] = kept[i] as number;
      poolAt[multi] = from + kept.length;
      slots[at] = m;
      if (multi * 2 > slots.length) {
        // Rehash at half full.
        slots = new Int32Array(slots.length * 2).fill(-1);
        const mk = slots.length - 1;
        for (let u = 0; u < multi; u++) {
          let h = poolHash(u) & mk;
          while (slots[h] !== -1) h = (h + 1) & mk;
          slots[h] = u;
        }
      }
      return trieStates + m;
    };
    const pushOne = (s: number): void => {
      targets.push(go[s * C + one] ?? 0);
      if (ci >= 0) targets.push(go[s * C + ci] ?? 0);
      if (cl >= 0) targets.push(go[s * C + cl] ?? 0);
    };
    oneCol = new Int32Array(trieStates);
    // Breadth-first, so a state's failure state comes first: most states have no edge of their
    // own on `1`, `i` or `l`, so the same three targets as their failure state, and its union.
    for (let q = 0; q < trieStates; q++) {
      const s = queue[q] ?? 0;
      const f = fail[s] ?? 0;
      if (
        s !== 0 &&
        go[s * C + one] === go[f * C + one] &&
        (ci < 0 || go[s * C + ci] === go[f * C + ci]) &&
        (cl < 0 || go[s * C + cl] === go[f * C + cl])
      ) {
        oneCol[s] = oneCol[f] ?? 0;
        continue;
      }
      pushOne(s);
      oneCol[s] = reduce();
    }
    for (let m = 0; m < multi; m++) {
      if (multiRows.length < (m + 1) * C) {
        const next = new Int32Array(Math.max((m + 1) * C, multiRows.length * 2));
        next.set(multiRows);
        multiRows = next;
      }
      const from = poolAt[m] as number;
      const to = poolAt[m + 1] as number;
      for (let c = 0; c < C; c++) {
        if (c === one) for (let i = from; i < to; i++) pushOne(pool[i] as number);
        else for (let i = from; i < to; i++) targets.push(go[(pool[i] as number) * C + c] ?? 0);
        multiRows[m * C + c] = reduce();
      }
    }
  }
  const total = trieStates + multi;

  // States are renumbered in breadth-first order, so the shallow states that most text visits
  // have neighbouring rows (fewer cache lines and pages touched per character); the states of
  // unions follow.
  const newId = new Int32Array(total);
  for (let q = 0; q < trieStates; q++) newId[queue[q] ?? 0] = q;
  for (let m = 0; m < multi; m++) newId[trieStates + m] = trieStates + m;
  const outStart = new Int32Array(total + 1);
  let outVars = new Int32Array(variants.length);
  const hasOut = new Uint8Array(total);
  const links = new Int32Array(total).fill(-1);
  const exDepths = new Uint16Array(total);
  const depths = new Uint16Array(total);
  let k = 0;
  for (let q = 0; q < trieStates; q++) {
    const s = queue[q] ?? 0;
    outStart[q] = k;
    for (let v = ownHead[s] ?? -1; v !== -1; v = nextOut[v] ?? -1) outVars[k++] = v;
    const link = dictLink[s] ?? -1;
    links[q] = link >= 0 ? (newId[link] ?? 0) : -1;
    exDepths[q] = exDepth[s] ?? 0;
    depths[q] = Math.min(65535, depth[s] ?? 0);
    if (k > (outStart[q] ?? 0) || link >= 0) hasOut[q] = 1;
  }
  if (multi > 0) {
    // A union's outputs are those of every node on its chains, listed in full (no link).
    const seen = new Int32Array(trieStates).fill(-1);
    const extra: number[] = [];
    for (let m = 0; m < multi; m++) {
      const q = trieStates + m;
      outStart[q] = k;
      const vs: number[] = [];
      let ex = 0;
      for (let i = poolAt[m] as number; i < (poolAt[m + 1] as number); i++) {
        const u = pool[i] as number;
        ex = Math.max(ex, exDepth[u] ?? 0);
        depths[q] = Math.max(depths[q] ?? 0, Math.min(65535, depth[u] ?? 0));
        for (let f = u; f > 0 && seen[f] !== m; f = fail[f] ?? 0) {
          seen[f] = m;
          for (let v = ownHead[f] ?? -1; v !== -1; v = nextOut[v] ?? -1) vs.push(v);
        }
      }
      vs.sort((x, y) => x - y);
      for (const v of vs) extra.push(v);
      k += vs.length;
      exDepths[q] = ex;
      if (vs.length > 0) hasOut[q] = 1;
    }
    const all = new Int32Array(k);
    all.set(outVars.subarray(0, k - extra.length));
    all.set(extra, k - extra.length);
    outVars = all;
  }
  outStart[total] = k;

  // The flag fits in the top bit of a Uint16Array up to 32,768 states; up to 65,536 the table stays
  // 16-bit without a flag (outFlag 0: read `hasOut`), beyond that it is 32-bit.
  const outFlag = total <= 32768 ? 0x8000 : total <= 65536 ? 0 : 0x40000000;
  const delta = total <= 65536 ? new Uint16Array(total * C) : new Int32Array(total * C);
  const put = (to: number, target: number): void => {
    const t = newId[target] ?? 0;
    delta[to] = hasOut[t] === 1 ? t | outFlag : t;
  };
  for (let q = 0; q < trieStates; q++) {
    const s = queue[q] ?? 0;
    const from = s * C;
    const to = q * C;
    for (let c = 0; c < C; c++) put(to + c, c === one && oneCol !== null ? (oneCol[s] ?? 0) : (go[from + c] ?? 0));
  }
  for (let m = 0; m < multi; m++) {
    for (let c = 0; c < C; c++) put((trieStates + m) * C + c, multiRows[m * C + c] ?? 0);
  }
  const bytes =
    cmap.byteLength +
    delta.byteLength +
    hasOut.byteLength +
    outStart.byteLength +
    outVars.byteLength +
    links.byteLength +
    exDepths.byteLength +
    depths.byteLength +
    astral.size * 16;
  return {
    states: total,
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
    depth: depths,
    bytes,
  };
}
