import type { CaptureMatch } from '@vigil/shared';
import type { Db } from '../db/database';
import type { Role } from '../repositories/users.repository';
import type { CaptureFacts } from './summary-builder';
import type { SummaryData } from './summary.schema';

/** Where a summary's email stands. `sending` is claimed by one process only: a summary is never sent twice. */
export type SendState = 'pending' | 'sending' | 'sent' | 'failed' | 'not_configured' | 'no_recipients';

/** Who receives what: `summary` is the weekly summary, `alert` the immediate alerts and the daily digest. */
export type RecipientList = 'summary' | 'alert';

/** Roles a school may choose as recipients (school grants only: a trust-wide org_admin is never one). */
export const RECIPIENT_ROLES = ['head', 'dsl', 'deputy_dsl', 'school_admin'] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];
export const MAX_EXTRA_EMAILS = 20;

export interface SummarySettings {
  schoolId: string;
  /** HH:MM Europe/London on Monday. */
  summaryTime: string;
  alertSeverity: number;
  dailyDigest: boolean;
  showNames: boolean;
  /** Roles whose holders at the school receive the weekly summary. */
  summaryRoles: RecipientRole[];
  /** Roles whose holders at the school receive immediate alerts and the daily digest. */
  alertRoles: RecipientRole[];
  /** Further addresses (e.g. a shared safeguarding inbox), lower-case, at most 20 each. */
  summaryExtraEmails: string[];
  alertExtraEmails: string[];
}

export const DEFAULT_SUMMARY_SETTINGS: Omit<SummarySettings, 'schoolId'> = {
  summaryTime: '07:00',
  alertSeverity: 4,
  dailyDigest: false,
  showNames: false,
  summaryRoles: ['head', 'dsl', 'deputy_dsl'],
  alertRoles: ['dsl', 'deputy_dsl'],
  summaryExtraEmails: [],
  alertExtraEmails: [],
};

/** A resolved recipient: a user holding one of the chosen roles, or an extra address. */
export interface Recipient {
  email: string;
  role: Role | 'extra';
}

interface SettingsRow {
  summary_time: string;
  alert_severity: number;
  daily_digest: number;
  show_names: number;
  summary_roles: string | null;
  alert_roles: string | null;
  summary_extra_emails: string | null;
  alert_extra_emails: string | null;
}

const list = <T>(json: string | null, fallback: readonly T[]): T[] =>
  json === null ? [...fallback] : (JSON.parse(json) as T[]);

export interface StoredSummary {
  id: string;
  schoolId: string;
  week: string;
  builtAt: string;
  sendState: SendState;
  data: SummaryData;
}

export interface SendRecord {
  id: string;
  at: string;
  recipients: number;
  outcome: 'sent' | 'failed' | 'skipped';
  attempts: number;
  error: string | null;
}

interface SummaryRow {
  id: string;
  school_id: string;
  week: string;
  built_at: string;
  send_state: SendState;
  data_json: string;
}

const toSummary = (r: SummaryRow): StoredSummary => ({
  id: r.id,
  schoolId: r.school_id,
  week: r.week,
  builtAt: r.built_at,
  sendState: r.send_state,
  data: JSON.parse(r.data_json) as SummaryData,
});

interface FactRow {
  id: string;
  captured_at: string;
  user_name: string;
  device_id: string;
  severity: number;
  status: string;
  matches_json: string;
}

const toFacts = (r: FactRow): CaptureFacts => {
  const matches = JSON.parse(r.matches_json) as CaptureMatch[];
  return {
    id: r.id,
    capturedAt: r.captured_at,
    user: r.user_name,
    deviceId: r.device_id,
    severity: r.severity,
    status: r.status,
    categories: [...new Set(matches.map((m) => m.category))].sort(),
    phrases: [...new Set(matches.map((m) => m.phrase))],
  };
};
// Never the context, window title or screenshot: the summary cannot leak what it never reads.
const FACT_COLUMNS = 'id, captured_at, user_name, device_id, severity, status, matches_json';

/** Summaries, their sends, alert sends and the per-school settings they use (migration 20). */
export class SummariesRepository {
  constructor(private readonly db: Db) {}

  settings(schoolId: string): SummarySettings {
    const r = this.db.prepare('SELECT * FROM summary_settings WHERE school_id = ?').get(schoolId) as
      SettingsRow | undefined;
    if (!r) return { schoolId, ...structuredClone(DEFAULT_SUMMARY_SETTINGS) };
    const d = DEFAULT_SUMMARY_SETTINGS;
    return {
      schoolId,
      summaryTime: r.summary_time,
      alertSeverity: r.alert_severity,
      dailyDigest: r.daily_digest === 1,
      showNames: r.show_names === 1,
      summaryRoles: list(r.summary_roles, d.summaryRoles),
      alertRoles: list(r.alert_roles, d.alertRoles),
      summaryExtraEmails: list(r.summary_extra_emails, d.summaryExtraEmails),
      alertExtraEmails: list(r.alert_extra_emails, d.alertExtraEmails),
    };
  }

  saveSettings(s: SummarySettings, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO summary_settings (school_id, summary_time, alert_severity, daily_digest, show_names,
           summary_roles, alert_roles, summary_extra_emails, alert_extra_emails, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (school_id) DO UPDATE SET summary_time = excluded.summary_time,
           alert_severity = excluded.alert_severity, daily_digest = excluded.daily_digest,
           show_names = excluded.show_names, summary_roles = excluded.summary_roles,
           alert_roles = excluded.alert_roles, summary_extra_emails = excluded.summary_extra_emails,
           alert_extra_emails = excluded.alert_extra_emails, updated_at = excluded.updated_at`,
      )
      .run(
        s.schoolId,
        s.summaryTime,
        s.alertSeverity,
        s.dailyDigest ? 1 : 0,
        s.showNames ? 1 : 0,
        JSON.stringify(s.summaryRoles),
        JSON.stringify(s.alertRoles),
        JSON.stringify(s.summaryExtraEmails),
        JSON.stringify(s.alertExtraEmails),
        now.toISOString(),
      );
  }

  /**
   * The recipients of a school's `which` list under `settings` (the stored ones by default): users
   * holding a chosen role at the school (one row per email and role), then the extra addresses.
   */
  recipients(schoolId: string, which: RecipientList, settings = this.settings(schoolId)): Recipient[] {
    const roles = which === 'summary' ? settings.summaryRoles : settings.alertRoles;
    const extra = which === 'summary' ? settings.summaryExtraEmails : settings.alertExtraEmails;
    const byRole: Recipient[] =
      roles.length === 0
        ? []
        : (this.db
            .prepare(
              `SELECT DISTINCT u.email, r.role FROM user_roles r JOIN users u ON u.id = r.user_id
               WHERE r.school_id = ? AND r.role IN (${roles.map(() => '?').join(', ')}) ORDER BY u.email, r.role`,
            )
            .all(schoolId, ...roles) as { email: string; role: Role }[]);
    return [...byRole, ...extra.map((email) => ({ email, role: 'extra' as const }))];
  }

  /** The distinct addresses of a school's `which` list (an address held twice is emailed once). */
  recipientEmails(schoolId: string, which: RecipientList, settings?: SummarySettings): string[] {
    const seen = new Map<string, string>();
    for (const r of this.recipients(schoolId, which, settings)) {
      const key = r.email.toLowerCase();
      if (!seen.has(key)) seen.set(key, r.email);
    }
    return [...seen.values()];
  }

  /** Keyword-list versions the school published in [from, to), oldest first (for the weekly summary). */
  keywordListChanges(
    schoolId: string,
    from: Date,
    to: Date,
  ): { version: string; publishedAt: string; changelog: string }[] {
    return (
      this.db
        .prepare(
          `SELECT version, published_at, changelog FROM keyword_list_versions
           WHERE school_id = ? AND published_at >= ? AND published_at < ? ORDER BY version`,
        )
        .all(schoolId, from.toISOString(), to.toISOString()) as {
        version: number;
        published_at: string;
        changelog: string;
      }[]
    ).map((r) => ({ version: String(r.version), publishedAt: r.published_at, changelog: r.changelog }));
  }

  captureFacts(schoolId: string, from: Date, to: Date): CaptureFacts[] {
    return (
      this.db
        .prepare(
          `SELECT ${FACT_COLUMNS} FROM captures WHERE school_id = ? AND captured_at >= ? AND captured_at < ?
           ORDER BY captured_at, id`,
        )
        .all(schoolId, from.toISOString(), to.toISOString()) as FactRow[]
    ).map(toFacts);
  }

  unreviewedFacts(schoolId: string): CaptureFacts[] {
    return (
      this.db
        .prepare(`SELECT ${FACT_COLUMNS} FROM captures WHERE school_id = ? AND status = 'new' ORDER BY captured_at, id`)
        .all(schoolId) as FactRow[]
    ).map(toFacts);
  }

  factsByIds(ids: readonly string[]): CaptureFacts[] {
    if (ids.length === 0) return [];
    return (
      this.db
        .prepare(
          `SELECT ${FACT_COLUMNS} FROM captures WHERE id IN (${ids.map(() => '?').join(', ')}) ORDER BY captured_at, id`,
        )
        .all(...ids) as FactRow[]
    ).map(toFacts);
  }

  /** Stores a summary unless the school already has one for that week; returns the stored one either way. */
  insertIfAbsent(s: StoredSummary): { summary: StoredSummary; created: boolean } {
    const result = this.db
      .prepare(
        `INSERT INTO summaries (id, school_id, week, built_at, send_state, data_json) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (school_id, week) DO NOTHING`,
      )
      .run(s.id, s.schoolId, s.week, s.builtAt, s.sendState, JSON.stringify(s.data));
    return { summary: this.byWeek(s.schoolId, s.week)!, created: result.changes === 1 };
  }

  byId(id: string): StoredSummary | undefined {
    const r = this.db.prepare('SELECT * FROM summaries WHERE id = ?').get(id) as SummaryRow | undefined;
    return r && toSummary(r);
  }

  byWeek(schoolId: string, week: string): StoredSummary | undefined {
    const r = this.db.prepare('SELECT * FROM summaries WHERE school_id = ? AND week = ?').get(schoolId, week) as
      SummaryRow | undefined;
    return r && toSummary(r);
  }

  listForSchools(schoolIds: readonly string[], limit = 200): Omit<StoredSummary, 'data'>[] {
    if (schoolIds.length === 0) return [];
    return (
      this.db
        .prepare(
          `SELECT id, school_id, week, built_at, send_state FROM summaries
           WHERE school_id IN (${schoolIds.map(() => '?').join(', ')}) ORDER BY week DESC, school_id LIMIT ?`,
        )
        .all(...schoolIds, limit) as Omit<SummaryRow, 'data_json'>[]
    ).map((r) => ({ id: r.id, schoolId: r.school_id, week: r.week, builtAt: r.built_at, sendState: r.send_state }));
  }

  /** Moves a summary from one of `from` to `sending` for exactly one caller. */
  claimSend(id: string, from: readonly SendState[] = ['pending']): boolean {
    return (
      this.db
        .prepare(
          `UPDATE summaries SET send_state = 'sending' WHERE id = ? AND send_state IN (${from.map(() => '?').join(', ')})`,
        )
        .run(id, ...from).changes === 1
    );
  }

  setSendState(id: string, state: SendState): void {
    this.db.prepare('UPDATE summaries SET send_state = ? WHERE id = ?').run(state, id);
  }

  recordSummarySend(summaryId: string, r: SendRecord): void {
    this.db
      .prepare(
        `INSERT INTO summary_sends (id, summary_id, at, recipients, outcome, attempts, error) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.id, summaryId, r.at, r.recipients, r.outcome, r.attempts, r.error);
  }

  summarySends(summaryId: string): SendRecord[] {
    return this.db
      .prepare(
        'SELECT id, at, recipients, outcome, attempts, error FROM summary_sends WHERE summary_id = ? ORDER BY at, id',
      )
      .all(summaryId) as SendRecord[];
  }

  recordAlertSend(schoolId: string, kind: 'immediate' | 'digest', captureIds: readonly string[], r: SendRecord): void {
    this.db
      .prepare(
        `INSERT INTO alert_sends (id, school_id, kind, capture_ids_json, at, recipients, outcome, attempts, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.id, schoolId, kind, JSON.stringify(captureIds), r.at, r.recipients, r.outcome, r.attempts, r.error);
  }

  /** Captures received since `since` (id, school, severity), oldest first. */
  receivedSince(since: Date): { id: string; schoolId: string; severity: number }[] {
    return (
      this.db
        .prepare('SELECT id, school_id, severity FROM captures WHERE received_at >= ? ORDER BY received_at, id')
        .all(since.toISOString()) as { id: string; school_id: string; severity: number }[]
    ).map((r) => ({ id: r.id, schoolId: r.school_id, severity: r.severity }));
  }

  /** Ids of captures in immediate alerts recorded since `since`, whatever the outcome. */
  alertedSince(since: Date): Set<string> {
    const rows = this.db
      .prepare(`SELECT capture_ids_json FROM alert_sends WHERE kind = 'immediate' AND at >= ?`)
      .all(since.toISOString()) as { capture_ids_json: string }[];
    return new Set(rows.flatMap((r) => JSON.parse(r.capture_ids_json) as string[]));
  }

  /** Takes the school's digest of `day` (YYYY-MM-DD, London) for this caller; false if already taken. */
  claimDigest(schoolId: string, day: string, id: string, at: Date): boolean {
    return (
      this.db
        .prepare(
          `INSERT INTO alert_sends (id, school_id, kind, capture_ids_json, at, recipients, outcome, attempts, error, digest_day)
           VALUES (?, ?, 'digest', '[]', ?, 0, 'pending', 0, NULL, ?) ON CONFLICT DO NOTHING`,
        )
        .run(id, schoolId, at.toISOString(), day).changes === 1
    );
  }

  finishAlertSend(id: string, captureIds: readonly string[], r: Omit<SendRecord, 'id'>): void {
    this.db
      .prepare(
        'UPDATE alert_sends SET capture_ids_json = ?, at = ?, recipients = ?, outcome = ?, attempts = ?, error = ? WHERE id = ?',
      )
      .run(JSON.stringify(captureIds), r.at, r.recipients, r.outcome, r.attempts, r.error, id);
  }

  /** Captures of a school in [from, to) with a severity in [min, max]. */
  factsBySeverity(schoolId: string, from: Date, to: Date, min: number, max: number): CaptureFacts[] {
    return this.captureFacts(schoolId, from, to).filter((c) => c.severity >= min && c.severity <= max);
  }

  alertSends(schoolId: string): (SendRecord & { kind: string; captureIds: string[] })[] {
    return (
      this.db.prepare('SELECT * FROM alert_sends WHERE school_id = ? ORDER BY at, id').all(schoolId) as (SendRecord & {
        kind: string;
        capture_ids_json: string;
      })[]
    ).map(({ capture_ids_json, ...r }) => ({
      id: r.id,
      at: r.at,
      recipients: r.recipients,
      outcome: r.outcome,
      attempts: r.attempts,
      error: r.error,
      kind: r.kind,
      captureIds: JSON.parse(capture_ids_json) as string[],
    }));
  }
}
