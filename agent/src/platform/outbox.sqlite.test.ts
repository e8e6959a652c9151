import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { capture, outboxContract } from '../test-support/outbox-contract';
import { OUTBOX_SCHEMA_VERSION, SqliteOutbox } from './outbox.sqlite';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-outbox-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

outboxContract('sqlite', () => Promise.resolve(SqliteOutbox.open(path.join(dir, 'outbox.sqlite'))));

describe('SqliteOutbox', () => {
  const file = (): string => path.join(dir, 'outbox.sqlite');

  it('keeps queued, deferred and set-aside items across a restart', async () => {
    const [a, b, c] = [capture(T0), capture(T0 + 1, [7, 7]), capture(T0 + 2)];
    const first = SqliteOutbox.open(file());
    for (const x of [a, b, c]) await first.enqueue(x, T0);
    await first.defer(b.metadata.id, T0 + 500, 'AGENT_ERR_CONSOLE_UNREACHABLE');
    await first.setAside(c.metadata.id, { code: 'AGENT_ERR_REQUEST_REJECTED', httpStatus: 400, consoleCode: null }, T0);
    await first.close();

    const reopened = SqliteOutbox.open(file());
    expect(await reopened.depth()).toBe(2);
    expect(await reopened.setAsideCount()).toBe(1);
    expect((await reopened.peekReady(T0))!.metadata).toEqual(a.metadata);
    await reopened.ack(a.metadata.id);
    const deferred = await reopened.peekReady(T0 + 500);
    expect(deferred).toMatchObject({ id: b.metadata.id, attempts: 1, lastError: 'AGENT_ERR_CONSOLE_UNREACHABLE' });
    expect(new Uint8Array(deferred!.screenshot)).toEqual(Uint8Array.from([7, 7]));
    await reopened.close();
  });

  it('survives a process that never closed the database', async () => {
    const a = capture(T0);
    const abandoned = SqliteOutbox.open(file());
    await abandoned.enqueue(a, T0);
    // no close(): as if the process died here. A second connection sees the committed item.
    const other = SqliteOutbox.open(file());
    expect((await other.peekReady(T0))!.id).toBe(a.metadata.id);
    await other.close();
    await abandoned.close();
  });

  it('uses WAL, synchronous=FULL and a versioned schema', () => {
    SqliteOutbox.open(file()).close();
    const db = new Database(file());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(OUTBOX_SCHEMA_VERSION);
    db.close();
  });

  it('is readable by its owner only', () => {
    SqliteOutbox.open(file()).close();
    expect(statSync(file()).mode & 0o077).toBe(0);
  });

  it('refuses a schema from a newer agent, and leaves it alone', () => {
    const db = new Database(file());
    db.pragma(`user_version = ${OUTBOX_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => SqliteOutbox.open(file())).toThrow(
      expect.objectContaining({ code: 'AGENT_ERR_OUTBOX_VERSION_UNSUPPORTED' }),
    );
  });

  it('sets aside a row it cannot read back, and goes on', async () => {
    const [a, b] = [capture(T0), capture(T0 + 1)];
    const outbox = SqliteOutbox.open(file());
    await outbox.enqueue(a, T0);
    await outbox.enqueue(b, T0);
    const db = new Database(file());
    db.prepare('UPDATE outbox SET metadata = ? WHERE id = ?').run('{"not":"metadata"}', a.metadata.id);
    db.close();
    expect((await outbox.peekReady(T0))!.id).toBe(b.metadata.id);
    expect(await outbox.state(a.metadata.id)).toBe('set-aside');
    await outbox.close();
  });
});

describe('SqliteOutbox at rest', () => {
  const file = (): string => path.join(dir, 'outbox.sqlite');
  const secretContext = 'nobody would miss me if i was gone';

  it('seals metadata and images: the database file holds neither the text nor the image bytes', async () => {
    const c = capture(T0, [0xde, 0xad, 0xbe, 0xef, 0x42, 0x42, 0x42, 0x42]);
    c.metadata.context = secretContext;
    c.metadata.matches = [{ ...c.metadata.matches[0]!, start: 0, end: 6 }];
    const outbox = SqliteOutbox.open(file());
    await outbox.enqueue(c, T0);
    await outbox.close();
    const raw = Buffer.concat(
      ['', '-wal'].map((suffix) => {
        try {
          return readFileSync(file() + suffix);
        } catch {
          return Buffer.alloc(0);
        }
      }),
    );
    expect(raw.includes(Buffer.from('nobody would miss'))).toBe(false);
    expect(raw.includes(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x42, 0x42]))).toBe(false);
    const reopened = SqliteOutbox.open(file());
    expect((await reopened.peekReady(T0))!.metadata.context).toBe(secretContext);
    await reopened.close();
  });

  it('keeps its key owner-only beside the database', () => {
    SqliteOutbox.open(file());
    const key = path.join(dir, 'outbox.key');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(key)).toHaveLength(32);
  });

  it('sets aside, rather than hands out, rows it cannot open with its key', async () => {
    const first = SqliteOutbox.open(file(), { key: Buffer.alloc(32, 1) });
    await first.enqueue(capture(), T0);
    await first.close();
    const other = SqliteOutbox.open(file(), { key: Buffer.alloc(32, 2) });
    expect(await other.peekReady(T0)).toBeUndefined();
    expect(await other.setAsideCount()).toBe(1);
    await other.close();
  });

  it('keeps under its size cap by evicting the oldest low-severity captures, never severity 4 or 5', async () => {
    const image = (fill: number) => Array.from({ length: 1000 }, () => fill);
    const outbox = SqliteOutbox.open(file(), { maxBytes: 8_000 });
    const serious = capture(T0, image(1), 5);
    const oldLow = capture(T0 + 1, image(2), 2);
    const newerLow = capture(T0 + 2, image(3), 2);
    const alsoSerious = capture(T0 + 3, image(4), 4);
    for (const c of [serious, oldLow, newerLow, alsoSerious]) await outbox.enqueue(c, T0);
    expect(await outbox.state(serious.metadata.id)).toBe('pending');
    expect(await outbox.state(alsoSerious.metadata.id)).toBe('pending');
    expect(await outbox.state(oldLow.metadata.id)).toBe('absent');
    expect(await outbox.state(newerLow.metadata.id)).toBe('pending');
    expect(outbox.evictedCount()).toBe(1);
    await outbox.close();
  });
});

describe('SqliteOutbox size cap from the policy', () => {
  it('applies a new cap to the next capture queued', async () => {
    const outbox = SqliteOutbox.open(path.join(dir, 'outbox.sqlite'));
    const image = Array.from({ length: 1000 }, () => 7);
    const first = capture(T0, image, 2);
    await outbox.enqueue(first, T0);
    outbox.setMaxBytes(2_000);
    await outbox.enqueue(capture(T0 + 1, image, 5), T0);
    expect(await outbox.state(first.metadata.id)).toBe('absent');
    expect(await outbox.depth()).toBe(1);
    await outbox.close();
  });
});
