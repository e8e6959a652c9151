import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from './database';
import { WriteBatcher } from './write-batcher';

describe('WriteBatcher (group commit)', () => {
  let dir: string;
  let main: Db;
  let batcher: WriteBatcher;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-batch-'));
    const file = path.join(dir, 'vigil.sqlite');
    main = openDatabase(file);
    main.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    batcher = new WriteBatcher(file, main);
  });
  afterEach(async () => {
    await batcher.close();
    main.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const insert = (id: number, v: string | null) => (db: Db) =>
    db.prepare('INSERT INTO t (id, v) VALUES (?, ?)').run(id, v);
  // The batcher's repositories hide its connection; a raw statement through one of them reaches it.
  const writerDb = (r: { captures: unknown }) => (r.captures as unknown as { db: Db }).db;

  it('commits writes of one event-loop turn together, visible to the main connection once answered', async () => {
    const results = await Promise.all(
      [1, 2, 3].map((i) => batcher.run((r) => insert(i, `v${i}`)(writerDb(r)).changes)),
    );
    expect(results).toEqual([1, 1, 1]);
    expect(main.prepare('SELECT id, v FROM t ORDER BY id').all()).toEqual([
      { id: 1, v: 'v1' },
      { id: 2, v: 'v2' },
      { id: 3, v: 'v3' },
    ]);
  });

  it('a write that throws fails only its own caller', async () => {
    const outcomes = await Promise.allSettled([
      batcher.run((r) => insert(10, 'ok')(writerDb(r))),
      batcher.run((r) => insert(11, null)(writerDb(r))), // NOT NULL
      batcher.run((r) => insert(12, 'ok')(writerDb(r))),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(main.prepare('SELECT id FROM t ORDER BY id').pluck().all()).toEqual([10, 12]);
  });
});
