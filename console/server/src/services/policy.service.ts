import { createHash } from 'node:crypto';
import {
  compileMatcher,
  DEFAULT_POLICY_SETTINGS,
  type CompiledMatcher,
  type Policy,
  type PolicySettings,
} from '@vigil/shared';
import { compilePolicy, loadKeywordLists, type KeywordLists, type PolicyOverrides } from '@vigil/keyword-lists';
import type { Kdb } from '../db/database';
import type { SchoolSettings } from '../repositories/schools.repository';
import { ListsRepository } from '../repositories/lists.repository';
import { SchoolsRepository } from '../repositories/schools.repository';
import type { DraftOverrides } from './lists.service';

export interface Published {
  policy: Policy;
  etag: string;
}

let curatedLists: KeywordLists | undefined;

/** Vigil's curated keyword lists (the keyword-lists package's data), read once. */
export function curated(): KeywordLists {
  curatedLists ??= loadKeywordLists();
  return curatedLists;
}

/** A strong ETag over the policy's content, so agents re-download only when something changed. */
export function policyEtag(policy: Policy): string {
  return `"${createHash('sha256').update(JSON.stringify(policy)).digest('base64url').slice(0, 27)}"`;
}

/** The agent settings a school's own settings give (unset ones keep Vigil's defaults). */
export function policySettingsOf(s: SchoolSettings): PolicySettings {
  return {
    ...DEFAULT_POLICY_SETTINGS,
    minSeverity: s.minSeverity ?? DEFAULT_POLICY_SETTINGS.minSeverity,
    monitoredHours: s.monitoredHours ?? null,
    supportCard: s.supportCard ?? DEFAULT_POLICY_SETTINGS.supportCard,
    trayHidden: s.trayHidden ?? DEFAULT_POLICY_SETTINGS.trayHidden,
    privacyNotice: s.privacyNotice ?? DEFAULT_POLICY_SETTINGS.privacyNotice,
  };
}

/**
 * What the compiler gets for a school's overrides: the school's own phrases of a category it has
 * switched off are left out too (switching a category off silences all of it).
 */
export function effectiveOverrides(draft: DraftOverrides, settings?: PolicySettings): PolicyOverrides {
  const off = new Set(draft.disabledCategories ?? []);
  return {
    ...draft,
    localPhrases: (draft.localPhrases ?? []).filter((p) => !off.has(p.category)),
    ...(settings ? { settings } : {}),
  };
}

/** A small LRU of compiled things keyed by content, shared by schools with the same lists and settings. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): V {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
    return v;
  }
}

const hashOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/**
 * The policy each school's agents run: the curated lists, the school's latest published overrides
 * and its settings (minimum severity, monitored hours, tray settings), compiled and cached. The
 * cache is keyed by a one-row stamp (latest version number, settings' updated_at), so a publish or
 * a settings change is served at the next request, whoever made it.
 */
export class PolicyService {
  private readonly lists: ListsRepository;
  private readonly schools: SchoolsRepository;
  private readonly bySchool = new Map<string, { stamp: string; key: string }>();
  private readonly compiled = new Lru<Published>(32);
  private readonly matchers = new Lru<{ matcher: CompiledMatcher; byId: Map<string, Policy['keywords'][number]> }>(8);

  constructor(db: Kdb) {
    this.lists = new ListsRepository(db);
    this.schools = new SchoolsRepository(db);
  }

  /** Compiles (or finds compiled) the policy of these overrides and settings. */
  compile(overrides: DraftOverrides, settings: PolicySettings): Published {
    const key = hashOf([overrides, settings]);
    const hit = this.compiled.get(key);
    if (hit) return hit;
    const { policy } = compilePolicy(curated(), effectiveOverrides(overrides, settings));
    return this.compiled.set(key, { policy, etag: policyEtag(policy) });
  }

  /** The school's served policy and its ETag. */
  async served(schoolId: string): Promise<Published> {
    const stamp = await this.lists.policyStamp(schoolId);
    const known = this.bySchool.get(schoolId);
    if (known && known.stamp === stamp) {
      const hit = this.compiled.get(known.key);
      if (hit) return hit;
    }
    const overrides = (await this.lists.latest(schoolId))?.overrides ?? {};
    const settings = policySettingsOf(await this.schools.settings(schoolId));
    const published = this.compile(overrides, settings);
    this.bySchool.set(schoolId, { stamp, key: hashOf([overrides, settings]) });
    return published;
  }

  /** The shared matcher over a compiled policy's keywords and exclusions (as the agent runs it). */
  matcherFor(policy: Policy): { matcher: CompiledMatcher; byId: Map<string, Policy['keywords'][number]> } {
    const key = policy.version;
    return (
      this.matchers.get(key) ??
      this.matchers.set(key, {
        matcher: compileMatcher(policy.keywords, { exclusions: policy.exclusions }),
        byId: new Map(policy.keywords.map((k) => [k.id, k])),
      })
    );
  }
}
