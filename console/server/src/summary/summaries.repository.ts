import type { CaptureMatch } from '@vigil/shared';
import { Prepared, type Kdb } from '../db/database';
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
const FACT_COLUMNS = ['id', 'captured_at', 'user_name', 'device_id', 'severity', 'status', 'matches_json'] as const;

/** Read on every stored capture (the alert threshold): compiled once (see Prepared). */
const SETTINGS = new Prepared(1, (db, schoolId: string) =>
  db.selectFrom('summary_settings').selectAll().where('school_id', '=', schoolId),
);

const affected = (r: { numUpdatedRows?: bigint; numInsertedOrUpdatedRows?: bigint } | undefined): number =>
  Number(r?.numUpdatedRows ?? r?.numInsertedOrUpdatedRows ?? 0);

/** Summaries, their sends, alert sends and the per-school settings they use (migration 20). Portable SQL. */
export class SummariesRepository {
  constructor(private readonly db: Kdb) {}

  async settings(schoolId: string): Promise<SummarySettings> {
    const r = (await SETTINGS.execute(this.db, schoolId)).rows[0];
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

  async saveSettings(s: SummarySettings, now: Date): Promise<void> {
    const row = {
      summary_time: s.summaryTime,
      alert_severity: s.alertSeverity,
      daily_digest: s.dailyDigest ? 1 : 0,
      show_names: s.showNames ? 1 : 0,
      summary_roles: JSON.stringify(s.summaryRoles),
      alert_roles: JSON.stringify(s.alertRoles),
      summary_extra_emails: JSON.stringify(s.summaryExtraEmails),
      alert_extra_emails: JSON.stringify(s.alertExtraEmails),
      updated_at: now.toISOString(),
    };
    await this.db
      .insertInto('summary_settings')
      .values({ school_id: s.schoolId, ...row })
      .onConflict((oc) => oc.column('school_id').doUpdateSet(row))
      .execute();
  }

  /**
   * The recipients of a school's `which` list under `settings` (the stored ones by default): users
   * holding a chosen role at the school (one row per email and role), then the extra addresses.
   */
  async recipients(schoolId: string, which: RecipientList, settings?: SummarySettings): Promise<Recipient[]> {
    const s = settings ?? (await this.settings(schoolId));
    const roles = which === 'summary' ? s.summaryRoles : s.alertRoles;
    const extra = which === 'summary' ? s.summaryExtraEmails : s.alertExtraEmails;
    const byRole: Recipient[] =
      roles.length === 0
        ? []
        : ((await this.db
            .selectFrom('user_roles as r')
            .innerJoin('users as u', 'u.id', 'r.user_id')
            .select(['u.email', 'r.role'])
            .distinct()
            .where('r.school_id', '=', schoolId)
            .where('r.role', 'in', roles)
            .orderBy('u.email')
            .orderBy('r.role')
            .execute()) as { email: string; role: Role }[]);
    return [...byRole, ...extra.map((email) => ({ email, role: 'extra' as const }))];
  }

  /** The distinct addresses of a school's `which` list (an address held twice is emailed once). */
  async recipientEmails(schoolId: string, which: RecipientList, settings?: SummarySettings): Promise<string[]> {
    const seen = new Map<string, string>();
    for (const r of await this.recipients(schoolId, which, settings)) {
      const key = r.email.toLowerCase();
      if (!seen.has(key)) seen.set(key, r.email);
    }
    return [...seen.values()];
  }

  /** Keyword-list versions the school published in [from, to), oldest first (for the weekly summary). */
  async keywordListChanges(
    schoolId: string,
    from: Date,
    to: Date,
  ): Promise<{ version: string; publishedAt: string; changelog: string }[]> {
    const rows = await this.db
      .selectFrom('keyword_list_versions')
      .select(['version', 'published_at', 'changelog'])
      .where('school_id', '=', schoolId)
      .where('published_at', '>=', from.toISOString())
      .where('published_at', '<', to.toISOString())
      .orderBy('version')
      .execute();
    return rows.map((r) => ({ version: String(r.version), publishedAt: r.published_at, changelog: r.changelog }));
  }

  async captureFacts(schoolId: string, from: Date, to: Date): Promise<CaptureFacts[]> {
    const rows = await this.db
      .selectFrom('captures')
      .select(FACT_COLUMNS)
      .where('school_id', '=', schoolId)
      .where('captured_at', '>=', from.toISOString())
      .where('captured_at', '<', to.toISOString())
      .orderBy('captured_at')
      .orderBy('id')
      .execute();
    return rows.map(toFacts);
  }

  async unreviewedFacts(schoolId: string): Promise<CaptureFacts[]> {
    const rows = await this.db
      .selectFrom('captures')
      .select(FACT_COLUMNS)
      .where('school_id', '=', schoolId)
      .where('status', '=', 'new')
      .orderBy('captured_at')
      .orderBy('id')
      .execute();
    return rows.map(toFacts);
  }

  async factsByIds(ids: readonly string[]): Promise<CaptureFacts[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('captures')
      .select(FACT_COLUMNS)
      .where('id', 'in', [...ids])
      .orderBy('captured_at')
      .orderBy('id')
      .execute();
    return rows.map(toFacts);
  }

  /** Stores a summary unless the school already has one for that week; returns the stored one either way. */
  async insertIfAbsent(s: StoredSummary): Promise<{ summary: StoredSummary; created: boolean }> {
    const inserted = await this.db
      .insertInto('summaries')
      .values({
        id: s.id,
        school_id: s.schoolId,
        week: s.week,
        built_at: s.builtAt,
        send_state: s.sendState,
        data_json: JSON.stringify(s.data),
      })
      .onConflict((oc) => oc.columns(['school_id', 'week']).doNothing())
      .returning('id')
      .execute();
    return { summary: (await this.byWeek(s.schoolId, s.week))!, created: inserted.length === 1 };
  }

  async byId(id: string): Promise<StoredSummary | undefined> {
    const r = await this.db.selectFrom('summaries').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toSummary(r as SummaryRow);
  }

  async byWeek(schoolId: string, week: string): Promise<StoredSummary | undefined> {
    const r = await this.db
      .selectFrom('summaries')
      .selectAll()
      .where('school_id', '=', schoolId)
      .where('week', '=', week)
      .executeTakeFirst();
    return r && toSummary(r as SummaryRow);
  }

  async listForSchools(schoolIds: readonly string[], limit = 200): Promise<Omit<StoredSummary, 'data'>[]> {
    if (schoolIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('summaries')
      .select(['id', 'school_id', 'week', 'built_at', 'send_state'])
      .where('school_id', 'in', [...schoolIds])
      .orderBy('week', 'desc')
      .orderBy('school_id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      schoolId: r.school_id,
      week: r.week,
      builtAt: r.built_at,
      sendState: r.send_state as SendState,
    }));
  }

  /** Moves a summary from one of `from` to `sending` for exactly one caller. */
  async claimSend(id: string, from: readonly SendState[] = ['pending']): Promise<boolean> {
    if (from.length === 0) return false;
    const r = await this.db
      .updateTable('summaries')
      .set({ send_state: 'sending' })
      .where('id', '=', id)
      .where('send_state', 'in', [...from])
      .executeTakeFirst();
    return affected(r) === 1;
  }

  async setSendState(id: string, state: SendState): Promise<void> {
    await this.db.updateTable('summaries').set({ send_state: state }).where('id', '=', id).execute();
  }

  async recordSummarySend(summaryId: string, r: SendRecord): Promise<void> {
    await this.db
      .insertInto('summary_sends')
      .values({
        id: r.id,
        summary_id: summaryId,
        at: r.at,
        recipients: r.recipients,
        outcome: r.outcome,
        attempts: r.attempts,
        error: r.error,
      })
      .execute();
  }

  async summarySends(summaryId: string): Promise<SendRecord[]> {
    return (await this.db
      .selectFrom('summary_sends')
      .select(['id', 'at', 'recipients', 'outcome', 'attempts', 'error'])
      .where('summary_id', '=', summaryId)
      .orderBy('at')
      .orderBy('id')
      .execute()) as SendRecord[];
  }

  async recordAlertSend(
    schoolId: string,
    kind: 'immediate' | 'digest',
    captureIds: readonly string[],
    r: SendRecord,
  ): Promise<void> {
    await this.db
      .insertInto('alert_sends')
      .values({
        id: r.id,
        school_id: schoolId,
        kind,
        capture_ids_json: JSON.stringify(captureIds),
        at: r.at,
        recipients: r.recipients,
        outcome: r.outcome,
        attempts: r.attempts,
        error: r.error,
      })
      .execute();
  }

  /** Captures received since `since` (id, school, severity), oldest first. */
  async receivedSince(since: Date): Promise<{ id: string; schoolId: string; severity: number }[]> {
    const rows = await this.db
      .selectFrom('captures')
      .select(['id', 'school_id', 'severity'])
      .where('received_at', '>=', since.toISOString())
      .orderBy('received_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, schoolId: r.school_id, severity: r.severity }));
  }

  /** Ids of captures in immediate alerts recorded since `since`, whatever the outcome. */
  async alertedSince(since: Date): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('alert_sends')
      .select('capture_ids_json')
      .where('kind', '=', 'immediate')
      .where('at', '>=', since.toISOString())
      .execute();
    return new Set(rows.flatMap((r) => JSON.parse(r.capture_ids_json) as string[]));
  }

  /** Takes the school's digest of `day` (YYYY-MM-DD, London) for this caller; false if already taken. */
  async claimDigest(schoolId: string, day: string, id: string, at: Date): Promise<boolean> {
    // No conflict target: the unique index on (school_id, digest_day) is partial, and a bare
    // ON CONFLICT DO NOTHING covers it on both dialects.
    const inserted = await this.db
      .insertInto('alert_sends')
      .values({
        id,
        school_id: schoolId,
        kind: 'digest',
        capture_ids_json: '[]',
        at: at.toISOString(),
        recipients: 0,
        outcome: 'pending',
        attempts: 0,
        error: null,
        digest_day: day,
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute();
    return inserted.length === 1;
  }

  async finishAlertSend(id: string, captureIds: readonly string[], r: Omit<SendRecord, 'id'>): Promise<void> {
    await this.db
      .updateTable('alert_sends')
      .set({
        capture_ids_json: JSON.stringify(captureIds),
        at: r.at,
        recipients: r.recipients,
        outcome: r.outcome,
        attempts: r.attempts,
        error: r.error,
      })
      .where('id', '=', id)
      .execute();
  }

  /** Captures of a school in [from, to) with a severity in [min, max]. */
  async factsBySeverity(schoolId: string, from: Date, to: Date, min: number, max: number): Promise<CaptureFacts[]> {
    return (await this.captureFacts(schoolId, from, to)).filter((c) => c.severity >= min && c.severity <= max);
  }

  async alertSends(schoolId: string): Promise<(SendRecord & { kind: string; captureIds: string[] })[]> {
    const rows = await this.db
      .selectFrom('alert_sends')
      .selectAll()
      .where('school_id', '=', schoolId)
      .orderBy('at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      recipients: r.recipients,
      outcome: r.outcome as SendRecord['outcome'],
      attempts: r.attempts,
      error: r.error,
      kind: r.kind,
      captureIds: JSON.parse(r.capture_ids_json) as string[],
    }));
  }
}
