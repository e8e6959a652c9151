import { mkdtempSync, rmSync, statSync } from 'node:fs';
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
