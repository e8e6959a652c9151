import type { FastifyBaseLogger } from 'fastify';
import type { ConsoleConfig } from '../config';
import type { Clock } from '../clock';
import { newId } from '../ids';
import type { Repositories } from '../plugins/storage.plugin';
import { buildSummary } from './summary-builder';
import { renderSummaryHtml, renderSummaryPdf, renderSummaryText, summarySubject } from './summary-render';
import type { SummaryData } from './summary.schema';
import type { SummariesRepository, SendState, StoredSummary } from './summaries.repository';
import type { PupilsRepository } from './pupils.repository';
import { sendWithRetry, type Mailer, type RetryOptions } from './mailer';
import { isoWeekOf, londonTime, weekBefore, type IsoWeek } from './week';

export interface SummaryDeps {
  repos: Repositories;
  store: SummariesRepository;
  pupils: PupilsRepository;
  config: ConsoleConfig;
  clock: Clock;
  mailer: Mailer | null;
  retry?: RetryOptions;
  log?: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
}

export interface RunResult {
  summary: StoredSummary;
  created: boolean;
  /**
   * What happened to the email in this run: `already` when an earlier run sent it (or is sending it,
   * or it failed for good); `not_configured` / `no_recipients` while it still waits for those.
   */
  send: SendState | 'already';
}

/** Builds, keeps and emails weekly summaries; idempotent per (school, week). */
export class SummaryService {
  constructor(private readonly deps: SummaryDeps) {}

  get emailConfigured(): boolean {
    return this.deps.mailer !== null;
  }

  /**
   * Who receives the school's weekly summary, read at each send: holders of the school's chosen roles
   * (default heads, DSLs and deputy DSLs; school grants only, so a trust-wide org_admin is not one)
   * and its extra addresses.
   */
  recipients(schoolId: string): Promise<string[]> {
    return this.deps.store.recipientEmails(schoolId, 'summary');
  }

  /** The summary data of a school's week, as of now (nothing stored). */
  async build(schoolId: string, week: IsoWeek): Promise<SummaryData> {
    const { repos, store, config, clock } = this.deps;
    const school = await repos.schools.byId(schoolId);
    if (!school) throw new Error(`No school with id ${schoolId}`);
    const settings = await store.settings(schoolId);
    return buildSummary({
      school: { id: school.id, name: school.name },
      week,
      now: clock.now(),
      publicUrl: config.publicUrl,
      showNames: settings.showNames,
      pupils: await this.deps.pupils.directory(schoolId),
      captures: await store.captureFacts(schoolId, weekBefore(week, 4).start, week.end),
      unreviewed: await store.unreviewedFacts(schoolId),
      devices: await repos.devices.listBySchool(schoolId),
      notReportingMinutes: config.notReportingMinutes,
      // The school's keyword-list versions published that week (the list editor's publication log).
      keywordListChanges: await store.keywordListChanges(schoolId, week.start, week.end),
    });
  }

  /** The latest week whose summary is due for a school at `now` (its Monday time has passed). */
  async dueWeek(schoolId: string, now: Date = this.deps.clock.now()): Promise<IsoWeek> {
    const current = isoWeekOf(now);
    const [hh, mm] = (await this.deps.store.settings(schoolId)).summaryTime.split(':').map(Number);
    const monday = new Date(current.start.getTime() + 12 * 3_600_000); // noon: the right London date
    const d = new Date(monday.toISOString().slice(0, 10));
    const dueAt = londonTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), hh ?? 7, mm ?? 0);
    return weekBefore(current, now.getTime() >= dueAt.getTime() ? 1 : 2);
  }

  /** Builds (once) and sends (once) the summary of a school's week. */
  async run(schoolId: string, week: IsoWeek): Promise<RunResult> {
    const { store, clock } = this.deps;
    const data = await this.build(schoolId, week);
    const { summary, created } = await store.insertIfAbsent({
      id: newId(),
      schoolId,
      week: week.key,
      builtAt: clock.now().toISOString(),
      sendState: 'pending',
      data,
    });
    // A summary kept while email was not configured (or had no recipients) is sent once email works.
    const claimable: SendState[] = this.deps.mailer ? ['pending', 'not_configured', 'no_recipients'] : ['pending'];
    if (!(await store.claimSend(summary.id, claimable))) {
      // Still waiting for email to be set up (or for a recipient) is not "already sent".
      const waiting = summary.sendState === 'not_configured' || summary.sendState === 'no_recipients';
      return { summary, created, send: waiting ? summary.sendState : 'already' };
    }
    const state = await this.send(summary);
    return { summary: { ...summary, sendState: state }, created, send: state };
  }

  private async send(summary: StoredSummary): Promise<SendState> {
    const { store, clock, mailer, log } = this.deps;
    const to = await this.recipients(summary.schoolId);
    if (!mailer || to.length === 0) {
      const state: SendState = mailer ? 'no_recipients' : 'not_configured';
      await store.setSendState(summary.id, state);
      await store.recordSummarySend(summary.id, {
        id: newId(),
        at: clock.now().toISOString(),
        recipients: 0,
        outcome: 'skipped',
        attempts: 0,
        error: state,
      });
      return state;
    }
    const pdf = await renderSummaryPdf(summary.data);
    const result = await sendWithRetry(
      mailer,
      {
        to,
        subject: summarySubject(summary.data),
        text: renderSummaryText(summary.data),
        html: renderSummaryHtml(summary.data),
        attachments: [
          { filename: `vigil-summary-${summary.data.week}.pdf`, content: pdf, contentType: 'application/pdf' },
        ],
      },
      this.deps.retry,
    );
    const state: SendState = result.outcome;
    await store.setSendState(summary.id, state);
    await store.recordSummarySend(summary.id, {
      id: newId(),
      at: clock.now().toISOString(),
      recipients: to.length,
      outcome: result.outcome,
      attempts: result.attempts,
      error: result.error,
    });
    log?.[state === 'sent' ? 'info' : 'warn'](
      {
        summaryId: summary.id,
        schoolId: summary.schoolId,
        week: summary.week,
        attempts: result.attempts,
        error: result.error,
      },
      `weekly summary ${state}`,
    );
    return state;
  }

  /** Builds every school's due summary that does not exist yet (after downtime too). */
  async catchUp(now: Date = this.deps.clock.now()): Promise<RunResult[]> {
    const results: RunResult[] = [];
    for (const school of await this.deps.repos.schools.list()) {
      const week = await this.dueWeek(school.id, now);
      // A school made after that week ended has nothing to summarise for it.
      if (Date.parse(school.createdAt) >= week.end.getTime()) continue;
      if (await this.deps.store.byWeek(school.id, week.key)) continue;
      try {
        results.push(await this.run(school.id, week));
      } catch (err) {
        this.deps.log?.error(
          { schoolId: school.id, week: week.key, err: (err as Error).name },
          'weekly summary failed',
        );
      }
    }
    return results;
  }
}
