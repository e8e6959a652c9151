import type { Generated } from 'kysely';

/**
 * The console's tables as Kysely sees them (one interface per table, column names as in the
 * migrations). Types are the portable subset both dialects store alike: TEXT for ids, times
 * (ISO-8601 UTC strings, which sort as text) and JSON; INTEGER for numbers and 0/1 flags.
 */
export interface OrganisationsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface SchoolsTable {
  id: string;
  organisation_id: string;
  name: string;
  enrolment_token: string;
  created_at: string;
}

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  must_change_password: Generated<number>;
  created_at: string;
  totp_secret: string | null;
  failed_logins: Generated<number>;
  locked_until: string | null;
  display_name: string | null;
  disabled_at: string | null;
  last_sign_in_at: string | null;
  totp_pending: string | null;
}

export interface UserRolesTable {
  user_id: string;
  organisation_id: string | null;
  school_id: string | null;
  role: string;
}

export interface RecoveryCodesTable {
  user_id: string;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface DevicesTable {
  id: string;
  school_id: string;
  hostname: string;
  os: string;
  os_version: string | null;
  agent_version: string;
  secret_hash: string;
  enrolled_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
  policy_version: string | null;
  queue_depth: number | null;
  last_user: string | null;
  last_capture_at: string | null;
}

export interface CapturesTable {
  id: string;
  school_id: string;
  device_id: string;
  captured_at: string;
  received_at: string;
  user_name: string;
  source: string;
  app: string;
  window_title: string;
  url: string | null;
  context: string;
  matches_json: string;
  severity: number;
  count: number;
  policy_version: string;
  screenshot_key: string;
  screenshot_type: string;
  screenshot_width: number;
  screenshot_height: number;
  thumbnail_key: string | null;
  status: Generated<string>;
  assignee_id: string | null;
  hold: Generated<number>;
  group_id: string | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  method: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface CaptureHistoryTable {
  id: string;
  capture_id: string;
  school_id: string;
  user_id: string;
  at: string;
  status_from: string | null;
  status_to: string | null;
  assignee_from: string | null;
  assignee_to: string | null;
  note: string | null;
  hold_to: number | null;
}

export interface AuditLogTable {
  id: string;
  at: string;
  action: string;
  outcome: string;
  actor_user_id: string | null;
  actor_label: string;
  organisation_id: string | null;
  school_id: string | null;
  target_id: string | null;
  ip: string | null;
  details_json: string | null;
}

export interface SchoolSettingsTable {
  school_id: string;
  retention_days: Generated<number>;
  min_severity: number | null;
  alert_severity: number | null;
  monitored_hours_json: string | null;
  updated_at: string;
  support_card: number | null;
  tray_hidden: number | null;
  privacy_notice: string | null;
}

export interface SummarySettingsTable {
  school_id: string;
  summary_time: Generated<string>;
  alert_severity: Generated<number>;
  daily_digest: Generated<number>;
  show_names: Generated<number>;
  recipients: Generated<string>;
  /** Migration 51: JSON arrays; NULL keeps the defaults. */
  summary_roles: string | null;
  alert_roles: string | null;
  summary_extra_emails: string | null;
  alert_extra_emails: string | null;
  updated_at: string;
}

export interface SummariesTable {
  id: string;
  school_id: string;
  week: string;
  built_at: string;
  send_state: string;
  data_json: string;
}

export interface SummarySendsTable {
  id: string;
  summary_id: string;
  at: string;
  recipients: number;
  outcome: string;
  attempts: number;
  error: string | null;
}

export interface AlertSendsTable {
  id: string;
  school_id: string;
  kind: string;
  capture_ids_json: string;
  at: string;
  recipients: number;
  outcome: string;
  attempts: number;
  error: string | null;
  digest_day: string | null;
}

/** Migration 50: each school's pupil directory. */
export interface PupilsTable {
  school_id: string;
  login_key: string;
  login: string;
  display_name: string;
  year_group: string | null;
  updated_at: string;
}

export interface KeywordListDraftsTable {
  school_id: string;
  overrides_json: string;
  updated_at: string;
  updated_by: string | null;
}

export interface KeywordListVersionsTable {
  id: string;
  school_id: string;
  version: number;
  overrides_json: string;
  policy_version: string;
  etag: string;
  published_at: string;
  published_by: string | null;
  changelog: string;
}

export interface CaptureGroupsTable {
  id: string;
  school_id: string;
  entry_id: string;
  phrase: string;
  category: string;
  created_at: string;
  /**
   * The earliest and latest capture time of its members (ISO 8601 UTC), kept at ingest (migration
   * 31). Null only for a group that had no members when the columns were added.
   */
  first_at: string | null;
  last_at: string | null;
}

export interface CaptureEntriesTable {
  capture_id: string;
  school_id: string;
  entry_id: string;
  captured_at: string;
  user_name: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface Schema {
  organisations: OrganisationsTable;
  schools: SchoolsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  recovery_codes: RecoveryCodesTable;
  devices: DevicesTable;
  captures: CapturesTable;
  sessions: SessionsTable;
  capture_history: CaptureHistoryTable;
  audit_log: AuditLogTable;
  school_settings: SchoolSettingsTable;
  summary_settings: SummarySettingsTable;
  summaries: SummariesTable;
  summary_sends: SummarySendsTable;
  alert_sends: AlertSendsTable;
  pupils: PupilsTable;
  keyword_list_drafts: KeywordListDraftsTable;
  keyword_list_versions: KeywordListVersionsTable;
  capture_groups: CaptureGroupsTable;
  capture_entries: CaptureEntriesTable;
  schema_migrations: SchemaMigrationsTable;
}
