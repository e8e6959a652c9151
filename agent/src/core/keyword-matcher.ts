import { compileMatcher, type CompiledMatcher, type KeywordEntry, type Match } from '@vigil/shared';

/** A match with its whole keyword entry; offsets are UTF-16 into the text matched, end exclusive. */
export interface EntryMatch {
  entry: KeywordEntry;
  start: number;
  end: number;
}

/**
 * Typed text matched as it is typed (the shared matcher's stream): O(1) work per character pushed
 * or deleted, and a match is returned once it is final (the character after it is known).
 */
export interface EntryStream {
  /** Appends text; returns the matches that became final (offsets into `text`). */
  push(text: string): EntryMatch[];
  /** Deletes the last `count` characters. */
  backspace(count: number): void;
  /** The matches not returned yet, as if the text ended here; the text is kept. */
  flush(): EntryMatch[];
  /** Empties the buffer. */
  reset(): void;
  /** The text in the buffer. */
  readonly text: string;
}

/**
 * The lists as the engine uses them: the shared normalising Aho-Corasick engine (leetspeak,
 * homoglyphs, spacing, repeated letters… and the Scunthorpe exclusions), answering with the
 * whole keyword entry of each match. Compiling checks every entry, so a policy that cannot be
 * compiled throws here, before it replaces anything.
 */
export class KeywordMatcher {
  private readonly compiled: CompiledMatcher;
  private readonly byId: Map<string, KeywordEntry>;

  constructor(keywords: readonly KeywordEntry[], exclusions: readonly string[] = []) {
    this.compiled = compileMatcher(keywords, { exclusions });
    this.byId = new Map(keywords.map((e) => [e.id, e]));
  }

  /** Every match in `text` (overlapping ones included), ordered by end then start. */
  match(text: string): EntryMatch[] {
    return this.entries(this.compiled.findAll(text));
  }

  /** A new, empty stream over these lists. */
  stream(): EntryStream {
    const stream = this.compiled.stream();
    return {
      push: (text) => this.entries(stream.push(text)),
      backspace: (count) => stream.backspace(count),
      flush: () => this.entries(stream.flush()),
      reset: () => stream.reset(),
      get text() {
        return stream.text;
      },
    };
  }

  private entries(matches: readonly Match[]): EntryMatch[] {
    const found: EntryMatch[] = [];
    for (const m of matches) {
      const entry = this.byId.get(m.id);
      if (entry) found.push({ entry, start: m.start, end: m.end });
    }
    return found;
  }

  get size(): number {
    return this.byId.size;
  }
}
