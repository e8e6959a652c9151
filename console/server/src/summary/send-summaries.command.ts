import type { ConsoleConfig } from '../config';
import { systemClock, type Clock } from '../clock';
import { openConsoleDatabase } from '../db/database';
import { repositoriesFor } from '../plugins/storage.plugin';
import { SummariesRepository } from './summaries.repository';
import { PupilsRepository } from './pupils.repository';
import { SummaryService } from './summary.service';
import { SmtpMailer } from './mailer';
import { parseIsoWeek } from './week';
import { renderSummaryText } from './summary-render';
import type { SummaryData } from './summary.schema';

export interface SendSummariesOptions {
  schoolId?: string;
  /** `YYYY-Www`; default: each school's latest due week. */
  week?: string;
  dryRun?: boolean;
}

export interface SendSummariesRow {
  schoolId: string;
  week: string;
  /** built: stored now; existing: stored earlier; dry-run: built and printed only. */
  summary: 'built' | 'existing' | 'dry-run';
  send: string;
  recipients: string[];
  data?: SummaryData;
  text?: string;
}

export class SendSummariesError extends Error {}

/** `npm run console -- send-summaries`: builds and sends (or, with --dry-run, only prints) summaries on demand. */
export async function sendSummariesCommand(
  config: ConsoleConfig,
  opts: SendSummariesOptions,
  clock: Clock = systemClock,
): Promise<SendSummariesRow[]> {
  const week = opts.week === undefined ? undefined : parseIsoWeek(opts.week);
  if (opts.week !== undefined && !week)
    throw new SendSummariesError(`--week "${opts.week}" is not an ISO week (YYYY-Www)`);
  const database = await openConsoleDatabase(config);
  const mailer = config.smtp && !opts.dryRun ? new SmtpMailer(config.smtp) : null;
  try {
    const repos = repositoriesFor(database);
    const store = new SummariesRepository(database.kysely);
    const pupils = new PupilsRepository(database.kysely);
    const service = new SummaryService({ repos, store, pupils, config, clock, mailer });
    const schools = opts.schoolId ? [await repos.schools.byId(opts.schoolId)] : await repos.schools.list();
    if (schools[0] === undefined && opts.schoolId) throw new SendSummariesError(`No school with id ${opts.schoolId}`);
    const rows: SendSummariesRow[] = [];
    for (const school of schools) {
      if (!school) continue;
      const w = week ?? (await service.dueWeek(school.id));
      const recipients = await service.recipients(school.id);
      if (opts.dryRun) {
        const data = await service.build(school.id, w);
        rows.push({
          schoolId: school.id,
          week: w.key,
          summary: 'dry-run',
          send: 'none',
          recipients,
          data,
          text: renderSummaryText(data),
        });
        continue;
      }
      const result = await service.run(school.id, w);
      rows.push({
        schoolId: school.id,
        week: w.key,
        summary: result.created ? 'built' : 'existing',
        send: result.send,
        recipients,
      });
    }
    return rows;
  } finally {
    mailer?.close();
    await database.close();
  }
}
