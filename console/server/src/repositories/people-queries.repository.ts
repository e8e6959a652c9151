import type { Db } from '../db/database';

export interface OverviewCaptureRow {
  capturedAt: string;
  severity: number;
  matchesJson: string;
  user: string;
}

/**
 * Read-only queries of the overview and subject access, over the captures table (portable SQL;
 * the JSON of matches is read in the service, not with SQLite's json functions).
 */
export class PeopleQueriesRepository {
  constructor(private readonly db: Db) {}

  /** Captures of a school in [from, to], except those reviewed as false positives. */
  concernsBetween(schoolId: string, from: string, to: string): OverviewCaptureRow[] {
    return (
      this.db
        .prepare(
          `SELECT captured_at, severity, matches_json, user_name FROM captures
           WHERE school_id = ? AND captured_at >= ? AND captured_at <= ? AND status <> 'false_positive'`,
        )
        .all(schoolId, from, to) as { captured_at: string; severity: number; matches_json: string; user_name: string }[]
    ).map((r) => ({ capturedAt: r.captured_at, severity: r.severity, matchesJson: r.matches_json, user: r.user_name }));
  }

  /** Captures nobody has reviewed yet (status `new`), however old. */
  backlog(schoolId: string): { unreviewed: number; oldestUnreviewedAt: string | null } {
    const r = this.db
      .prepare("SELECT COUNT(*) AS n, MIN(captured_at) AS oldest FROM captures WHERE school_id = ? AND status = 'new'")
      .get(schoolId) as { n: number; oldest: string | null };
    return { unreviewed: r.n, oldestUnreviewedAt: r.oldest };
  }

  /** Ids of a pupil's captures at a school, oldest first. */
  captureIdsOfPupil(schoolId: string, user: string): string[] {
    return (
      this.db
        .prepare('SELECT id FROM captures WHERE school_id = ? AND user_name = ? ORDER BY captured_at, id')
        .all(schoolId, user) as { id: string }[]
    ).map((r) => r.id);
  }

  /** Devices of the school that a pupil used: where they were captured, or last signed in. */
  deviceIdsOfPupil(schoolId: string, user: string): string[] {
    return (
      this.db
        .prepare(
          `SELECT DISTINCT device_id AS id FROM captures WHERE school_id = ? AND user_name = ?
           UNION SELECT id FROM devices WHERE school_id = ? AND last_user = ?`,
        )
        .all(schoolId, user, schoolId, user) as { id: string }[]
    ).map((r) => r.id);
  }
}
