import type { Db } from '../db/database';
import type { MonitoredHours } from '@vigil/shared';
import { newId, newSecret } from '../ids';

export const DEFAULT_RETENTION_DAYS = 90;

/** A school's own settings; a school that never saved any has the defaults. */
export interface SchoolSettings {
  retentionDays: number;
  minSeverity: number | null;
  alertSeverity: number | null;
  monitoredHours: MonitoredHours[] | null;
  /** Tray shell settings for the school's agents; null = the default (see DEFAULT_POLICY_SETTINGS). */
  supportCard?: boolean | null;
  trayHidden?: boolean | null;
  privacyNotice?: string | null;
}

interface SettingsRow {
  retention_days: number;
  min_severity: number | null;
  alert_severity: number | null;
  monitored_hours_json: string | null;
  support_card: number | null;
  tray_hidden: number | null;
  privacy_notice: string | null;
}

const flag = (n: number | null): boolean | null => (n === null ? null : n === 1);
const flagColumn = (b: boolean | null | undefined): number | null => (b === null || b === undefined ? null : b ? 1 : 0);

const newEnrolmentToken = (): string => `enrol_${newSecret(18)}`;

export interface School {
  id: string;
  organisationId: string;
  name: string;
  enrolmentToken: string;
  createdAt: string;
}

interface SchoolRow {
  id: string;
  organisation_id: string;
  name: string;
  enrolment_token: string;
  created_at: string;
}

const toSchool = (r: SchoolRow): School => ({
  id: r.id,
  organisationId: r.organisation_id,
  name: r.name,
  enrolmentToken: r.enrolment_token,
  createdAt: r.created_at,
});

export class SchoolsRepository {
  constructor(private readonly db: Db) {}

  /** The organisation schools belong to when nobody has made one: the single-school install. */
  defaultOrganisationId(now: Date): string {
    const row = this.db.prepare('SELECT id FROM organisations ORDER BY created_at LIMIT 1').get() as
      { id: string } | undefined;
    if (row) return row.id;
    const id = newId();
    this.db
      .prepare('INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)')
      .run(id, 'Default organisation', now.toISOString());
    return id;
  }

  create(name: string, now: Date, organisationId?: string): School {
    return this.db.transaction(() => {
      const school: School = {
        id: newId(),
        organisationId: organisationId ?? this.defaultOrganisationId(now),
        name,
        enrolmentToken: newEnrolmentToken(),
        createdAt: now.toISOString(),
      };
      this.db
        .prepare('INSERT INTO schools (id, organisation_id, name, enrolment_token, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(school.id, school.organisationId, school.name, school.enrolmentToken, school.createdAt);
      return school;
    })();
  }

  byId(id: string): School | undefined {
    const r = this.db.prepare('SELECT * FROM schools WHERE id = ?').get(id) as SchoolRow | undefined;
    return r && toSchool(r);
  }

  byEnrolmentToken(token: string): School | undefined {
    const r = this.db.prepare('SELECT * FROM schools WHERE enrolment_token = ?').get(token) as SchoolRow | undefined;
    return r && toSchool(r);
  }

  list(): School[] {
    return (this.db.prepare('SELECT * FROM schools ORDER BY created_at').all() as SchoolRow[]).map(toSchool);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM schools').get() as { n: number }).n;
  }

  idsOfOrganisations(organisationIds: readonly string[]): string[] {
    if (organisationIds.length === 0) return [];
    return (
      this.db
        .prepare(`SELECT id FROM schools WHERE organisation_id IN (${organisationIds.map(() => '?').join(', ')})`)
        .all(...organisationIds) as { id: string }[]
    ).map((r) => r.id);
  }

  /** Replaces the school's enrolment token: the old one stops working at once. Returns the new token. */
  rotateEnrolmentToken(id: string): string {
    const token = newEnrolmentToken();
    this.db.prepare('UPDATE schools SET enrolment_token = ? WHERE id = ?').run(token, id);
    return token;
  }

  settings(id: string): SchoolSettings {
    const r = this.db
      .prepare(
        `SELECT retention_days, min_severity, alert_severity, monitored_hours_json, support_card, tray_hidden,
           privacy_notice FROM school_settings WHERE school_id = ?`,
      )
      .get(id) as SettingsRow | undefined;
    if (!r)
      return {
        retentionDays: DEFAULT_RETENTION_DAYS,
        minSeverity: null,
        alertSeverity: null,
        monitoredHours: null,
        supportCard: null,
        trayHidden: null,
        privacyNotice: null,
      };
    return {
      retentionDays: r.retention_days,
      minSeverity: r.min_severity,
      alertSeverity: r.alert_severity,
      monitoredHours: r.monitored_hours_json ? (JSON.parse(r.monitored_hours_json) as MonitoredHours[]) : null,
      supportCard: flag(r.support_card),
      trayHidden: flag(r.tray_hidden),
      privacyNotice: r.privacy_notice,
    };
  }

  saveSettings(id: string, s: SchoolSettings, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO school_settings (school_id, retention_days, min_severity, alert_severity, monitored_hours_json,
           support_card, tray_hidden, privacy_notice, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (school_id) DO UPDATE SET retention_days = excluded.retention_days,
           min_severity = excluded.min_severity, alert_severity = excluded.alert_severity,
           monitored_hours_json = excluded.monitored_hours_json, support_card = excluded.support_card,
           tray_hidden = excluded.tray_hidden, privacy_notice = excluded.privacy_notice, updated_at = excluded.updated_at`,
      )
      .run(
        id,
        s.retentionDays,
        s.minSeverity,
        s.alertSeverity,
        s.monitoredHours ? JSON.stringify(s.monitoredHours) : null,
        flagColumn(s.supportCard),
        flagColumn(s.trayHidden),
        s.privacyNotice ?? null,
        now.toISOString(),
      );
  }
}
