import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS } from './migrations';
import { migrate, openDatabase } from './database';

describe('lists migrations', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-lists-migrations-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("migration 31 gives existing capture groups their members' first and last times", () => {
    const db = openDatabase(
      path.join(dir, 'groups.sqlite'),
      MIGRATIONS.filter((m) => m.version < 31),
    );
    db.exec(`
      INSERT INTO organisations (id, name, created_at) VALUES ('o1', 'Trust', '2026-01-01T00:00:00.000Z');
      INSERT INTO schools (id, organisation_id, name, enrolment_token, created_at)
        VALUES ('s1', 'o1', 'Oak', 'token-1', '2026-01-01T00:00:00.000Z');
      INSERT INTO devices (id, school_id, hostname, os, agent_version, secret_hash, enrolled_at)
        VALUES ('d1', 's1', 'laptop', 'linux', '0.1.0', 'x', '2026-01-01T00:00:00.000Z');
      INSERT INTO capture_groups (id, school_id, entry_id, phrase, category, created_at)
        VALUES ('g1', 's1', 'violence.stab', 'stab', 'violence', '2026-11-20T11:00:00.000Z'),
               ('g-empty', 's1', 'violence.stab', 'stab', 'violence', '2026-11-20T11:00:00.000Z');
    `);
    const insert = db.prepare(
      `INSERT INTO captures (id, school_id, device_id, captured_at, received_at, user_name, source, app,
         window_title, url, context, matches_json, severity, count, policy_version, screenshot_key,
         screenshot_type, screenshot_width, screenshot_height, thumbnail_key, group_id)
       VALUES (?, 's1', 'd1', ?, ?, ?, 'typed', 'chrome', 'Chat', NULL, 'stab', '[]', 3, 1, 'v1', 'k',
         'image/webp', 10, 10, NULL, ?)`,
    );
    insert.run('c1', '2026-11-20T10:20:00.000Z', '2026-11-20T10:20:00.000Z', 'p2', 'g1');
    insert.run('c2', '2026-11-20T10:05:00.000Z', '2026-11-20T10:05:00.000Z', 'p1', 'g1');
    insert.run('c3', '2026-11-20T10:50:00.000Z', '2026-11-20T10:50:00.000Z', 'p3', 'g1');
    insert.run('c4', '2026-11-20T09:00:00.000Z', '2026-11-20T09:00:00.000Z', 'p3', null);

    expect(migrate(db, MIGRATIONS)).toBeGreaterThan(0);
    expect(db.prepare('SELECT id, first_at, last_at FROM capture_groups ORDER BY id').all()).toEqual([
      { id: 'g-empty', first_at: null, last_at: null },
      { id: 'g1', first_at: '2026-11-20T10:05:00.000Z', last_at: '2026-11-20T10:50:00.000Z' },
    ]);
    db.close();
  });
});
