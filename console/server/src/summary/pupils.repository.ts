import type { Db } from '../db/database';
import { loginKey, type PupilEntry } from './pupil-directory';

interface PupilRow {
  login: string;
  display_name: string;
  year_group: string | null;
}

const toEntry = (r: PupilRow): PupilEntry => ({ login: r.login, name: r.display_name, yearGroup: r.year_group });

/** Each school's pupil directory (migration 50). Portable SQL; the replace is one transaction. */
export class PupilsRepository {
  constructor(private readonly db: Db) {}

  list(schoolId: string): PupilEntry[] {
    return (
      this.db
        .prepare('SELECT login, display_name, year_group FROM pupils WHERE school_id = ? ORDER BY login_key')
        .all(schoolId) as PupilRow[]
    ).map(toEntry);
  }

  count(schoolId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM pupils WHERE school_id = ?').get(schoolId) as { n: number }).n;
  }

  /** The directory keyed by `loginKey`, for labelling pupils. */
  directory(schoolId: string): Map<string, PupilEntry> {
    return new Map(this.list(schoolId).map((p) => [loginKey(p.login), p]));
  }

  /** Replaces the school's whole directory with `pupils` (already validated: unique login keys). */
  replace(schoolId: string, pupils: readonly PupilEntry[], now: Date): { before: number; after: number } {
    const remove = this.db.prepare('DELETE FROM pupils WHERE school_id = ?');
    const insert = this.db.prepare(
      `INSERT INTO pupils (school_id, login_key, login, display_name, year_group, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const at = now.toISOString();
    return this.db.transaction(() => {
      const before = remove.run(schoolId).changes;
      for (const p of pupils) insert.run(schoolId, loginKey(p.login), p.login, p.name, p.yearGroup, at);
      return { before, after: pupils.length };
    })();
  }
}
