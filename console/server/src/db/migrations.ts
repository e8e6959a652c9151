import { PEOPLE_MIGRATIONS } from './migrations-people';

/**
 * Versioned schema migrations, applied in order, each once, each in a transaction. Never edit a
 * migration that has shipped: add the next one. SQL is kept portable (no SQLite-only types) so the
 * same tables can be created on PostgreSQL.
 */
import { LISTS_MIGRATIONS } from './lists-migrations';
import { SUMMARY_MIGRATIONS } from '../summary/summary-migrations';

export interface Migration {
  version: number;
  name: string;
  /** Portable SQL, run as is on SQLite, and on PostgreSQL unless `postgres` is given. */
  sql: string;
  /** PostgreSQL's text, only where portable SQL cannot say the same thing (triggers, NULLs in keys). */
  postgres?: string;
}

/** `sql` with each `[from, to]` swapped; throws when `from` is missing, so a variant cannot silently drift. */
export function variant(sql: string, swaps: readonly (readonly [string, string])[]): string {
  return swaps.reduce((text, [from, to]) => {
    if (!text.includes(from)) throw new Error(`migration variant: "${from.slice(0, 40)}" not found`);
    return text.replace(from, () => to);
  }, sql);
}

const V1_SQL = `
      CREATE TABLE organisations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE schools (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL REFERENCES organisations(id),
        name TEXT NOT NULL,
        enrolment_token TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        must_change_password INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
      );
      CREATE TABLE user_roles (
        user_id TEXT NOT NULL REFERENCES users(id),
        organisation_id TEXT REFERENCES organisations(id),
        school_id TEXT REFERENCES schools(id),
        role TEXT NOT NULL,
        PRIMARY KEY (user_id, role, organisation_id, school_id)
      );
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        school_id TEXT NOT NULL REFERENCES schools(id),
        hostname TEXT NOT NULL,
        os TEXT NOT NULL,
        os_version TEXT,
        agent_version TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        revoked_at TEXT,
        last_seen_at TEXT,
        policy_version TEXT,
        queue_depth INTEGER,
        last_user TEXT,
        last_capture_at TEXT
      );
      CREATE INDEX devices_school ON devices(school_id);
      CREATE TABLE captures (
        id TEXT PRIMARY KEY,
        school_id TEXT NOT NULL REFERENCES schools(id),
        device_id TEXT NOT NULL REFERENCES devices(id),
        captured_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        user_name TEXT NOT NULL,
        source TEXT NOT NULL,
        app TEXT NOT NULL,
        window_title TEXT NOT NULL,
        url TEXT,
        context TEXT NOT NULL,
        matches_json TEXT NOT NULL,
        severity INTEGER NOT NULL,
        count INTEGER NOT NULL,
        policy_version TEXT NOT NULL,
        screenshot_key TEXT NOT NULL,
        screenshot_type TEXT NOT NULL,
        screenshot_width INTEGER NOT NULL,
        screenshot_height INTEGER NOT NULL,
        thumbnail_key TEXT,
        status TEXT NOT NULL DEFAULT 'new'
      );
      CREATE INDEX captures_school_time ON captures(school_id, captured_at);
    `;

const V2_SQL = `
      ALTER TABLE users ADD COLUMN totp_secret TEXT;
      ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE users ADD COLUMN locked_until TEXT;
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        csrf_token TEXT NOT NULL,
        method TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX sessions_user ON sessions(user_id);
      ALTER TABLE captures ADD COLUMN assignee_id TEXT REFERENCES users(id);
      CREATE INDEX captures_school_time_id ON captures(school_id, captured_at, id);
      CREATE TABLE capture_history (
        id TEXT PRIMARY KEY,
        capture_id TEXT NOT NULL REFERENCES captures(id),
        school_id TEXT NOT NULL REFERENCES schools(id),
        user_id TEXT NOT NULL REFERENCES users(id),
        at TEXT NOT NULL,
        status_from TEXT,
        status_to TEXT,
        assignee_from TEXT,
        assignee_to TEXT,
        note TEXT
      );
      CREATE INDEX capture_history_capture ON capture_history(capture_id, at);
      CREATE TABLE audit_log (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        actor_user_id TEXT,
        actor_label TEXT NOT NULL,
        organisation_id TEXT,
        school_id TEXT,
        target_id TEXT,
        ip TEXT,
        details_json TEXT
      );
      CREATE INDEX audit_log_school_time ON audit_log(school_id, at);
      CREATE INDEX audit_log_org_time ON audit_log(organisation_id, at);
      -- Append-only. (SQLite trigger syntax; PostgreSQL gets the same triggers in plpgsql: see below.)
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, people, devices, captures',
    sql: V1_SQL,
    postgres: variant(V1_SQL, [
      // A key column cannot be NULL on PostgreSQL; a grant has either a school or an organisation.
      [
        'PRIMARY KEY (user_id, role, organisation_id, school_id)',
        'UNIQUE NULLS NOT DISTINCT (user_id, role, organisation_id, school_id)',
      ],
    ]),
  },
  {
    version: 2,
    name: 'sign-in, sessions, review history, audit log',
    sql: V2_SQL,
    postgres: variant(V2_SQL, [
      [
        `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`,
        `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();`,
      ],
    ]),
  },
  {
    version: 3,
    name: 'school settings (retention), capture hold',
    sql: `
      CREATE TABLE school_settings (
        school_id TEXT PRIMARY KEY REFERENCES schools(id),
        retention_days INTEGER NOT NULL DEFAULT 90,
        min_severity INTEGER,
        alert_severity INTEGER,
        monitored_hours_json TEXT,
        updated_at TEXT NOT NULL
      );
      ALTER TABLE captures ADD COLUMN hold INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE capture_history ADD COLUMN hold_to INTEGER;
    `,
  },
  ...PEOPLE_MIGRATIONS,
  {
    version: 20,
    name: 'weekly summaries, their sends, alert sends, summary settings',
    sql: `
      CREATE TABLE summary_settings (
        school_id TEXT PRIMARY KEY REFERENCES schools(id),
        summary_time TEXT NOT NULL DEFAULT '07:00',
        alert_severity INTEGER NOT NULL DEFAULT 4,
        daily_digest INTEGER NOT NULL DEFAULT 0,
        show_names INTEGER NOT NULL DEFAULT 0,
        recipients TEXT NOT NULL DEFAULT 'roles',
        updated_at TEXT NOT NULL
      );
      CREATE TABLE summaries (
        id TEXT PRIMARY KEY,
        school_id TEXT NOT NULL REFERENCES schools(id),
        week TEXT NOT NULL,
        built_at TEXT NOT NULL,
        send_state TEXT NOT NULL,
        data_json TEXT NOT NULL,
        UNIQUE (school_id, week)
      );
      CREATE TABLE summary_sends (
        id TEXT PRIMARY KEY,
        summary_id TEXT NOT NULL REFERENCES summaries(id),
        at TEXT NOT NULL,
        recipients INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT
      );
      CREATE INDEX summary_sends_summary ON summary_sends(summary_id, at);
      CREATE TABLE alert_sends (
        id TEXT PRIMARY KEY,
        school_id TEXT NOT NULL REFERENCES schools(id),
        kind TEXT NOT NULL,
        capture_ids_json TEXT NOT NULL,
        at TEXT NOT NULL,
        recipients INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT
      );
      CREATE INDEX alert_sends_school_time ON alert_sends(school_id, at);
    `,
  },
  {
    version: 21,
    name: 'daily digest: one per school and day',
    sql: `
      ALTER TABLE alert_sends ADD COLUMN digest_day TEXT;
      CREATE UNIQUE INDEX alert_sends_digest_day ON alert_sends(school_id, digest_day) WHERE digest_day IS NOT NULL;
    `,
  },
  ...LISTS_MIGRATIONS,
  ...SUMMARY_MIGRATIONS,
];
