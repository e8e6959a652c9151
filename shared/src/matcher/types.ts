import type { KeywordEntry } from '../protocol/policy.schema';

/** One occurrence of a keyword entry in a text. Offsets are UTF-16 code units, `end` exclusive. */
export interface Match {
  id: KeywordEntry['id'];
  start: number;
  end: number;
  category: KeywordEntry['category'];
  severity: KeywordEntry['severity'];
}

/** Each normalisation step, all on by default; `normalise: false` turns every one off. */
export interface NormaliseOptions {
  /** Unicode NFKC (fullwidth, ligatures, circled and mathematical letters). */
  nfkc?: boolean;
  /** Lower-case, with `ß` read as `ss`. */
  caseFold?: boolean;
  /** Strip combining marks after canonical decomposition (`é` -> `e`). */
  diacritics?: boolean;
  /** Drop zero-width, format and control characters. */
  invisibles?: boolean;
  /** Fold homoglyphs (Cyrillic `а`, Greek `ο`, ...) to their Latin skeleton. */
  confusables?: boolean;
  /** `0→o 1→i/l 3→e 4→a 5→s 7→t 8→b 9→g @→a $→s`. */
  leetspeak?: boolean;
  /** `*` or `#` right after a letter stands in for one letter (`w*ed`, `c*sino`). */
  masks?: boolean;
  /** Runs of a repeated letter match a phrase that has at least as many (`killlll`, `kiiill`). */
  repeats?: boolean;
  /** Single letters separated by one space, `.`, `-` or `_` are joined (`k i l l`, `k.i.l.l`). */
  separators?: boolean;
  /** Runs of whitespace (and separators) count as one space. */
  whitespace?: boolean;
}

export interface CompileOptions {
  /** `true` (the default) for every step, `false` for plain Aho-Corasick over the raw text. */
  normalise?: boolean | NormaliseOptions;
  /** Allow-list phrases: a match lying inside an occurrence of one of them is suppressed. */
  exclusions?: readonly string[];
}

export interface MatcherStats {
  /** Automaton states. */
  states: number;
  /** Input equivalence classes (columns of the transition table). */
  classes: number;
  /** Patterns compiled (entries and exclusions). */
  patterns: number;
  /** Bytes held by the compiled automaton's typed arrays. */
  bytes: number;
}

/** Incremental matching of typed text: O(1) work per character pushed or deleted. */
export interface MatchStream {
  /**
   * Appends text and returns the matches that became final: no text appended later can change or
   * suppress them, and their offsets are those a batch scan of the buffer reports.
   */
  push(text: string): Match[];
  /** Deletes the last `count` characters (code points; default 1). */
  backspace(count?: number): void;
  /**
   * Returns the matches a batch scan of the buffer reports that have not been returned yet, as if
   * the text ended here (a word at the very end counts as complete). The buffer is kept.
   */
  flush(): Match[];
  /** Empties the buffer (focus moved to another field or window). */
  reset(): void;
  /** The text typed so far. */
  readonly text: string;
  /** All matches in the buffer, exactly as `findAll(stream.text)`. */
  matches(): Match[];
}

export interface CompiledMatcher {
  /** Every match, overlapping ones included, ordered by end then start. */
  findAll(text: string): Match[];
  stream(): MatchStream;
  readonly stats: MatcherStats;
}
