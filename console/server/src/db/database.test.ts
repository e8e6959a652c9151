import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS } from './migrations';
import { migrate, openDatabase, schemaVersion } from './database';

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
});
