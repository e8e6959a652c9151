import { existsSync, readFileSync } from 'node:fs';
import { compileMatcher, type KeywordEntry } from '@vigil/shared';
import { phraseKey } from './validate';

/** Debian's British English word lists (packages wbritish-large and wbritish), largest first. */
export const DICTIONARY_PATHS = ['/usr/share/dict/british-english-large', '/usr/share/dict/british-english'] as const;
/** The Debian package that provides the preferred dictionary. */
export const DICTIONARY_PACKAGE = 'wbritish-large';

export function findDictionary(paths: readonly string[] = DICTIONARY_PATHS): string | undefined {
  return paths.find((p) => existsSync(p));
}

/** One word per line; blank lines dropped. */
export function readDictionary(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((w) => w.trim())
    .filter((w) => w !== '');
}

const INFLECTIONS = [
  '',
  's',
  'es',
  'ed',
  'd',
  'er',
  'ers',
  'ing',
  'y',
  'ie',
  'ies',
  'in',
  "'s",
  'head',
  'heads',
  'wit',
  'wits',
];

/**
 * The dictionary words in which each `substring` or `prefix` entry fires, after exclusions: words
 * where the phrase sits inside another word. A word that is the phrase plus an inflection
 * (wank -> wanker) or is itself a listed phrase (fuck -> motherfucker) is not a hit.
 * Returns entry id -> hit words; an entry with no hit is absent.
 */
export function falsePositiveHits(
  entries: readonly KeywordEntry[],
  exclusions: readonly string[],
  words: readonly string[],
): Map<string, string[]> {
  const partial = entries.filter((e) => e.match !== 'word');
  const hits = new Map<string, string[]>();
  if (partial.length === 0) return hits;
  const listed = new Set(entries.flatMap((e) => INFLECTIONS.map((suffix) => phraseKey(e.phrase + suffix))));
  const byId = new Map(partial.map((e) => [e.id, e]));
  const matcher = compileMatcher(partial, { exclusions });
  const text = words.join('\n');
  const starts: number[] = [];
  let at = 0;
  for (const w of words) {
    starts.push(at);
    at += w.length + 1;
  }
  const wordAt = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const m of matcher.findAll(text)) {
    const i = wordAt(m.start);
    const word = words[i] ?? '';
    const entry = byId.get(m.id);
    if (entry === undefined) continue;
    const key = phraseKey(word);
    const phrase = phraseKey(entry.phrase);
    if (m.start === starts[i] && INFLECTIONS.some((suffix) => key === phraseKey(phrase + suffix))) continue;
    if (m.start !== starts[i] && key.includes(phrase) && listed.has(key)) continue;
    const list = hits.get(m.id) ?? [];
    if (!list.includes(word)) list.push(word);
    hits.set(m.id, list);
  }
  return hits;
}
