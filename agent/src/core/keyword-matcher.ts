import { compileMatcher, type CompiledMatcher, type KeywordEntry, type Match } from '@vigil/shared';

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
  match(text: string): Match[] {
    const found: Match[] = [];
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
