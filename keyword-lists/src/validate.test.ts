import { loadKeywordLists, toKeywordEntries } from './load';
import { REQUIRED_CATEGORIES, MIN_ENTRIES_PER_CATEGORY, validateLists } from './validate';

const lists = loadKeywordLists();

describe('the shipped lists', () => {
  it('load and match the shared schemas', () => {
    expect(lists.categories.length).toBeGreaterThanOrEqual(REQUIRED_CATEGORIES.length);
  });

  it('have no duplicates, unique ids and enough entries', () => {
    expect(validateLists(lists)).toEqual([]);
  });

  it.each(REQUIRED_CATEGORIES.map((c) => [c]))('%s has at least 60 entries and signposting', (id) => {
    const cat = lists.categories.find((c) => c.id === id);
    expect(cat?.entries.length).toBeGreaterThanOrEqual(MIN_ENTRIES_PER_CATEGORY);
    expect(cat?.signposting.length).toBeGreaterThan(0);
  });

  it.each([
    ['suicide', 'kill myself', 5],
    ['suicide', 'unalive', 4],
    ['grooming', "don't tell your parents", 4],
    ['county-lines', 'going country', 4],
    ['profanity', 'bollocks', 1],
  ])('%s has "%s" at severity %i', (category, phrase, severity) => {
    const e = toKeywordEntries(lists.categories).find((x) => x.category === category && x.phrase === phrase);
    expect(e?.severity).toBe(severity);
  });

  it.each(['cy', 'pl', 'ur-Latn', 'ro', 'ar-Latn'])('has %s entries in the highest-severity categories', (lang) => {
    for (const id of ['suicide', 'self-harm', 'grooming', 'sexting', 'violence']) {
      const cat = lists.categories.find((c) => c.id === id);
      expect(cat?.entries.some((e) => e.lang === lang)).toBe(true);
    }
  });
});

describe('validateLists', () => {
  const base = loadKeywordLists();
  const withEntry = (catIndex: number, phrase: string, override?: boolean) => {
    const cats = base.categories.map((c, i) =>
      i === catIndex
        ? {
            ...c,
            entries: [...c.entries, { phrase, severity: 3, match: 'word' as const, ...(override ? { override } : {}) }],
          }
        : c,
    );
    return { ...base, categories: cats };
  };

  it.each([
    ['the same phrase in another category', 'kill myself'],
    ['a spelling that normalises the same', 'KILL   MYSELF'],
    ['a spelling with repeated letters', 'kiiill myselllf'],
  ])('reports %s', (_what, phrase) => {
    expect(validateLists(withEntry(base.categories.length - 1, phrase)).some((p) => p.includes('duplicates'))).toBe(
      true,
    );
  });

  it('accepts a deliberate override', () => {
    expect(validateLists(withEntry(base.categories.length - 1, 'kill myself', true))).toEqual([]);
  });

  it('reports a category with too few entries', () => {
    const cats = base.categories.map((c, i) => (i === 0 ? { ...c, entries: c.entries.slice(0, 5) } : c));
    expect(validateLists({ ...base, categories: cats }).some((p) => p.includes('fewer than 60'))).toBe(true);
  });
});
