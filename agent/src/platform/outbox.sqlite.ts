import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Value } from '@sinclair/typebox/value';
import { CaptureMetadataSchema } from '@vigil/shared';
import { AgentError } from '../errors';
import type { CaptureUpload, Outbox, OutboxItem, OutboxItemState, SetAsideReason } from '../core/ports';

/**
 * Migrations, in order; `PRAGMA user_version` is how many have run. Never edit one that has
 * shipped: add the next.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE outbox (
     seq             INTEGER PRIMARY KEY AUTOINCREMENT,
     id              TEXT    NOT NULL UNIQUE,
     metadata        TEXT    NOT NULL,
     screenshot      BLOB    NOT NULL,
     thumbnail       BLOB    NOT NULL,
     enqueued_at     INTEGER NOT NULL,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     last_error      TEXT
   );
   CREATE INDEX outbox_next_attempt ON outbox (next_attempt_at);
   CREATE TABLE set_aside (
     id           TEXT    PRIMARY KEY,
     metadata     TEXT    NOT NULL,
     screenshot   BLOB    NOT NULL,
     thumbnail    BLOB    NOT NULL,
     enqueued_at  INTEGER NOT NULL,
     attempts     INTEGER NOT NULL,
     set_aside_at INTEGER NOT NULL,
     code         TEXT    NOT NULL,
     http_status  INTEGER,
     console_code TEXT
   );`,
];

export const OUTBOX_SCHEMA_VERSION = MIGRATIONS.length;

interface OutboxRow {
  id: string;
  metadata: string;
  screenshot: Buffer;
  thumbnail: Buffer;
  enqueued_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * The durable outbox: one SQLite file (WAL, synchronous=FULL), images stored in the rows, every
 * change one transaction, so a crash at any instant loses no queued capture and tears none.
 */
export class SqliteOutbox implements Outbox {
  private constructor(private readonly db: Database.Database) {}

  /** Opens (creating, mode 0600, and migrating) the outbox at `file`. */
  static open(file: string): SqliteOutbox {
    // Create the file owner-only first: SQLite gives its -wal and -shm files the same mode.
    closeSync(openSync(file, 'a', 0o600));
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteOutbox(db);
  }

  enqueue(capture: CaptureUpload, now: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO outbox (id, metadata, screenshot, thumbnail, enqueued_at, attempts, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT (id) DO NOTHING`,
      )
      .run(
        capture.metadata.id,
        JSON.stringify(capture.metadata),
        toBuffer(capture.screenshot),
        toBuffer(capture.thumbnail),
        now,
        now,
      );
    return Promise.resolve();
  }

  peekReady(now: number): Promise<OutboxItem | undefined> {
    const select = this.db.prepare<[number], OutboxRow>(
      `SELECT id, metadata, screenshot, thumbnail, enqueued_at, attempts, next_attempt_at, last_error
       FROM outbox WHERE next_attempt_at <= ? ORDER BY seq LIMIT 1`,
    );
    for (;;) {
      const row = select.get(now);
      if (!row) return Promise.resolve(undefined);
      const item = readRow(row);
      if (item) return Promise.resolve(item);
      // Unreadable (disk damage, or a bug in an older agent): keep it, but out of the way.
      this.moveAside(row.id, { code: 'AGENT_ERR_OUTBOX_ITEM_INVALID', httpStatus: null, consoleCode: null }, now, 0);
    }
  }

  get(id: string): Promise<OutboxItem | undefined> {
    const row = this.db
      .prepare<[string], OutboxRow>(
        `SELECT id, metadata, screenshot, thumbnail, enqueued_at, attempts, next_attempt_at, last_error
         FROM outbox WHERE id = ?`,
      )
      .get(id);
    return Promise.resolve(row ? readRow(row) : undefined);
  }

  ack(id: string): Promise<void> {
    this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
    return Promise.resolve();
  }

  defer(id: string, nextAttemptAt: number, errorCode: string): Promise<void> {
    this.db
      .prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?')
      .run(nextAttemptAt, errorCode, id);
    return Promise.resolve();
  }

  setAside(id: string, reason: SetAsideReason, now: number): Promise<void> {
    this.moveAside(id, reason, now, 1);
    return Promise.resolve();
  }

  state(id: string): Promise<OutboxItemState> {
    if (this.db.prepare('SELECT 1 FROM outbox WHERE id = ?').get(id)) return Promise.resolve('pending');
    if (this.db.prepare('SELECT 1 FROM set_aside WHERE id = ?').get(id)) return Promise.resolve('set-aside');
    return Promise.resolve('absent');
  }

  depth(): Promise<number> {
    return Promise.resolve(this.count('outbox'));
  }

  setAsideCount(): Promise<number> {
    return Promise.resolve(this.count('set_aside'));
  }

  nextAttemptAt(): Promise<number | undefined> {
    const row = this.db.prepare<[], { next: number | null }>('SELECT MIN(next_attempt_at) AS next FROM outbox').get();
    return Promise.resolve(row?.next ?? undefined);
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  private count(table: 'outbox' | 'set_aside'): number {
    const row = this.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get();
    return row?.n ?? 0;
  }

  private moveAside(id: string, reason: SetAsideReason, now: number, extraAttempts: number): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO set_aside
             (id, metadata, screenshot, thumbnail, enqueued_at, attempts, set_aside_at, code, http_status, console_code)
           SELECT id, metadata, screenshot, thumbnail, enqueued_at, attempts + ?, ?, ?, ?, ?
           FROM outbox WHERE id = ?`,
        )
        .run(extraAttempts, now, reason.code, reason.httpStatus, reason.consoleCode, id);
      this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
    })();
  }
}

function migrate(db: Database.Database): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version > MIGRATIONS.length) {
    throw new AgentError(
      'AGENT_ERR_OUTBOX_VERSION_UNSUPPORTED',
      `The outbox is at schema version ${version}; this agent knows up to ${MIGRATIONS.length}. Upgrade the agent (the queued captures are kept).`,
    );
  }
  db.transaction(() => {
    for (let next = version; next < MIGRATIONS.length; next++) {
      db.exec(MIGRATIONS[next] ?? '');
      db.pragma(`user_version = ${next + 1}`);
    }
  })();
}

function readRow(row: OutboxRow): OutboxItem | undefined {
  let metadata: unknown;
  try {
    metadata = JSON.parse(row.metadata);
  } catch {
    return undefined;
  }
  if (!Value.Check(CaptureMetadataSchema, metadata) || metadata.id !== row.id) return undefined;
  if (!Buffer.isBuffer(row.screenshot) || !Buffer.isBuffer(row.thumbnail)) return undefined;
  return {
    id: row.id,
    metadata,
    screenshot: row.screenshot,
    thumbnail: row.thumbnail,
    enqueuedAt: row.enqueued_at,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
  };
}
