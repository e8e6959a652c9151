import { createHash } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import {
  DEFAULT_POLICY_SETTINGS,
  type KeywordEntry,
  type Policy,
  PolicySchema,
  type PolicySettings,
} from '@vigil/shared';
import { type KeywordLists, toKeywordEntries } from './load';
import { type PolicyOverrides, PolicyOverridesSchema } from './overrides.schema';

export interface CompiledPolicy {
  policy: Policy;
  /** sha256 of the canonical JSON of keywords, exclusions and settings (hex). */
  contentHash: string;
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Lists plus a school's overrides -> the policy the agent downloads. The version is
 * `<lists version>+<first 12 hex of the content hash>`, so any change to what the agent would match
 * gives a new version (and ETag) and the same input always gives the same one.
 */
export function compilePolicy(lists: KeywordLists, overrides: PolicyOverrides = {}): CompiledPolicy {
  if (!Value.Check(PolicyOverridesSchema, overrides)) {
    const first = [...Value.Errors(PolicyOverridesSchema, overrides)][0];
    throw new Error(`overrides: ${first ? `${first.path || '/'} ${first.message}` : 'invalid'}`);
  }
  const known = new Set(lists.categories.map((c) => c.id));
  for (const id of overrides.disabledCategories ?? [])
    if (!known.has(id)) throw new Error(`overrides: unknown category ${id}`);
  const disabledCats = new Set(overrides.disabledCategories ?? []);
  const disabledEntries = new Set(overrides.disabledEntries ?? []);
  const severity = overrides.severity ?? {};
  const keywords: KeywordEntry[] = toKeywordEntries(lists.categories)
    .filter((e) => !disabledCats.has(e.category) && !disabledEntries.has(e.id))
    .map((e) => ({ ...e, severity: severity[e.id] ?? severity[e.category] ?? e.severity }));
  const ids = new Set(keywords.map((k) => k.id));
  for (const local of overrides.localPhrases ?? []) {
    let id = `local.${local.category}.${slug(local.phrase) || 'x'}`;
    for (let n = 2; ids.has(id); n++) id = `local.${local.category}.${slug(local.phrase) || 'x'}-${n}`;
    ids.add(id);
    keywords.push({
      id,
      phrase: local.phrase,
      category: local.category,
      severity: local.severity,
      match: local.match ?? 'word',
    });
  }
  const exclusions = [...new Set([...lists.exclusions.map((x) => x.phrase), ...(overrides.exclusions ?? [])])];
  const settings: PolicySettings = { ...DEFAULT_POLICY_SETTINGS, ...overrides.settings };
  const contentHash = createHash('sha256').update(JSON.stringify({ keywords, exclusions, settings })).digest('hex');
  const policy: Policy = {
    version: `${lists.manifest.version}+${contentHash.slice(0, 12)}`,
    keywords,
    exclusions,
    settings,
  };
  if (!Value.Check(PolicySchema, policy)) {
    const first = [...Value.Errors(PolicySchema, policy)][0];
    throw new Error(`compiled policy does not match PolicySchema: ${first ? `${first.path} ${first.message}` : ''}`);
  }
  return { policy, contentHash };
}
