import type { Migration } from './migrations';

/**
 * Migrations of people and sign-in (versions 40–49): TOTP enrolment at first sign-in, recovery
 * codes, account state an admin manages, and indexes for the overview and subject access.
 * Portable SQL (plain ALTER TABLE ADD COLUMN, CREATE TABLE, CREATE INDEX).
 */
export const PEOPLE_MIGRATIONS: readonly Migration[] = [
  {
    version: 40,
    name: 'people: display names, disabled accounts, last sign-in, pending TOTP, recovery codes',
    sql: `
      ALTER TABLE users ADD COLUMN display_name TEXT;
      ALTER TABLE users ADD COLUMN disabled_at TEXT;
      ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;
      ALTER TABLE users ADD COLUMN totp_pending TEXT;
      CREATE TABLE recovery_codes (
        user_id TEXT NOT NULL REFERENCES users(id),
        code_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        used_at TEXT,
        PRIMARY KEY (user_id, code_hash)
      );
      CREATE INDEX user_roles_school ON user_roles(school_id);
      CREATE INDEX sessions_expires ON sessions(expires_at);
      CREATE INDEX captures_school_user_time ON captures(school_id, user_name, captured_at);
      CREATE INDEX captures_school_status_time ON captures(school_id, status, captured_at);
    `,
  },
];
