import type { CaptureMatch } from '@vigil/shared';
import { sql } from 'kysely';
import { inTransaction, Prepared, type Kdb } from '../db/database';
import type { DraftOverrides } from '../services/lists.service';

/** One published version of a school's keyword lists (its overrides on top of the curated lists). */
export interface PublishedLists {
  id: string;
  schoolId: string;
  /** 1, 2, 3 … per school. */
  version: number;
  overrides: DraftOverrides;
  /** The compiled policy's version and ETag when it was published (school settings at the time included). */
  policyVersion: string;
  etag: string;
  publishedAt: string;
  publishedById: string | null;
  publishedBy: string | null;
  changelog: string;
}

interface VersionRow {
  id: string;
  school_id: string;
  version: number;
  overrides_json: string;
  policy_version: string;
  etag: string;
  published_at: string;
  published_by: string | null;
  email: string | null;
  changelog: string;
}

const toPublished = (r: VersionRow): PublishedLists => ({
  id: r.id,
  schoolId: r.school_id,
  version: r.version,
  overrides: JSON.parse(r.overrides_json) as DraftOverrides,
  policyVersion: r.policy_version,
  etag: r.etag,
  publishedAt: r.published_at,
  publishedById: r.published_by,
  publishedBy: r.email,
  changelog: r.changelog,
});

/** Rows read per query when counting false positives (bounded memory, no cursors on either dialect). */
const SCAN_PAGE = 5000;

/** Asked on every heartbeat and policy fetch: compiled once (see Prepared). */
const POLICY_STAMP = new Prepared(
  1,
  (_db, schoolId: string) => sql<Record<string, unknown>>`
      SELECT (SELECT MAX(version) FROM keyword_list_versions WHERE school_id = ${schoolId}) AS v,
        s.min_severity, s.monitored_hours_json, s.support_card, s.tray_hidden, s.privacy_notice
      FROM (SELECT 1 AS one) AS x LEFT JOIN school_settings s ON s.school_id = ${schoolId}`,
);

export class ListsRepository {
  constructor(private readonly db: Kdb) {}

  private versionsOf(schoolId: string) {
    return this.db
      .selectFrom('keyword_list_versions as v')
      .leftJoin('users as u', 'u.id', 'v.published_by')
      .selectAll('v')
      .select('u.email')
      .where('v.school_id', '=', schoolId);
  }

  /**
   * What the served policy depends on, as one string: the latest published version and the
   * school's policy settings. Equal stamps mean the compiled policy can be reused.
   */
  async policyStamp(schoolId: string): Promise<string> {
    const { rows } = await POLICY_STAMP.execute(this.db, schoolId);
    const r = rows[0] ?? {};
    return JSON.stringify([
      r.v ?? null,
      r.min_severity ?? null,
      r.monitored_hours_json ?? null,
      r.support_card ?? null,
      r.tray_hidden ?? null,
      r.privacy_notice ?? null,
    ]);
  }

  async draft(schoolId: string): Promise<DraftOverrides | undefined> {
    const r = await this.db
      .selectFrom('keyword_list_drafts')
      .select('overrides_json')
      .where('school_id', '=', schoolId)
      .executeTakeFirst();
    return r && (JSON.parse(r.overrides_json) as DraftOverrides);
  }

  async saveDraft(schoolId: string, overrides: DraftOverrides, userId: string | null, now: Date): Promise<void> {
    await this.db
      .insertInto('keyword_list_drafts')
      .values({
        school_id: schoolId,
        overrides_json: JSON.stringify(overrides),
        updated_at: now.toISOString(),
        updated_by: userId,
      })
      .onConflict((oc) =>
        oc.column('school_id').doUpdateSet((eb) => ({
          overrides_json: eb.ref('excluded.overrides_json'),
          updated_at: eb.ref('excluded.updated_at'),
          updated_by: eb.ref('excluded.updated_by'),
        })),
      )
      .execute();
  }

  async latest(schoolId: string): Promise<PublishedLists | undefined> {
    const r = await this.versionsOf(schoolId).orderBy('v.version', 'desc').limit(1).executeTakeFirst();
    return r && toPublished(r);
  }

  async versions(schoolId: string): Promise<PublishedLists[]> {
    return (await this.versionsOf(schoolId).orderBy('v.version', 'desc').execute()).map(toPublished);
  }

  async publishedBetween(schoolId: string, from: string, to: string): Promise<PublishedLists[]> {
    const rows = await this.versionsOf(schoolId)
      .where('v.published_at', '>=', from)
      .where('v.published_at', '<', to)
      .orderBy('v.version')
      .execute();
    return rows.map(toPublished);
  }

  /** Stores the next version number of the school; the unique (school, version) key refuses a race. */
  async insertVersion(v: Omit<PublishedLists, 'version' | 'publishedBy'>): Promise<number> {
    return inTransaction(this.db, async (trx) => {
      const max = await trx
        .selectFrom('keyword_list_versions')
        .select((eb) => eb.fn.max('version').as('n'))
        .where('school_id', '=', v.schoolId)
        .executeTakeFirst();
      const version = (max?.n ?? 0) + 1;
      await trx
        .insertInto('keyword_list_versions')
        .values({
          id: v.id,
          school_id: v.schoolId,
          version,
          overrides_json: JSON.stringify(v.overrides),
          policy_version: v.policyVersion,
          etag: v.etag,
          published_at: v.publishedAt,
          published_by: v.publishedById,
          changelog: v.changelog,
        })
        .execute();
      return version;
    });
  }

  async falsePositives(schoolId: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    let after: string | null = null;
    for (;;) {
      let query = this.db
        .selectFrom('captures')
        .select(['id', 'matches_json'])
        .where('school_id', '=', schoolId)
        .where('status', '=', 'false_positive');
      if (after !== null) query = query.where('id', '>', after);
      const rows = await query.orderBy('id').limit(SCAN_PAGE).execute();
      for (const r of rows) {
        for (const id of new Set((JSON.parse(r.matches_json) as CaptureMatch[]).map((m) => m.entryId))) {
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
      }
      if (rows.length < SCAN_PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
    return counts;
  }
}
