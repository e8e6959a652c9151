import type { Kdb } from '../db/database';

export interface OverviewCaptureRow {
  capturedAt: string;
  severity: number;
  matchesJson: string;
  user: string;
}

/**
 * Read-only queries of the overview and subject access, over the captures table (portable; the
 * JSON of matches is read in the service, not with either database's JSON functions).
 */
export class PeopleQueriesRepository {
  constructor(private readonly db: Kdb) {}

  /** Captures of a school in [from, to], except those reviewed as false positives. */
  async concernsBetween(schoolId: string, from: string, to: string): Promise<OverviewCaptureRow[]> {
    const rows = await this.db
      .selectFrom('captures')
      .select(['captured_at', 'severity', 'matches_json', 'user_name'])
      .where('school_id', '=', schoolId)
      .where('captured_at', '>=', from)
      .where('captured_at', '<=', to)
      .where('status', '<>', 'false_positive')
      .execute();
    return rows.map((r) => ({
      capturedAt: r.captured_at,
      severity: r.severity,
      matchesJson: r.matches_json,
      user: r.user_name,
    }));
  }

  /** Captures nobody has reviewed yet (status `new`), however old. */
  async backlog(schoolId: string): Promise<{ unreviewed: number; oldestUnreviewedAt: string | null }> {
    const r = await this.db
      .selectFrom('captures')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('captured_at').as('oldest')])
      .where('school_id', '=', schoolId)
      .where('status', '=', 'new')
      .executeTakeFirst();
    return { unreviewed: Number(r?.n ?? 0), oldestUnreviewedAt: r?.oldest ?? null };
  }

  /** Ids of a pupil's captures at a school, oldest first. */
  async captureIdsOfPupil(schoolId: string, user: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('captures')
      .select('id')
      .where('school_id', '=', schoolId)
      .where('user_name', '=', user)
      .orderBy('captured_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Devices of the school that a pupil used: where they were captured, or last signed in. */
  async deviceIdsOfPupil(schoolId: string, user: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('captures')
      .select('device_id as id')
      .where('school_id', '=', schoolId)
      .where('user_name', '=', user)
      .union(this.db.selectFrom('devices').select('id').where('school_id', '=', schoolId).where('last_user', '=', user))
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }
}
