import type { ConsoleConfig } from '../config';
import { openConsoleDatabase } from '../db/database';
import { repositoriesFor, sqliteOf } from '../plugins/storage.plugin';
import { SummariesRepository, type SummarySettings } from './summaries.repository';

export class SummarySettingsError extends Error {}

export interface SummarySettingsChange {
  schoolId: string;
  time?: string;
  alertSeverity?: string;
  dailyDigest?: string;
  names?: string;
}

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
): Promise<SummarySettings> {
  const database = await openConsoleDatabase(config);
  const db = sqliteOf(database);
  try {
    const repos = repositoriesFor(database);
    if (!(await repos.schools.byId(change.schoolId)))
      throw new SummarySettingsError(`No school with id ${change.schoolId}`);
    const store = new SummariesRepository(db);
    const next = { ...store.settings(change.schoolId) };
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
    const changed = [change.time, change.alertSeverity, change.dailyDigest, change.names].some((v) => v !== undefined);
    if (changed) store.saveSettings(next, now);
    return next;
  } finally {
    await database.close();
  }
}
