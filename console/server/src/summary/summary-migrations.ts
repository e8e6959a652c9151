import type { Migration } from '../db/migrations';

/**
 * Migrations of summaries and alerts (versions 50–59; 20 and 21 came first, in migrations.ts).
 * Portable SQL (CREATE TABLE, CREATE INDEX), like every migration.
 */
export const SUMMARY_MIGRATIONS: readonly Migration[] = [
  {
    version: 50,
    name: 'pupil directory: login name to name and year group, per school',
    sql: `
      CREATE TABLE pupils (
        school_id TEXT NOT NULL REFERENCES schools(id),
        login_key TEXT NOT NULL,
        login TEXT NOT NULL,
        display_name TEXT NOT NULL,
        year_group TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (school_id, login_key)
      );
    `,
  },
  {
    version: 51,
    name: 'summary and alert recipients per school: roles and extra addresses',
    // NULL keeps the default roles (and no extra addresses); the lists are JSON arrays of text.
    sql: `
      ALTER TABLE summary_settings ADD COLUMN summary_roles TEXT;
      ALTER TABLE summary_settings ADD COLUMN alert_roles TEXT;
      ALTER TABLE summary_settings ADD COLUMN summary_extra_emails TEXT;
      ALTER TABLE summary_settings ADD COLUMN alert_extra_emails TEXT;
    `,
  },
];
