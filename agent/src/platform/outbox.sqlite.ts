import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Value } from '@sinclair/typebox/value';
import { CaptureMetadataSchema } from '@vigil/shared';
import { AgentError } from '../errors';
import type { CaptureUpload, Outbox, OutboxItem, OutboxItemState, SetAsideReason } from '../core/ports';
import { loadOrCreateKey, seal, unseal } from './sealed-box';

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
  // 2: sealed rows (AES-256-GCM with the device's outbox key), severity-first upload order, a size cap.
  `ALTER TABLE outbox ADD COLUMN severity INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE outbox ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE outbox ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE set_aside ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX outbox_upload_order ON outbox (severity DESC, seq);
   CREATE TABLE evicted (
     id         TEXT    PRIMARY KEY,
     severity   INTEGER NOT NULL,
     bytes      INTEGER NOT NULL,
     evicted_at INTEGER NOT NULL
   );`,
  // 3: the queue's size from a small index, not by walking every row's images on each enqueue.
  `CREATE INDEX outbox_size ON outbox (bytes);`,
];

/** Default size cap of the queue: 500 MB. */
export const DEFAULT_OUTBOX_MAX_BYTES = 500 * 1024 * 1024;
/** Captures at or above this severity are never evicted to make room. */
export const NEVER_EVICT_SEVERITY = 4;

export interface SqliteOutboxOptions {
  /** The 32-byte key that seals rows; by default `outbox.key` beside the database (made on first use). */
  key?: Buffer;
  /** Size cap of queued captures; the oldest low-severity ones make room. */
  maxBytes?: number;
}

export const OUTBOX_SCHEMA_VERSION = MIGRATIONS.length;

interface OutboxRow {
  id: string;
  metadata: string | Buffer;
  sealed: number;
  screenshot: Buffer;
  thumbnail: Buffer;
  enqueued_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

/**
 * The durable outbox: one SQLite file (WAL, synchronous=FULL), images stored in the rows, every
 * change one transaction, so a crash at any instant loses no queued capture and tears none.
 */
export class SqliteOutbox implements Outbox {
  private constructor(
    private readonly db: Database.Database,
    private readonly key: Buffer,
    private maxBytes: number,
  ) {}

  /**
   * Opens (creating, mode 0600, and migrating) the outbox at `file`. Every row's metadata and
   * images are sealed with the device's key, so a copied disk or database file shows nothing.
   */
  static open(file: string, options: SqliteOutboxOptions = {}): SqliteOutbox {
    const key = options.key ?? loadOrCreateKey(path.join(path.dirname(file), 'outbox.key'));
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
    return new SqliteOutbox(db, key, options.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES);
  }

  enqueue(capture: CaptureUpload, now: number): Promise<void> {
    const id = capture.metadata.id;
    const metadata = seal(this.key, Buffer.from(JSON.stringify(capture.metadata), 'utf8'), id);
    const screenshot = seal(this.key, capture.screenshot, id);
    const thumbnail = seal(this.key, capture.thumbnail, id);
    const bytes = metadata.length + screenshot.length + thumbnail.length;
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO outbox (id, metadata, screenshot, thumbnail, enqueued_at, attempts, next_attempt_at, severity, bytes, sealed)
           VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, 1) ON CONFLICT (id) DO NOTHING`,
        )
        .run(id, metadata, screenshot, thumbnail, now, now, capture.metadata.severity, bytes);
      this.evictOverCap(now);
    })();
    return Promise.resolve();
  }

  /** Raises the occurrence count of a capture still waiting; false when it has already left. */
  bumpCount(id: string, count: number): Promise<boolean> {
    return Promise.resolve(
      this.db.transaction(() => {
        const row = this.db.prepare<[string], OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE id = ?`).get(id);
        const item = row && this.readRow(row);
        if (!item) return false;
        const metadata = { ...item.metadata, count: Math.max(item.metadata.count, count) };
        this.db
          .prepare('UPDATE outbox SET metadata = ? WHERE id = ?')
          .run(seal(this.key, Buffer.from(JSON.stringify(metadata), 'utf8'), id), id);
        return true;
      })(),
    );
  }

  /** Changes the size cap (the school's policy sets it); applies from the next capture queued. */
  setMaxBytes(maxBytes: number): void {
    this.maxBytes = maxBytes;
  }

  /** How many captures were evicted to keep under the size cap. */
  evictedCount(): number {
    return this.count('evicted');
  }

  private evictOverCap(now: number): void {
    const total = () =>
      this.db.prepare<[], { total: number | null }>('SELECT SUM(bytes) AS total FROM outbox').get()?.total ?? 0;
    if (total() <= this.maxBytes) return;
    const victims = this.db
      .prepare<[number], { id: string; severity: number; bytes: number }>(
        'SELECT id, severity, bytes FROM outbox WHERE severity < ? ORDER BY severity, seq',
      )
      .all(NEVER_EVICT_SEVERITY);
    let over = total() - this.maxBytes;
    for (const v of victims) {
      if (over <= 0) break;
      this.db.prepare('DELETE FROM outbox WHERE id = ?').run(v.id);
      this.db
        .prepare('INSERT OR REPLACE INTO evicted (id, severity, bytes, evicted_at) VALUES (?, ?, ?, ?)')
        .run(v.id, v.severity, v.bytes, now);
      over -= v.bytes;
    }
  }

  peekReady(now: number): Promise<OutboxItem | undefined> {
    // Pick the row by the upload-order index, then read only that row: sorting every ready row
    // (images included) made each call cost as much as the whole queue.
    const pick = this.db.prepare<[number], { seq: number }>(
      `SELECT seq FROM outbox INDEXED BY outbox_upload_order WHERE next_attempt_at <= ?
       ORDER BY severity DESC, seq LIMIT 1`,
    );
    const read = this.db.prepare<[number], OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE seq = ?`);
    for (;;) {
      const picked = pick.get(now);
      const row = picked && read.get(picked.seq);
      if (!row) return Promise.resolve(undefined);
      const item = this.readRow(row);
      if (item) return Promise.resolve(item);
      // Unreadable (disk damage, or a bug in an older agent): keep it, but out of the way.
      this.moveAside(row.id, { code: 'AGENT_ERR_OUTBOX_ITEM_INVALID', httpStatus: null, consoleCode: null }, now, 0);
    }
  }

  get(id: string): Promise<OutboxItem | undefined> {
    const row = this.db.prepare<[string], OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE id = ?`).get(id);
    return Promise.resolve(row ? this.readRow(row) : undefined);
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

  private readRow(row: OutboxRow): OutboxItem | undefined {
    if (row.sealed !== 1) return readRow(row);
    const open = (value: string | Buffer) => (Buffer.isBuffer(value) ? unseal(this.key, value, row.id) : undefined);
    const metadata = open(row.metadata);
    const screenshot = open(row.screenshot);
    const thumbnail = open(row.thumbnail);
    if (!metadata || !screenshot || !thumbnail) return undefined;
    return readRow({ ...row, metadata: metadata.toString('utf8'), screenshot, thumbnail });
  }

  private count(table: 'outbox' | 'set_aside' | 'evicted'): number {
    const row = this.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get();
    return row?.n ?? 0;
  }

  private moveAside(id: string, reason: SetAsideReason, now: number, extraAttempts: number): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO set_aside
             (id, metadata, screenshot, thumbnail, enqueued_at, attempts, set_aside_at, code, http_status, console_code, sealed)
           SELECT id, metadata, screenshot, thumbnail, enqueued_at, attempts + ?, ?, ?, ?, ?, sealed
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

const COLUMNS = 'id, metadata, screenshot, thumbnail, enqueued_at, attempts, next_attempt_at, last_error, sealed';

function readRow(row: OutboxRow): OutboxItem | undefined {
  let metadata: unknown;
  try {
    metadata = JSON.parse(typeof row.metadata === 'string' ? row.metadata : row.metadata.toString('utf8'));
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
