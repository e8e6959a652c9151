import fs from 'node:fs/promises';
import type { VigilSqliteDialect } from './sqlite-dialect';
import { openDatabase, runPreparedDirectly, sqliteKysely, type ConsoleDatabase, type Db, type Kdb } from './database';
import { CapturesRepository } from '../repositories/captures.repository';
import { DevicesRepository } from '../repositories/devices.repository';
import { CaptureGroupsRepository } from '../repositories/capture-groups.repository';

/** The repositories a batched write may use (over the writer's transaction, `db`). */
export interface BatchRepos {
  db: Kdb;
  captures: CapturesRepository;
  devices: DevicesRepository;
  groups: CaptureGroupsRepository;
}

const reposOver = (db: Kdb, dialect: VigilSqliteDialect | null = null): BatchRepos => {
  if (dialect) runPreparedDirectly(db, dialect);
  return reposOf(db);
};
const reposOf = (db: Kdb): BatchRepos => ({
  db,
  captures: new CapturesRepository(db),
  devices: new DevicesRepository(db),
  groups: new CaptureGroupsRepository(db),
});

interface Pending {
  fn: (repos: BatchRepos) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit of agents' writes (capture rows, heartbeats), durable before anyone is answered.
 *
 * With `synchronous = FULL` every commit waits for an fsync (2–3 ms on this VM) and better-sqlite3
 * waits on the event loop, so one commit per request capped writes at a few hundred a second and
 * stalled every other request meanwhile. Here, writes queued during one turn of the event loop run
 * in one transaction on a second connection with `synchronous = NORMAL` (the commit writes the WAL
 * without an fsync), then one fsync of the WAL file runs in the thread pool, off the event loop;
 * each caller's promise settles only after that fsync, so an agent's 201 still means "on disk".
 * fsync is per file, so it makes whatever this connection wrote to the WAL durable; a checkpoint in
 * between fsyncs the WAL itself first. Other writes (sign-in, audit) keep the main connection's
 * `synchronous = FULL`. A write that throws is retried alone, so it fails only its own request.
 * The batch is one Kysely transaction; on SQLite it runs to its commit without yielding to other
 * requests (better-sqlite3 is synchronous), so the writes must be database work only.
 *
 * On PostgreSQL there is nothing to batch here (the server does its own group commit over a pool
 * of connections): each write runs at once in its own transaction.
 */
export class WriteBatcher {
  private readonly kysely: Kdb;
  /** The writer's dialect (separate SQLite connection only): a batch's Prepared statements run at once on it. */
  private readonly dialect: VigilSqliteDialect | null = null;
  private readonly separate: boolean;
  private readonly direct: boolean;
  private readonly walPath: string | null;
  private wal: fs.FileHandle | null = null;
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(database: ConsoleDatabase, databasePath: string) {
    this.direct = database.sqlite === null;
    this.separate = !this.direct && databasePath !== ':memory:';
    if (this.separate) {
      const writer: Db = openDatabase(databasePath);
      writer.pragma('synchronous = NORMAL');
      ({ kysely: this.kysely, dialect: this.dialect } = sqliteKysely(writer));
    } else {
      this.kysely = database.kysely;
    }
    this.walPath = this.separate ? `${databasePath}-wal` : null;
  }

  run<T>(fn: (repos: BatchRepos) => Promise<T>): Promise<T> {
    if (this.direct) return this.kysely.transaction().execute((trx) => fn(reposOver(trx)));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        fn: fn as (repos: BatchRepos) => Promise<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Commits everything queued now, then makes it durable and answers the callers. */
  async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      const values = await this.kysely.transaction().execute(async (trx) => {
        const repos = reposOver(trx, this.dialect);
        const out: unknown[] = [];
        for (const p of batch) out.push(await p.fn(repos));
        return out;
      });
      for (const value of values) outcomes.push({ ok: true, value });
    } catch {
      outcomes.length = 0;
      for (const p of batch) {
        try {
          outcomes.push({
            ok: true,
            value: await this.kysely.transaction().execute((trx) => p.fn(reposOver(trx, this.dialect))),
          });
        } catch (err) {
          outcomes.push({ ok: false, value: err });
        }
      }
    }
    try {
      await this.durable();
    } catch (err) {
      batch.forEach((p) => p.reject(err));
      return;
    }
    batch.forEach((p, i) => (outcomes[i]!.ok ? p.resolve(outcomes[i]!.value) : p.reject(outcomes[i]!.value)));
  }

  /** An fsync of the WAL that starts after this call (joining one queued behind a running one). */
  private durable(): Promise<void> {
    if (!this.walPath) return Promise.resolve();
    if (!this.inFlight) {
      this.inFlight = this.syncWal().finally(() => {
        this.inFlight = null;
      });
      return this.inFlight;
    }
    // The running fsync may have started before this commit: one more after it covers every waiter.
    this.next ??= this.inFlight.then(() => {
      this.next = null;
      return this.durable();
    });
    return this.next;
  }

  private async syncWal(): Promise<void> {
    if (!this.wal) {
      try {
        this.wal = await fs.open(this.walPath!, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
    }
    await this.wal.sync();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.inFlight;
    await this.next;
    await this.wal?.close();
    this.wal = null;
    if (this.separate) await this.kysely.destroy();
  }
}
