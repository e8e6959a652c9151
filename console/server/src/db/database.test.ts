import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS } from './migrations';
import { migrate, openConsoleDatabase, openDatabase, schemaVersion } from './database';
import { DevicesRepository } from '../repositories/devices.repository';

describe('database', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-db-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the schema on first open and keeps data across reopening', () => {
    const file = path.join(dir, 'a.sqlite');
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    db.prepare("INSERT INTO organisations (id, name, created_at) VALUES ('o1', 'Trust', '2026-01-01T00:00:00Z')").run();
    db.close();
    const again = openDatabase(file);
    expect(again.prepare('SELECT name FROM organisations').all()).toEqual([{ name: 'Trust' }]);
    again.close();
  });

  it('applies each migration once', () => {
    const db = openDatabase(path.join(dir, 'b.sqlite'));
    expect(migrate(db, MIGRATIONS)).toBe(0);
    expect(migrate(db, [...MIGRATIONS, { version: 999, name: 'test', sql: 'CREATE TABLE t (x INTEGER)' }])).toBe(1);
    expect(schemaVersion(db)).toBe(999);
    db.close();
  });

  it('rolls back a failing migration completely', () => {
    const db = openDatabase(path.join(dir, 'c.sqlite'));
    const broken = {
      version: 1000,
      name: 'broken',
      sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;',
    };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all()).toEqual([]);
    expect(schemaVersion(db)).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    db.close();
  });

  it("runs a compiled-once read outside another request's open transaction, never inside it", async () => {
    const database = await openConsoleDatabase({ databasePath: path.join(dir, 'tx.sqlite') });
    const devices = new DevicesRepository(database.kysely);
    const sqlite = database.sqlite!;
    sqlite
      .prepare("INSERT INTO organisations (id, name, created_at) VALUES ('o1', 'Trust', '2026-01-01T00:00:00Z')")
      .run();
    sqlite
      .prepare(
        `INSERT INTO schools (id, organisation_id, name, enrolment_token, created_at)
         VALUES ('s1', 'o1', 'Oak', 'tok', '2026-01-01T00:00:00Z')`,
      )
      .run();
    let read: Promise<unknown> | undefined;
    const tx = database.kysely.transaction().execute(async (trx) => {
      await new DevicesRepository(trx).insert(
        { id: 'd1', schoolId: 's1', hostname: 'h', os: 'linux', osVersion: null, agentVersion: '1', secretHash: 'x' },
        new Date(),
      );
      read = devices.byId('d1'); // another request, while this transaction holds the connection
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('rolled back');
    });
    await expect(tx).rejects.toThrow('rolled back');
    await expect(read).resolves.toBeUndefined();
    await database.close();
  });
});
