import type Database from 'better-sqlite3';

/** Distinct SQL texts kept prepared; beyond this, statements are prepared each time (dynamic filters). */
const MAX_CACHED = 2000;

/**
 * Makes `db.prepare(sql)` return an already prepared statement for SQL it has seen: preparing is
 * tens of microseconds each time, which on the agents' hot paths (device auth, heartbeat, ingest)
 * was a large share of the work. A cached statement has its modes reset (pluck, raw, expand) so a
 * caller that chains `.pluck()` does not change what the next caller gets; one still running (an
 * `iterate()` in progress) is never handed out twice.
 */
export function cacheStatements(db: Database.Database): void {
  const prepare = db.prepare.bind(db) as (sql: string) => Database.Statement;
  const cache = new Map<string, Database.Statement>();
  (db as { prepare: (sql: string) => Database.Statement }).prepare = (sql: string) => {
    const hit = cache.get(sql);
    if (hit && !hit.busy) {
      if (hit.reader) hit.pluck(false).expand(false).raw(false);
      return hit;
    }
    const statement = prepare(sql);
    if (!hit && cache.size < MAX_CACHED) cache.set(sql, statement);
    return statement;
  };
}
