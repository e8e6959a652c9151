import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  sql,
  type Compilable,
  type QueryResult,
  type RawBuilder,
} from 'kysely';
import { VigilSqliteDialect } from './sqlite-dialect';
import pg from 'pg';
import { MIGRATIONS, type Migration } from './migrations';
import type { Schema } from './schema';
import { cacheStatements } from './statement-cache';

/** The better-sqlite3 handle (SQLite deployments; tests that look inside the database). */
export type Db = Database.Database;
/** The query layer every repository runs on: one Kysely over SQLite or PostgreSQL. */
export type Kdb = Kysely<Schema>;
export type Dialect = 'sqlite' | 'postgres';

/** The console's database: the dialect chosen by config, and Kysely over it. */
export interface ConsoleDatabase {
  readonly dialect: Dialect;
  readonly kysely: Kdb;
  /** SQLite only: the connection under Kysely (the write batcher; the bench's seeding); null on PostgreSQL. */
  readonly sqlite: Db | null;
  close(): Promise<void>;
}

/**
 * SQLite: how a Prepared on this Kysely instance may run its statement at once (null: go through
 * Kysely). Set for the console's connection (when no transaction holds it) and for a write batch's
 * transaction (which holds the writer's); see VigilSqliteDialect.
 */
const DIRECT = new WeakMap<Kdb, (sql: string, parameters: readonly unknown[]) => QueryResult<unknown> | null>();

/** A Kysely over SQLite whose Prepared statements run without Kysely's executor when they can. */
export function sqliteKysely(db: Db): { kysely: Kdb; dialect: VigilSqliteDialect } {
  const dialect = new VigilSqliteDialect(db);
  const kysely = new Kysely<Schema>({ dialect });
  DIRECT.set(kysely, (q, p) => dialect.runIfFree(q, p));
  return { kysely, dialect };
}

/** Within `trx`, which holds the connection of `dialect`, Prepared statements run at once. */
export function runPreparedDirectly(trx: Kdb, dialect: VigilSqliteDialect): void {
  DIRECT.set(trx, (q, p) => dialect.runHeld(q, p));
}

/**
 * A hot query built and compiled once per dialect, then run with new parameter values: Kysely
 * otherwise rebuilds and recompiles the query on every call (most of its cost over raw
 * better-sqlite3). `build` gets placeholder values and must use each argument exactly as a value.
 */
export class Prepared<Args extends readonly unknown[], Row> {
  private readonly byAdapter = new Map<unknown, { sql: string; order: number[] }>();

  constructor(
    private readonly arity: number,
    private readonly build: (db: Kdb, ...args: Args) => Compilable<Row> | RawBuilder<Row>,
  ) {}

  async execute(db: Kdb, ...args: Args): Promise<{ rows: Row[]; changes: number }> {
    const adapter = db.getExecutor().adapter;
    let compiled = this.byAdapter.get(adapter);
    if (!compiled) {
      const marks = Array.from({ length: this.arity }, (_, i) => `\u0000vigil-arg-${i}\u0000`);
      const query = this.build(db, ...(marks as unknown as Args));
      // Raw SQL (sql`…`) compiles with the Kysely instance; a query builder ignores the argument.
      const c = (query as { compile(provider: Kdb): CompiledQuery }).compile(db);
      const order = c.parameters.map((p) => marks.indexOf(p as string));
      if (order.some((i) => i < 0)) throw new Error('Prepared: every parameter must be an argument');
      compiled = { sql: c.sql, order };
      this.byAdapter.set(adapter, compiled);
    }
    const params = compiled.order.map((i) => args[i]);
    const direct = DIRECT.get(db);
    const now = direct?.(compiled.sql, params);
    if (now) return { rows: now.rows as Row[], changes: Number(now.numAffectedRows ?? 0) };
    const result = await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, params));
    return { rows: result.rows, changes: Number(result.numAffectedRows ?? 0) };
  }
}

/** Where the database is: `databaseUrl` (postgres://…) wins; otherwise the SQLite file. */
export interface DatabaseTarget {
  databasePath: string;
  databaseUrl?: string | null;
}

/** Opens (creating if need be) the console's SQLite database and brings its schema up to date. */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  cacheStatements(db);
  return db;
}

/** COUNT(*) is a bigint (int8) and SUM a numeric on PostgreSQL: read both as JS numbers, as SQLite gives them. */
const PG_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 || oid === 1700
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

// One name (so one cached statement): a name refers to the newest savepoint of it, which suits nesting.
const SAVEPOINT = {
  open: CompiledQuery.raw('SAVEPOINT vigil_nested'),
  release: CompiledQuery.raw('RELEASE SAVEPOINT vigil_nested'),
  rollback: CompiledQuery.raw('ROLLBACK TO SAVEPOINT vigil_nested'),
};

/**
 * Runs `fn` in a transaction: a new one, or, when `db` already is one (a repository used inside a
 * batch of writes, see write-batcher.ts), a savepoint in it, so a failure undoes only `fn`'s work
 * (SAVEPOINT is the same on SQLite and PostgreSQL).
 */
export async function inTransaction<T>(db: Kdb, fn: (trx: Kdb) => Promise<T>): Promise<T> {
  if (!db.isTransaction) return db.transaction().execute(fn);
  await db.executeQuery(SAVEPOINT.open);
  try {
    const result = await fn(db);
    await db.executeQuery(SAVEPOINT.release);
    return result;
  } catch (err) {
    await db.executeQuery(SAVEPOINT.rollback);
    await db.executeQuery(SAVEPOINT.release);
    throw err;
  }
}

/** Opens the database chosen by config, migrated to the current schema. */
export async function openConsoleDatabase(
  target: DatabaseTarget,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<ConsoleDatabase> {
  if (target.databaseUrl) {
    const pool = new pg.Pool({ connectionString: target.databaseUrl, max: 10, types: PG_TYPES });
    const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migratePostgres(kysely, migrations);
    } catch (err) {
      await kysely.destroy();
      throw err;
    }
    return { dialect: 'postgres', kysely, sqlite: null, close: () => kysely.destroy() };
  }
  const db = openDatabase(target.databasePath, migrations);
  const { kysely } = sqliteKysely(db);
  return { dialect: 'sqlite', kysely, sqlite: db, close: () => kysely.destroy() };
}

export function migrate(db: Db, migrations: readonly Migration[]): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((r) => (r as { version: number }).version),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  let count = 0;
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
    count += 1;
  }
  return count;
}

/**
 * The same migrations on PostgreSQL, each in a transaction, using a migration's `postgres` variant
 * where it has one. An advisory lock keeps two consoles starting at once from both migrating.
 */
export async function migratePostgres(kysely: Kdb, migrations: readonly Migration[]): Promise<number> {
  return kysely.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(7146)`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`.execute(conn);
      const applied = new Set(
        (await conn.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version),
      );
      let count = 0;
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        await conn.transaction().execute(async (trx) => {
          await sql.raw(m.postgres ?? m.sql).execute(trx);
          await trx
            .insertInto('schema_migrations')
            .values({ version: m.version, name: m.name, applied_at: new Date().toISOString() })
            .execute();
        });
        count += 1;
      }
      return count;
    } finally {
      await sql`SELECT pg_advisory_unlock(7146)`.execute(conn);
    }
  });
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/** The schema version of either dialect. */
export async function currentSchemaVersion(kysely: Kdb): Promise<number> {
  const row = await kysely
    .selectFrom('schema_migrations')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return row?.v ?? 0;
}
