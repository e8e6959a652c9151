import type { KeywordEntry } from '../protocol/policy.schema';

export interface Match {
  entry: KeywordEntry;
  /** UTF-16 offset in the text, inclusive. */
  start: number;
  /** UTF-16 offset in the text, exclusive. */
  end: number;
}

const WORD_CHAR = /[\p{L}\p{N}_']/u;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

/**
 * A plain, case-insensitive matcher for the walking skeleton: `word` entries match at word
 * boundaries, `prefix` at a word start, `substring` anywhere. The normalising Aho-Corasick
 * engine replaces it.
 */
export class SimpleMatcher {
  private readonly entries: { entry: KeywordEntry; needle: string }[];

  constructor(entries: readonly KeywordEntry[]) {
    this.entries = entries.map((entry) => ({ entry, needle: entry.phrase.toLowerCase() }));
  }

  match(text: string): Match[] {
    const haystack = text.toLowerCase();
    const found: Match[] = [];
    for (const { entry, needle } of this.entries) {
      let at = haystack.indexOf(needle);
      while (at !== -1) {
        const end = at + needle.length;
        const startsWord = !isWordChar(haystack[at - 1]);
        const endsWord = !isWordChar(haystack[end]);
        const ok = entry.match === 'substring' || (entry.match === 'prefix' ? startsWord : startsWord && endsWord);
        if (ok) found.push({ entry, start: at, end });
        at = haystack.indexOf(needle, at + 1);
      }
    }
    return found.sort((a, b) => a.start - b.start || b.end - a.end);
  }
}
