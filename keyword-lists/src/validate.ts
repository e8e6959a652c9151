import { normalise } from '@vigil/shared';
import { entryId, type KeywordLists } from './load';

/** The categories the issue asks for; each must exist with at least MIN_ENTRIES_PER_CATEGORY entries. */
export const REQUIRED_CATEGORIES = [
  'suicide',
  'self-harm',
  'eating-disorders',
  'bullying',
  'grooming',
  'sexual-content',
  'sexting',
  'extremism',
  'hate',
  'violence',
  'drugs',
  'county-lines',
  'gambling',
  'scams',
  'profanity',
] as const;
export const MIN_ENTRIES_PER_CATEGORY = 60;
export const MIN_ENTRIES_TOTAL = 2500;

/** The form two phrases are compared in: what the matcher sees after normalisation. */
export function phraseKey(phrase: string): string {
  return normalise(phrase).text.replace(/\s+/g, ' ').trim();
}

/**
 * Problems beyond the schema (which loadKeywordLists already checked): ids unique, phrases unique
 * within and across categories after normalisation (unless `override`), a phrase that normalises to
 * nothing, required categories and sizes. An empty array means the lists are valid.
 */
export function validateLists(lists: KeywordLists): string[] {
  const problems: string[] = [];
  const ids = new Map<string, string>();
  const phrases = new Map<string, string>();
  const present = new Set(lists.categories.map((c) => c.id));
  for (const req of REQUIRED_CATEGORIES) if (!present.has(req)) problems.push(`missing category ${req}`);
  let total = 0;
  for (const cat of lists.categories) {
    total += cat.entries.length;
    if (cat.entries.length < MIN_ENTRIES_PER_CATEGORY) {
      problems.push(`${cat.id}: ${cat.entries.length} entries, fewer than ${MIN_ENTRIES_PER_CATEGORY}`);
    }
    for (const e of cat.entries) {
      const id = entryId(cat.id, e);
      const where = `${cat.id}: "${e.phrase}"`;
      if (ids.has(id)) problems.push(`${where}: id ${id} is already used`);
      ids.set(id, where);
      const key = phraseKey(e.phrase);
      if (key === '') {
        problems.push(`${where}: normalises to nothing`);
        continue;
      }
      const prior = phrases.get(key);
      if (prior !== undefined && e.override !== true)
        problems.push(`${where}: duplicates ${prior} (mark "override": true if deliberate)`);
      if (prior === undefined) phrases.set(key, where);
    }
  }
  if (total < MIN_ENTRIES_TOTAL) problems.push(`${total} entries in all, fewer than ${MIN_ENTRIES_TOTAL}`);
  const excl = new Map<string, string>();
  for (const x of lists.exclusions) {
    const key = phraseKey(x.phrase);
    if (key === '') problems.push(`exclusion "${x.phrase}": normalises to nothing`);
    else if (excl.has(key)) problems.push(`exclusion "${x.phrase}": duplicates "${excl.get(key)}"`);
    else excl.set(key, x.phrase);
  }
  return problems;
}
