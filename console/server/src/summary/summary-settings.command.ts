import type { ConsoleConfig } from '../config';
import { openConsoleDatabase } from '../db/database';
import { repositoriesFor } from '../plugins/storage.plugin';
import { CLI_ACTOR } from '../services/user-accounts.service';
import { SummariesRepository, type SummarySettings } from './summaries.repository';
import { RecipientSettingsError, applyRecipientChange, settingsAuditDetails } from './recipient-settings';

export class SummarySettingsError extends Error {}

export interface SummarySettingsChange {
  schoolId: string;
  time?: string;
  alertSeverity?: string;
  dailyDigest?: string;
  names?: string;
  /** Comma-separated lists; an empty string clears the list. */
  summaryRoles?: string;
  alertRoles?: string;
  summaryExtra?: string;
  alertExtra?: string;
}

export interface SummarySettingsResult extends SummarySettings {
  /** Who receives each, resolved now: role holders at the school, then the extra addresses. */
  summaryRecipients: { email: string; role: string }[];
  alertRecipients: { email: string; role: string }[];
}

const commaList = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');

const onOff = (value: string, flag: string): boolean => {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new SummarySettingsError(`${flag} must be "on" or "off"`);
};

/** `npm run console -- summary-settings --school ID [...]`: shows, and with flags changes, a school's settings. */
export async function summarySettingsCommand(
  config: ConsoleConfig,
  change: SummarySettingsChange,
  now = new Date(),
): Promise<SummarySettingsResult> {
  const database = await openConsoleDatabase(config);
  try {
    const repos = repositoriesFor(database);
    const school = await repos.schools.byId(change.schoolId);
    if (!school) throw new SummarySettingsError(`No school with id ${change.schoolId}`);
    const store = new SummariesRepository(database.kysely);
    let next: SummarySettings;
    try {
      next = await applyRecipientChange(store, await store.settings(change.schoolId), {
        summaryRoles: commaList(change.summaryRoles),
        alertRoles: commaList(change.alertRoles),
        summaryExtraEmails: commaList(change.summaryExtra),
        alertExtraEmails: commaList(change.alertExtra),
      });
    } catch (err) {
      if (!(err instanceof RecipientSettingsError)) throw err;
      // The CLI's flags, not the API's field names.
      throw new SummarySettingsError(
        err.message
          .replace(/^summaryRoles/, '--summary-roles')
          .replace(/^alertRoles/, '--alert-roles')
          .replace(/^summaryExtraEmails/, '--summary-extra')
          .replace(/^alertExtraEmails/, '--alert-extra') + '; nothing was changed',
      );
    }
    if (change.time !== undefined) {
      const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(change.time);
      if (!m) throw new SummarySettingsError('--time must be HH:MM (24-hour, Europe/London), e.g. 07:00');
      next.summaryTime = change.time;
    }
    if (change.alertSeverity !== undefined) {
      const n = Number(change.alertSeverity);
      if (!Number.isInteger(n) || n < 1 || n > 5) throw new SummarySettingsError('--alert-severity must be 1 to 5');
      next.alertSeverity = n;
    }
    if (change.dailyDigest !== undefined) next.dailyDigest = onOff(change.dailyDigest, '--daily-digest');
    if (change.names !== undefined) next.showNames = onOff(change.names, '--names');
    const changed = [
      change.time,
      change.alertSeverity,
      change.dailyDigest,
      change.names,
      change.summaryRoles,
      change.alertRoles,
      change.summaryExtra,
      change.alertExtra,
    ].some((v) => v !== undefined);
    if (changed) {
      await store.saveSettings(next, now);
      await repos.audit.append(
        {
          action: 'summary.settings_update',
          outcome: 'success',
          actorUserId: CLI_ACTOR.userId,
          actorLabel: CLI_ACTOR.label,
          organisationId: school.organisationId,
          schoolId: school.id,
          targetId: school.id,
          ip: null,
          details: settingsAuditDetails(next),
        },
        now,
      );
    }
    return {
      ...next,
      summaryRecipients: await store.recipients(school.id, 'summary', next),
      alertRecipients: await store.recipients(school.id, 'alert', next),
    };
  } finally {
    await database.close();
  }
}
