import type Database from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';

/**
 * Kysely's SQLite dialect with a cheaper driver for better-sqlite3's one connection.
 *
 * Kysely's own driver guards the connection with a mutex that wakes every waiter on each release
 * (`while (locked) await locked`), so with N requests waiting each query costs O(N) promise hops:
 * under 32 concurrent agents that, not query building, was most of what Kysely added to a
 * heartbeat. Here the lock is handed to the next waiter in turn (FIFO) and is free at once when
 * nobody holds it. The lock is still needed: a transaction holds the connection across awaits,
 * and another request's statement must not run inside it. A `Prepared` statement (database.ts)
 * skips the executor altogether when it may (`runIfFree`, `runHeld`).
 */
export class VigilSqliteDialect extends SqliteDialect {
  private driver: VigilSqliteDriver | null = null;

  constructor(private readonly database: Database.Database) {
    super({ database });
  }

  override createDriver(): Driver {
    this.driver = new VigilSqliteDriver(this.database);
    return this.driver;
  }

  /**
   * Runs a compiled statement at once, without Kysely's executor and its promise hops, when no
   * transaction holds the connection (better-sqlite3 is synchronous, so nothing can start one
   * meanwhile); null when one does, and the caller goes the ordinary way.
   */
  runIfFree(sql: string, parameters: readonly unknown[]): QueryResult<unknown> | null {
    if (!this.driver || this.driver.busy) return null;
    return this.runHeld(sql, parameters);
  }

  /** Runs a compiled statement at once: only for the holder of the connection (a transaction's own work). */
  runHeld(sql: string, parameters: readonly unknown[]): QueryResult<unknown> {
    return run(this.database, sql, parameters);
  }
}

function run<R>(db: Database.Database, sql: string, parameters: readonly unknown[]): QueryResult<R> {
  const stmt = db.prepare(sql);
  if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

class Lock {
  held = false;
  private waiters: (() => void)[] = [];
  private head = 0;

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    if (this.head < this.waiters.length) {
      const next = this.waiters[this.head]!;
      this.head += 1;
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters = this.waiters.slice(this.head);
        this.head = 0;
      }
      next(); // the lock passes to it, still held
      return;
    }
    this.waiters.length = 0;
    this.head = 0;
    this.held = false;
  }
}

class VigilSqliteConnection implements DatabaseConnection {
  constructor(private readonly db: Database.Database) {}

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return Promise.resolve(run<R>(this.db, compiled.sql, compiled.parameters));
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const stmt = this.db.prepare(compiled.sql);
    if (!stmt.reader) throw new Error('SQLite streams only queries that return rows');
    for (const row of stmt.iterate(compiled.parameters as unknown[])) yield { rows: [row as R] };
  }
}

const raw = (conn: DatabaseConnection, text: string): Promise<unknown> => conn.executeQuery(CompiledQuery.raw(text));
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

class VigilSqliteDriver implements Driver {
  private readonly lock = new Lock();
  private readonly connection: VigilSqliteConnection;

  constructor(private readonly db: Database.Database) {
    this.connection = new VigilSqliteConnection(db);
  }

  get busy(): boolean {
    return this.lock.held;
  }

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    return this.lock.acquire().then(() => this.connection);
  }

  releaseConnection(): Promise<void> {
    this.lock.release();
    return Promise.resolve();
  }

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await raw(conn, 'begin');
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await raw(conn, 'commit');
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await raw(conn, 'rollback');
  }

  async savepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await raw(conn, `savepoint ${ident(name)}`);
  }

  async rollbackToSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await raw(conn, `rollback to ${ident(name)}`);
  }

  async releaseSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await raw(conn, `release ${ident(name)}`);
  }

  async destroy(): Promise<void> {
    this.db.close();
  }
}
