import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openConsoleDatabase, type ConsoleDatabase, type Db } from './database';
import { WriteBatcher, type BatchRepos } from './write-batcher';

describe('WriteBatcher (group commit)', () => {
  let dir: string;
  let database: ConsoleDatabase;
  let main: Db;
  let batcher: WriteBatcher;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-batch-'));
    const file = path.join(dir, 'vigil.sqlite');
    database = await openConsoleDatabase({ databasePath: file });
    main = database.sqlite!;
    main.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    batcher = new WriteBatcher(database, file);
  });
  afterEach(async () => {
    await batcher.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // A raw statement in the batch's transaction, on the writer's connection.
  const insert = (id: number, v: string | null) => async (r: BatchRepos) =>
    Number((await sql`INSERT INTO t (id, v) VALUES (${id}, ${v})`.execute(r.db)).numAffectedRows);

  it('commits writes of one event-loop turn together, visible to the main connection once answered', async () => {
    const results = await Promise.all([1, 2, 3].map((i) => batcher.run(insert(i, `v${i}`))));
    expect(results).toEqual([1, 1, 1]);
    expect(main.prepare('SELECT id, v FROM t ORDER BY id').all()).toEqual([
      { id: 1, v: 'v1' },
      { id: 2, v: 'v2' },
      { id: 3, v: 'v3' },
    ]);
  });

  it('a write that throws fails only its own caller', async () => {
    const outcomes = await Promise.allSettled([
      batcher.run(insert(10, 'ok')),
      batcher.run(insert(11, null)), // NOT NULL
      batcher.run(insert(12, 'ok')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(main.prepare('SELECT id FROM t ORDER BY id').pluck().all()).toEqual([10, 12]);
  });
});
