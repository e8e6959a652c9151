import { inTransaction, type Kdb } from '../db/database';
import type { MonitoredHours } from '@vigil/shared';
import { newId, newSecret } from '../ids';
import type { Selectable } from 'kysely';
import type { SchoolsTable } from '../db/schema';

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

/** A row as the database returns it. */
type SchoolRow = Selectable<SchoolsTable>;

const toSchool = (r: SchoolRow): School => ({
  id: r.id,
  organisationId: r.organisation_id,
  name: r.name,
  enrolmentToken: r.enrolment_token,
  createdAt: r.created_at,
});

const DEFAULT_SETTINGS: SchoolSettings = {
  retentionDays: DEFAULT_RETENTION_DAYS,
  minSeverity: null,
  alertSeverity: null,
  monitoredHours: null,
  supportCard: null,
  trayHidden: null,
  privacyNotice: null,
};

const toSettings = (r: SettingsRow | undefined): SchoolSettings =>
  r
    ? {
        retentionDays: r.retention_days,
        minSeverity: r.min_severity,
        alertSeverity: r.alert_severity,
        monitoredHours: r.monitored_hours_json ? (JSON.parse(r.monitored_hours_json) as MonitoredHours[]) : null,
        supportCard: flag(r.support_card),
        trayHidden: flag(r.tray_hidden),
        privacyNotice: r.privacy_notice,
      }
    : { ...DEFAULT_SETTINGS };

const SETTINGS_COLUMNS = [
  'retention_days',
  'min_severity',
  'alert_severity',
  'monitored_hours_json',
  'support_card',
  'tray_hidden',
  'privacy_notice',
] as const;

export class SchoolsRepository {
  constructor(private readonly db: Kdb) {}

  /** The organisation schools belong to when nobody has made one: the single-school install. */
  async defaultOrganisationId(now: Date, db: Kdb = this.db): Promise<string> {
    const row = await db.selectFrom('organisations').select('id').orderBy('created_at').limit(1).executeTakeFirst();
    if (row) return row.id;
    const id = newId();
    await db
      .insertInto('organisations')
      .values({ id, name: 'Default organisation', created_at: now.toISOString() })
      .execute();
    return id;
  }

  async create(name: string, now: Date, organisationId?: string): Promise<School> {
    return inTransaction(this.db, async (trx) => {
      const school: School = {
        id: newId(),
        organisationId: organisationId ?? (await this.defaultOrganisationId(now, trx)),
        name,
        enrolmentToken: newEnrolmentToken(),
        createdAt: now.toISOString(),
      };
      await trx
        .insertInto('schools')
        .values({
          id: school.id,
          organisation_id: school.organisationId,
          name: school.name,
          enrolment_token: school.enrolmentToken,
          created_at: school.createdAt,
        })
        .execute();
      return school;
    });
  }

  async byId(id: string): Promise<School | undefined> {
    const r = await this.db.selectFrom('schools').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toSchool(r);
  }

  async byEnrolmentToken(token: string): Promise<School | undefined> {
    const r = await this.db.selectFrom('schools').selectAll().where('enrolment_token', '=', token).executeTakeFirst();
    return r && toSchool(r);
  }

  async list(): Promise<School[]> {
    const rows = await this.db.selectFrom('schools').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toSchool);
  }

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom('schools')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async idsOfOrganisations(organisationIds: readonly string[]): Promise<string[]> {
    if (organisationIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('schools')
      .select('id')
      .where('organisation_id', 'in', organisationIds)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Replaces the school's enrolment token: the old one stops working at once. Returns the new token. */
  async rotateEnrolmentToken(id: string): Promise<string> {
    const token = newEnrolmentToken();
    await this.db.updateTable('schools').set({ enrolment_token: token }).where('id', '=', id).execute();
    return token;
  }

  async settings(id: string): Promise<SchoolSettings> {
    return toSettings(
      await this.db
        .selectFrom('school_settings')
        .select(SETTINGS_COLUMNS)
        .where('school_id', '=', id)
        .executeTakeFirst(),
    );
  }

  async saveSettings(id: string, s: SchoolSettings, now: Date): Promise<void> {
    await this.db
      .insertInto('school_settings')
      .values({
        school_id: id,
        retention_days: s.retentionDays,
        min_severity: s.minSeverity,
        alert_severity: s.alertSeverity,
        monitored_hours_json: s.monitoredHours ? JSON.stringify(s.monitoredHours) : null,
        support_card: flagColumn(s.supportCard),
        tray_hidden: flagColumn(s.trayHidden),
        privacy_notice: s.privacyNotice ?? null,
        updated_at: now.toISOString(),
      })
      .onConflict((oc) =>
        oc.column('school_id').doUpdateSet((eb) => ({
          retention_days: eb.ref('excluded.retention_days'),
          min_severity: eb.ref('excluded.min_severity'),
          alert_severity: eb.ref('excluded.alert_severity'),
          monitored_hours_json: eb.ref('excluded.monitored_hours_json'),
          support_card: eb.ref('excluded.support_card'),
          tray_hidden: eb.ref('excluded.tray_hidden'),
          privacy_notice: eb.ref('excluded.privacy_notice'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}
