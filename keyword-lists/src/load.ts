import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  type KeywordCategory,
  KeywordCategorySchema,
  type KeywordEntry,
  type KeywordExclusion,
  KeywordExclusionsFileSchema,
  type KeywordListEntry,
  type KeywordListsManifest,
  KeywordListsManifestSchema,
} from '@vigil/shared';

/** Everything under `data/`, validated against the shared schemas. */
export interface KeywordLists {
  manifest: KeywordListsManifest;
  categories: KeywordCategory[];
  exclusions: KeywordExclusion[];
}

export const DEFAULT_LANG = 'en-GB';

/** The `data/` folder shipped with this package (works from `src/` under jest and from `dist/`). */
export function dataDir(): string {
  return resolve(__dirname, '..', 'data');
}

function readJson<T extends TSchema>(file: string, schema: T): unknown {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!Value.Check(schema, data)) {
    const first = [...Value.Errors(schema, data)][0];
    throw new Error(`${file}: ${first ? `${first.path || '/'} ${first.message}` : 'does not match its schema'}`);
  }
  return data;
}

/** Reads `manifest.json`, `categories/*.json` (in name order) and `exclusions.json`; throws naming the file. */
export function loadKeywordLists(dir: string = dataDir()): KeywordLists {
  const manifest = readJson(join(dir, 'manifest.json'), KeywordListsManifestSchema) as KeywordListsManifest;
  const catDir = join(dir, 'categories');
  const names = readdirSync(catDir)
    .filter((n) => n.endsWith('.json'))
    .sort();
  if (names.length === 0) throw new Error(`${catDir}: no category files`);
  const categories = names.map((name) => {
    const cat = readJson(join(catDir, name), KeywordCategorySchema) as KeywordCategory;
    if (`${cat.id}.json` !== name) throw new Error(`${join(catDir, name)}: id "${cat.id}" must match the file name`);
    return cat;
  });
  const exclusions = (
    readJson(join(dir, 'exclusions.json'), KeywordExclusionsFileSchema) as { exclusions: KeywordExclusion[] }
  ).exclusions;
  return { manifest, categories, exclusions };
}

/** `<category>.<slug>`: ASCII letters and digits of the phrase, diacritics dropped, `-` between words. */
export function entryId(categoryId: string, entry: KeywordListEntry): string {
  if (entry.id !== undefined) return entry.id;
  const slug = entry.phrase
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${categoryId}.${slug === '' ? 'x' : slug}`;
}

/** The protocol's flat keyword entries for every category of `lists`. */
export function toKeywordEntries(categories: readonly KeywordCategory[]): KeywordEntry[] {
  return categories.flatMap((cat) =>
    cat.entries.map((e) => ({
      id: entryId(cat.id, e),
      phrase: e.phrase,
      category: cat.id,
      severity: e.severity,
      match: e.match,
    })),
  );
}
