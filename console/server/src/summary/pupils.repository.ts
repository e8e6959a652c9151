import { inTransaction, type Kdb } from '../db/database';
import { loginKey, type PupilEntry } from './pupil-directory';

interface PupilRow {
  login: string;
  display_name: string;
  year_group: string | null;
}

const toEntry = (r: PupilRow): PupilEntry => ({ login: r.login, name: r.display_name, yearGroup: r.year_group });

/** Rows per INSERT when a directory is replaced (PostgreSQL takes at most 65,535 parameters a statement). */
const INSERT_CHUNK = 500;

/** Each school's pupil directory (migration 50). Portable SQL; the replace is one transaction. */
export class PupilsRepository {
  constructor(private readonly db: Kdb) {}

  async list(schoolId: string): Promise<PupilEntry[]> {
    const rows = await this.db
      .selectFrom('pupils')
      .select(['login', 'display_name', 'year_group'])
      .where('school_id', '=', schoolId)
      .orderBy('login_key')
      .execute();
    return rows.map(toEntry);
  }

  async count(schoolId: string): Promise<number> {
    const r = await this.db
      .selectFrom('pupils')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('school_id', '=', schoolId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The directory keyed by `loginKey`, for labelling pupils. */
  async directory(schoolId: string): Promise<Map<string, PupilEntry>> {
    return new Map((await this.list(schoolId)).map((p) => [loginKey(p.login), p]));
  }

  /** Replaces the school's whole directory with `pupils` (already validated: unique login keys). */
  async replace(
    schoolId: string,
    pupils: readonly PupilEntry[],
    now: Date,
  ): Promise<{ before: number; after: number }> {
    const at = now.toISOString();
    return inTransaction(this.db, async (trx) => {
      const removed = await trx.deleteFrom('pupils').where('school_id', '=', schoolId).executeTakeFirst();
      for (let i = 0; i < pupils.length; i += INSERT_CHUNK) {
        await trx
          .insertInto('pupils')
          .values(
            pupils.slice(i, i + INSERT_CHUNK).map((p) => ({
              school_id: schoolId,
              login_key: loginKey(p.login),
              login: p.login,
              display_name: p.name,
              year_group: p.yearGroup,
              updated_at: at,
            })),
          )
          .execute();
      }
      return { before: Number(removed.numDeletedRows), after: pupils.length };
    });
  }
}
