import { compileMatcher, type CompiledMatcher, type KeywordEntry } from '@vigil/shared';

/** A match with its whole keyword entry; offsets are UTF-16 into the text matched, end exclusive. */
export interface EntryMatch {
  entry: KeywordEntry;
  start: number;
  end: number;
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
    const found: EntryMatch[] = [];
    for (const m of this.compiled.findAll(text)) {
      const entry = this.byId.get(m.id);
      if (entry) found.push({ entry, start: m.start, end: m.end });
    }
    return found;
  }

  get size(): number {
    return this.byId.size;
  }
}
