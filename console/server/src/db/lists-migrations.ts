import type { Migration } from './migrations';

/**
 * Migrations of the keyword-list editor, school policy settings and capture groups (30–39).
 * Portable SQL, like every migration.
 */
export const LISTS_MIGRATIONS: readonly Migration[] = [
  {
    version: 30,
    name: 'keyword-list drafts and published versions, policy settings, capture groups',
    sql: `
      CREATE TABLE keyword_list_drafts (
        school_id TEXT PRIMARY KEY REFERENCES schools(id),
        overrides_json TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT REFERENCES users(id)
      );
      CREATE TABLE keyword_list_versions (
        id TEXT PRIMARY KEY,
        school_id TEXT NOT NULL REFERENCES schools(id),
        version INTEGER NOT NULL,
        overrides_json TEXT NOT NULL,
        policy_version TEXT NOT NULL,
        etag TEXT NOT NULL,
        published_at TEXT NOT NULL,
        published_by TEXT REFERENCES users(id),
        changelog TEXT NOT NULL,
        UNIQUE (school_id, version)
      );
      CREATE INDEX keyword_list_versions_school_time ON keyword_list_versions(school_id, published_at);
      ALTER TABLE school_settings ADD COLUMN support_card INTEGER;
      ALTER TABLE school_settings ADD COLUMN tray_hidden INTEGER;
      ALTER TABLE school_settings ADD COLUMN privacy_notice TEXT;
      CREATE TABLE capture_groups (
        id TEXT PRIMARY KEY,
        school_id TEXT NOT NULL REFERENCES schools(id),
        entry_id TEXT NOT NULL,
        phrase TEXT NOT NULL,
        category TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX capture_groups_school_entry ON capture_groups(school_id, entry_id);
      ALTER TABLE captures ADD COLUMN group_id TEXT REFERENCES capture_groups(id);
      CREATE INDEX captures_group ON captures(group_id, captured_at, id);
      -- One row per (capture, keyword entry) of captures that may be grouped (severity below 5).
      CREATE TABLE capture_entries (
        capture_id TEXT NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
        school_id TEXT NOT NULL REFERENCES schools(id),
        entry_id TEXT NOT NULL,
        captured_at TEXT NOT NULL,
        user_name TEXT NOT NULL,
        PRIMARY KEY (capture_id, entry_id)
      );
      CREATE INDEX capture_entries_lookup ON capture_entries(school_id, entry_id, captured_at);
      CREATE INDEX captures_school_status ON captures(school_id, status);
    `,
  },
  {
    version: 31,
    name: 'capture groups keep their first and last capture times',
    // Grouping at ingest then finds the groups a capture may join with one index probe instead of
    // reading every member of the entry's groups near it (which grew with the group).
    sql: `
      ALTER TABLE capture_groups ADD COLUMN first_at TEXT;
      ALTER TABLE capture_groups ADD COLUMN last_at TEXT;
      UPDATE capture_groups SET
        first_at = (SELECT MIN(c.captured_at) FROM captures c WHERE c.group_id = capture_groups.id),
        last_at = (SELECT MAX(c.captured_at) FROM captures c WHERE c.group_id = capture_groups.id);
      CREATE INDEX capture_groups_window ON capture_groups(school_id, entry_id, last_at);
    `,
  },
];
