import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { compileMatcher, MatcherError, type KeywordEntry } from '@vigil/shared';
import { DEFAULT_LANG, entryId, PolicyOverridesSchema } from '@vigil/keyword-lists';
import type { Kdb } from '../db/database';
import { ConsoleError } from '../errors';
import { newId } from '../ids';
import { ListsRepository, type PublishedLists } from '../repositories/lists.repository';
import { SchoolsRepository } from '../repositories/schools.repository';
import { curated, policySettingsOf, type PolicyService, type Published } from './policy.service';

const { settings: _settings, ...draftProperties } = PolicyOverridesSchema.properties;

/** A school's overrides on top of the curated lists, as the editor saves them: PolicyOverrides minus `settings`. */
export const DraftOverridesSchema = Type.Object(draftProperties, { additionalProperties: false });
export type DraftOverrides = Static<typeof DraftOverridesSchema>;

/** The canonical draft: every field present, sets sorted and without repeats, phrases trimmed. */
export type CanonicalDraft = Required<DraftOverrides>;

const sortedUnique = (xs: readonly string[] | undefined): string[] => [...new Set(xs ?? [])].sort();

export function canonicalDraft(d: DraftOverrides): CanonicalDraft {
  const severity: Record<string, number> = {};
  for (const k of Object.keys(d.severity ?? {}).sort()) severity[k] = d.severity![k]!;
  return {
    disabledCategories: sortedUnique(d.disabledCategories),
    disabledEntries: sortedUnique(d.disabledEntries),
    severity,
    localPhrases: (d.localPhrases ?? []).map((p) => ({
      phrase: p.phrase.trim(),
      category: p.category,
      severity: p.severity,
      match: p.match ?? 'word',
      ...(p.note !== undefined && p.note.trim() !== '' ? { note: p.note.trim() } : {}),
    })),
    exclusions: sortedUnique((d.exclusions ?? []).map((x) => x.trim())),
  };
}

const sameDraft = (a: DraftOverrides, b: DraftOverrides): boolean =>
  JSON.stringify(canonicalDraft(a)) === JSON.stringify(canonicalDraft(b));

/** The same slug as keyword-lists' compiler gives a local phrase's id. */
function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

interface CuratedIndex {
  categories: Map<string, { id: string; name: string; description: string; entryCount: number }>;
  entries: {
    id: string;
    phrase: string;
    category: string;
    severity: number;
    match: KeywordEntry['match'];
    language: string;
  }[];
  entryIds: Set<string>;
}

let index: CuratedIndex | undefined;
function curatedIndex(): CuratedIndex {
  if (index) return index;
  const lists = curated();
  const entries = lists.categories.flatMap((c) =>
    c.entries.map((e) => ({
      id: entryId(c.id, e),
      phrase: e.phrase,
      category: c.id,
      severity: e.severity,
      match: e.match,
      language: e.lang ?? DEFAULT_LANG,
    })),
  );
  index = {
    categories: new Map(
      lists.categories.map((c) => [
        c.id,
        { id: c.id, name: c.name, description: c.description, entryCount: c.entries.length },
      ]),
    ),
    entries,
    entryIds: new Set(entries.map((e) => e.id)),
  };
  return index;
}

const invalid = (message: string): ConsoleError => new ConsoleError('CONSOLE_ERR_VALIDATION', message);

/**
 * Checks a draft against the curated lists: known categories and entry ids, phrases and exclusions
 * the matcher can match. Throws a 400 naming the first problem; returns the canonical draft.
 */
export function validateDraft(d: DraftOverrides): CanonicalDraft {
  if (!Value.Check(DraftOverridesSchema, d)) {
    const first = [...Value.Errors(DraftOverridesSchema, d)][0];
    throw invalid(`${first?.path || 'draft'}: ${first?.message ?? 'not valid'}`);
  }
  const { categories, entryIds } = curatedIndex();
  const c = canonicalDraft(d);
  for (const id of c.disabledCategories)
    if (!categories.has(id)) throw invalid(`disabledCategories: unknown category "${id}"`);
  for (const id of c.disabledEntries) if (!entryIds.has(id)) throw invalid(`disabledEntries: unknown entry "${id}"`);
  for (const id of Object.keys(c.severity)) {
    if (!categories.has(id) && !entryIds.has(id)) throw invalid(`severity: unknown category or entry "${id}"`);
  }
  const seen = new Set<string>();
  c.localPhrases.forEach((p, i) => {
    if (p.phrase === '') throw invalid(`localPhrases/${i}/phrase: the phrase is empty`);
    if (!categories.has(p.category)) throw invalid(`localPhrases/${i}/category: unknown category "${p.category}"`);
    const key = `${p.category}\u0000${p.phrase.toLowerCase()}`;
    if (seen.has(key)) throw invalid(`localPhrases/${i}: "${p.phrase}" is already in ${p.category}`);
    seen.add(key);
    try {
      compileMatcher([
        { id: `local.${i}`, phrase: p.phrase, category: p.category, severity: p.severity, match: p.match ?? 'word' },
      ]);
    } catch (err) {
      if (err instanceof MatcherError)
        throw invalid(`localPhrases/${i}/phrase: "${p.phrase}" has no letters or digits to match`);
      throw err;
    }
  });
  c.exclusions.forEach((x, i) => {
    if (x === '') throw invalid(`exclusions/${i}: the phrase is empty`);
    try {
      compileMatcher([], { exclusions: [x] });
    } catch (err) {
      if (err instanceof MatcherError) throw invalid(`exclusions/${i}: "${x}" has no letters or digits to match`);
      throw err;
    }
  });
  return c;
}

/** Ids the compiler gives local phrases (`local.<category>.<slug>`, `-2`, `-3` … on a clash). */
export function localIds(draft: CanonicalDraft): string[] {
  const off = new Set(draft.disabledCategories);
  const offEntries = new Set(draft.disabledEntries);
  // As the compiler does: a clash counts only with entries it keeps.
  const ids = new Set(
    curatedIndex()
      .entries.filter((e) => !off.has(e.category) && !offEntries.has(e.id))
      .map((e) => e.id),
  );
  // The compiler never sees a switched-off category's phrases; they get ids as if after the others.
  const order = [
    ...draft.localPhrases.map((p, i) => ({ p, i })).filter(({ p }) => !off.has(p.category)),
    ...draft.localPhrases.map((p, i) => ({ p, i })).filter(({ p }) => off.has(p.category)),
  ];
  const out: string[] = new Array<string>(draft.localPhrases.length);
  for (const { p, i } of order) {
    const base = `local.${p.category}.${slug(p.phrase) || 'x'}`;
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
    ids.add(id);
    out[i] = id;
  }
  return out;
}

export interface ListsView {
  published: {
    version: number;
    policyVersion: string;
    etag: string;
    publishedAt: string;
    publishedBy: string | null;
    changelog: string;
  } | null;
  draft: CanonicalDraft;
  draftChanged: boolean;
  categories: {
    id: string;
    name: string;
    description: string;
    enabled: boolean;
    severity: number | null;
    entryCount: number;
  }[];
  entries: {
    id: string;
    phrase: string;
    category: string;
    severity: number;
    curatedSeverity: number | null;
    match: KeywordEntry['match'];
    language: string | null;
    enabled: boolean;
    source: 'curated' | 'local';
    falsePositives: number;
  }[];
  exclusions: { phrase: string; source: 'curated' | 'local' }[];
}

export interface PreviewMatch {
  id: string;
  phrase: string;
  category: string;
  severity: number;
  start: number;
  end: number;
  text: string;
}

/** The keyword-list editor of a school: draft, preview, publish, versions. */
export class ListsService {
  readonly repo: ListsRepository;

  private readonly schools: SchoolsRepository;

  constructor(
    db: Kdb,
    private readonly policies: PolicyService,
  ) {
    this.repo = new ListsRepository(db);
    this.schools = new SchoolsRepository(db);
  }

  /** The saved draft; without one, what is published; without that, no overrides. */
  async draft(schoolId: string): Promise<CanonicalDraft> {
    return canonicalDraft((await this.repo.draft(schoolId)) ?? (await this.repo.latest(schoolId))?.overrides ?? {});
  }

  async view(schoolId: string): Promise<ListsView> {
    const latest = await this.repo.latest(schoolId);
    const draft = await this.draft(schoolId);
    const served = await this.policies.served(schoolId);
    const fps = await this.repo.falsePositives(schoolId);
    const { categories, entries } = curatedIndex();
    const off = new Set(draft.disabledCategories);
    const offEntries = new Set(draft.disabledEntries);
    const ids = localIds(draft);
    const localCount = new Map<string, number>();
    for (const p of draft.localPhrases) localCount.set(p.category, (localCount.get(p.category) ?? 0) + 1);
    return {
      published: latest
        ? {
            version: latest.version,
            policyVersion: served.policy.version,
            etag: served.etag,
            publishedAt: latest.publishedAt,
            publishedBy: latest.publishedBy,
            changelog: latest.changelog,
          }
        : null,
      draft,
      draftChanged: !sameDraft(draft, latest?.overrides ?? {}),
      categories: [...categories.values()].map((c) => ({
        id: c.id,
        name: c.name,
        description: c.description,
        enabled: !off.has(c.id),
        severity: draft.severity[c.id] ?? null,
        entryCount: c.entryCount + (localCount.get(c.id) ?? 0),
      })),
      entries: [
        ...entries.map((e) => ({
          id: e.id,
          phrase: e.phrase,
          category: e.category,
          severity: draft.severity[e.id] ?? draft.severity[e.category] ?? e.severity,
          curatedSeverity: e.severity,
          match: e.match,
          language: e.language,
          enabled: !off.has(e.category) && !offEntries.has(e.id),
          source: 'curated' as const,
          falsePositives: fps.get(e.id) ?? 0,
        })),
        ...draft.localPhrases.map((p, i) => ({
          id: ids[i]!,
          phrase: p.phrase,
          category: p.category,
          severity: p.severity,
          curatedSeverity: null,
          match: p.match ?? ('word' as const),
          language: null,
          enabled: !off.has(p.category),
          source: 'local' as const,
          falsePositives: fps.get(ids[i]!) ?? 0,
        })),
      ],
      exclusions: [
        ...curated().exclusions.map((x) => ({ phrase: x.phrase, source: 'curated' as const })),
        ...draft.exclusions.map((phrase) => ({ phrase, source: 'local' as const })),
      ],
    };
  }

  /** Validates and saves the draft (bad input throws and saves nothing). */
  async saveDraft(schoolId: string, draft: DraftOverrides, userId: string | null, now: Date): Promise<CanonicalDraft> {
    const c = validateDraft(draft);
    await this.repo.saveDraft(schoolId, c, userId, now);
    return c;
  }

  /** The policy the draft would give the school's agents (with the school's current settings). */
  async draftPolicy(schoolId: string): Promise<Published> {
    return this.policies.compile(await this.draft(schoolId), policySettingsOf(await this.schools.settings(schoolId)));
  }

  /** What the server's matcher finds in `text` with the draft's (or the published) lists. */
  async preview(schoolId: string, text: string, useDraft: boolean): Promise<PreviewMatch[]> {
    const { policy } = useDraft ? await this.draftPolicy(schoolId) : await this.policies.served(schoolId);
    const { matcher, byId } = this.policies.matcherFor(policy);
    return matcher.findAll(text).map((m) => ({
      id: m.id,
      phrase: byId.get(m.id)?.phrase ?? m.id,
      category: m.category,
      severity: m.severity,
      start: m.start,
      end: m.end,
      text: text.slice(m.start, m.end),
    }));
  }

  /** Publishes the draft as the school's next version; 409 when it equals what is published. */
  async publish(
    schoolId: string,
    changelog: string,
    userId: string | null,
    now: Date,
  ): Promise<{ version: number; policyVersion: string; etag: string; publishedAt: string }> {
    const draft = await this.draft(schoolId);
    const latest: PublishedLists | undefined = await this.repo.latest(schoolId);
    if (sameDraft(draft, latest?.overrides ?? {})) throw new ConsoleError('CONSOLE_ERR_NOTHING_TO_PUBLISH');
    const { policy, etag } = await this.draftPolicy(schoolId);
    const publishedAt = now.toISOString();
    const version = await this.repo.insertVersion({
      id: newId(),
      schoolId,
      overrides: draft,
      policyVersion: policy.version,
      etag,
      publishedAt,
      publishedById: userId,
      changelog,
    });
    return { version, policyVersion: policy.version, etag, publishedAt };
  }
}
