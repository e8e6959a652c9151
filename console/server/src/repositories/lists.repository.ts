import type { CaptureMatch } from '@vigil/shared';
import type { Db } from '../db/database';
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

const VERSION_SELECT = `SELECT v.*, u.email FROM keyword_list_versions v LEFT JOIN users u ON u.id = v.published_by`;

/** Keyword-list drafts and published versions per school (migration 30). */
export class ListsRepository {
  private readonly stampStmt;
  private readonly latestStmt;

  constructor(private readonly db: Db) {
    this.stampStmt = db
      .prepare(
        `SELECT (SELECT MAX(version) FROM keyword_list_versions WHERE school_id = ?) AS v,
           s.min_severity, s.monitored_hours_json, s.support_card, s.tray_hidden, s.privacy_notice
         FROM (SELECT 1) LEFT JOIN school_settings s ON s.school_id = ?`,
      )
      .raw();
    this.latestStmt = db.prepare(`${VERSION_SELECT} WHERE v.school_id = ? ORDER BY v.version DESC LIMIT 1`);
  }

  /**
   * A cheap token that changes whenever what a school's agents should run may have changed: a new
   * published version or a change of a policy setting. The policy cache is keyed on it.
   */
  policyStamp(schoolId: string): string {
    return JSON.stringify(this.stampStmt.get(schoolId, schoolId));
  }

  draft(schoolId: string): DraftOverrides | undefined {
    const r = this.db.prepare('SELECT overrides_json FROM keyword_list_drafts WHERE school_id = ?').get(schoolId) as
      { overrides_json: string } | undefined;
    return r && (JSON.parse(r.overrides_json) as DraftOverrides);
  }

  saveDraft(schoolId: string, overrides: DraftOverrides, userId: string | null, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO keyword_list_drafts (school_id, overrides_json, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (school_id) DO UPDATE SET overrides_json = excluded.overrides_json,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(schoolId, JSON.stringify(overrides), now.toISOString(), userId);
  }

  latest(schoolId: string): PublishedLists | undefined {
    const r = this.latestStmt.get(schoolId) as VersionRow | undefined;
    return r && toPublished(r);
  }

  /** Every published version of a school, newest first. */
  versions(schoolId: string): PublishedLists[] {
    return (
      this.db.prepare(`${VERSION_SELECT} WHERE v.school_id = ? ORDER BY v.version DESC`).all(schoolId) as VersionRow[]
    ).map(toPublished);
  }

  /** Versions published in [from, to), oldest first. */
  publishedBetween(schoolId: string, from: string, to: string): PublishedLists[] {
    return (
      this.db
        .prepare(
          `${VERSION_SELECT} WHERE v.school_id = ? AND v.published_at >= ? AND v.published_at < ? ORDER BY v.version`,
        )
        .all(schoolId, from, to) as VersionRow[]
    ).map(toPublished);
  }

  /** Stores the next version number of the school (in one transaction with reading it). */
  insertVersion(v: Omit<PublishedLists, 'version' | 'publishedBy'>): number {
    return this.db.transaction(() => {
      const max = this.db
        .prepare('SELECT MAX(version) AS n FROM keyword_list_versions WHERE school_id = ?')
        .get(v.schoolId) as { n: number | null };
      const version = (max.n ?? 0) + 1;
      this.db
        .prepare(
          `INSERT INTO keyword_list_versions (id, school_id, version, overrides_json, policy_version, etag, published_at,
             published_by, changelog) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          v.id,
          v.schoolId,
          version,
          JSON.stringify(v.overrides),
          v.policyVersion,
          v.etag,
          v.publishedAt,
          v.publishedById,
          v.changelog,
        );
      return version;
    })();
  }

  /** Per keyword entry id: the school's captures matching it that a reviewer marked false_positive. */
  falsePositives(schoolId: string): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT matches_json FROM captures WHERE school_id = ? AND status = 'false_positive'`)
      .iterate(schoolId) as IterableIterator<{ matches_json: string }>;
    const counts = new Map<string, number>();
    for (const r of rows) {
      for (const id of new Set((JSON.parse(r.matches_json) as CaptureMatch[]).map((m) => m.entryId))) {
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    return counts;
  }
}
