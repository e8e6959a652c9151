import { Folder, resolveNormalise, SYM_MASK } from './normalise';
import { Scanner } from './scanner';
import type { NormaliseOptions } from './types';

export interface NormalisedText {
  /** The normalised text: one character per symbol (`*` for a mask, runs shown once). */
  text: string;
  /** For each character of `text`, its start and end (exclusive) in the original, in UTF-16 units. */
  starts: number[];
  ends: number[];
}

/**
 * What the matcher sees: the text as normalised by `options` (all steps by default), with the map
 * back to the original. Runs of a repeated letter show once; joined separators disappear.
 */
export function normalise(text: string, options: boolean | NormaliseOptions = true): NormalisedText {
  const resolved = resolveNormalise(options);
  if (resolved === null) {
    return {
      text,
      starts: Array.from({ length: text.length }, (_, i) => i),
      ends: Array.from({ length: text.length }, (_, i) => i + 1),
    };
  }
  const scanner = new Scanner(
    {
      automaton: null,
      variants: [],
      folder: new Folder(resolved),
      makeMatch: () => {
        throw new Error('unreachable');
      },
      hasExclusions: false,
      maxLen: 1,
      maxExLen: 0,
      byLast: null,
      byLast2: null,
      byLast3: null,
    },
    false,
    text.length + 4,
  );
  scanner.write(text);
  const { syms, starts, ends } = scanner.symbols();
  let out = '';
  for (const s of syms) out += s === SYM_MASK ? '*' : String.fromCodePoint(s);
  return { text: out, starts: [...starts], ends: [...ends] };
}
