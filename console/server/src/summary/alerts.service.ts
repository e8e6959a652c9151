import type { FastifyBaseLogger } from 'fastify';
import type { ConsoleConfig } from '../config';
import type { Clock } from '../clock';
import { newId } from '../ids';
import type { Repositories } from '../plugins/storage.plugin';
import type { School } from '../repositories/schools.repository';
import { sendWithRetry, type MailMessage, type Mailer, type RetryOptions } from './mailer';
import type { CaptureFacts } from './summary-builder';
import { londonFields, londonTime } from './week';
import { directoryLookup, pupilLabel } from './pupil-label';
import { captureBlocks, emailDocument, footnote, title, whoAndDevice } from './email-layout';
import type { SendRecord, SummariesRepository } from './summaries.repository';
import type { PupilsRepository } from './pupils.repository';

/*
 * Immediate alerts and the daily digest go to the school's chosen alert recipients, read at each send
 * (default: its DSLs and deputy DSLs; see SummariesRepository.recipients).
 */
/** Captures arriving within this window share one email; the email leaves well inside 60 s. */
export const ALERT_BATCH_MS = 20_000;
/** How far back a restarted console looks for captures whose alert was never sent. */
export const ALERT_RECOVERY_MS = 30 * 60_000;
/** The daily digest starts at this severity (up to the school's alert severity, exclusive). */
export const DIGEST_MIN_SEVERITY = 3;

/** Timers, injected so tests need not wait; the real ones never keep the process alive. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface AlertDeps {
  repos: Repositories;
  store: SummariesRepository;
  pupils: PupilsRepository;
  config: ConsoleConfig;
  clock: Clock;
  mailer: Mailer | null;
  timers?: Timers;
  retry?: RetryOptions;
  batchMs?: number;
  log?: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
}

const london = (iso: string): string =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );

/**
 * Emails a school's DSLs when captures at or above its alert severity (default 4) arrive: the first
 * starts a short batch window, the rest of that window join it, and one email leaves. The email
 * carries the category, phrase, pupil initials and a link; never the context or the screenshot.
 */
export class AlertService {
  private readonly pending = new Map<string, { ids: string[]; handle: unknown }>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Captures whose school settings are being read (see onCaptureStored); drain waits for them. */
  private readonly arriving = new Set<Promise<void>>();
  private readonly timers: Timers;

  constructor(private readonly deps: AlertDeps) {
    this.timers = deps.timers ?? realTimers;
  }

  /**
   * Queues a stored capture for its school's alert if it reaches the alert severity. The settings
   * read is awaited; `drain` waits for captures still being queued, so none is lost at shutdown.
   */
  onCaptureStored(c: { id: string; schoolId: string; severity: number }): Promise<void> {
    const job = this.queue(c);
    this.arriving.add(job);
    void job.then(
      () => this.arriving.delete(job),
      () => this.arriving.delete(job),
    );
    return job;
  }

  private async queue(c: { id: string; schoolId: string; severity: number }): Promise<void> {
    if (c.severity < (await this.deps.store.settings(c.schoolId)).alertSeverity) return;
    const batch = this.pending.get(c.schoolId);
    if (batch) {
      if (!batch.ids.includes(c.id)) batch.ids.push(c.id);
      return;
    }
    const handle = this.timers.set(() => void this.flush(c.schoolId), this.deps.batchMs ?? ALERT_BATCH_MS);
    this.pending.set(c.schoolId, { ids: [c.id], handle });
  }

  /**
   * Batches live in memory: after a restart, captures received in the last `withinMs` that no alert
   * recorded are queued again (run by the scheduler's start, i.e. by `serve`).
   */
  async recover(withinMs = ALERT_RECOVERY_MS): Promise<number> {
    const since = new Date(this.deps.clock.now().getTime() - withinMs);
    const alerted = await this.deps.store.alertedSince(since);
    const missed = (await this.deps.store.receivedSince(since)).filter((c) => !alerted.has(c.id));
    for (const c of missed) await this.onCaptureStored(c);
    return missed.length;
  }

  /** Sends a school's pending batch now. */
  flush(schoolId: string): Promise<void> {
    const batch = this.pending.get(schoolId);
    if (!batch) return Promise.resolve();
    this.pending.delete(schoolId);
    this.timers.clear(batch.handle);
    const job = this.send(schoolId, batch.ids).catch((err: unknown) => {
      this.deps.log?.error({ schoolId, err: (err as Error).name }, 'alert email failed');
    });
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
    return job;
  }

  /** Resolves once every stored capture reported so far is queued for its alert, or found below the threshold. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.arriving]);
  }

  /** Sends every pending batch and waits for every send (shutdown, tests). */
  async drain(): Promise<void> {
    await this.settled();
    await Promise.all([...this.pending.keys()].map((s) => this.flush(s)));
    await Promise.all([...this.inFlight]);
  }

  private async send(schoolId: string, ids: string[]): Promise<void> {
    const { store, clock, mailer } = this.deps;
    const captures = await store.factsByIds(ids);
    const to = await store.recipientEmails(schoolId, 'alert');
    const record = (outcome: SendRecord['outcome'], attempts: number, error: string | null, recipients: number) =>
      store.recordAlertSend(schoolId, 'immediate', ids, {
        id: newId(),
        at: clock.now().toISOString(),
        recipients,
        outcome,
        attempts,
        error,
      });
    if (!mailer) return record('skipped', 0, 'not_configured', 0);
    if (to.length === 0) return record('skipped', 0, 'no_recipients', 0);
    const top = Math.max(...captures.map((c) => c.severity));
    const subject = `Vigil alert: ${
      captures.length === 1 ? `a severity-${top} capture` : `${captures.length} captures (up to severity ${top})`
    } at ${await this.schoolName(schoolId)}`;
    const intro = `Review ${captures.length === 1 ? 'it' : 'them'} now in the dashboard (sign-in needed).`;
    const result = await sendWithRetry(
      mailer,
      await this.compose(schoolId, to, subject, intro, captures),
      this.deps.retry,
    );
    await record(result.outcome, result.attempts, result.error, to.length);
    this.deps.log?.[result.outcome === 'sent' ? 'info' : 'warn'](
      { schoolId, captures: ids.length, attempts: result.attempts, error: result.error },
      `alert email ${result.outcome}`,
    );
  }

  /**
   * The daily digest (a school setting, off by default): at the school's summary time each day, the
   * previous London day's captures from severity 3 up to (not including) the alert severity, to
   * the DSLs. One per school and day, also after downtime (the latest due day only).
   */
  async digestCatchUp(now: Date = this.deps.clock.now()): Promise<void> {
    for (const school of await this.deps.repos.schools.list()) {
      try {
        await this.digestOf(school, now);
      } catch (err) {
        this.deps.log?.error({ schoolId: school.id, err: (err as Error).name }, 'daily digest failed');
      }
    }
  }

  private async digestOf(school: School, now: Date): Promise<void> {
    const { store, clock, mailer } = this.deps;
    const settings = await store.settings(school.id);
    if (!settings.dailyDigest) return;
    const today = londonFields(now);
    const [hh, mm] = settings.summaryTime.split(':').map(Number);
    const dueAt = londonTime(today.year, today.month, today.day, hh ?? 7, mm ?? 0);
    const back = now.getTime() >= dueAt.getTime() ? 1 : 2;
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day - back));
    const day = d.toISOString().slice(0, 10);
    const from = londonTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    const to = londonTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate() + 1);
    if (Date.parse(school.createdAt) >= to.getTime()) return;
    const id = newId();
    if (!(await store.claimDigest(school.id, day, id, clock.now()))) return;
    const captures = await store.factsBySeverity(school.id, from, to, DIGEST_MIN_SEVERITY, settings.alertSeverity - 1);
    const recipients = await store.recipientEmails(school.id, 'alert');
    const finish = (outcome: SendRecord['outcome'], attempts: number, error: string | null, n: number) =>
      store.finishAlertSend(
        id,
        captures.map((c) => c.id),
        { at: clock.now().toISOString(), recipients: n, outcome, attempts, error },
      );
    if (captures.length === 0) return finish('skipped', 0, 'no_captures', 0);
    if (!mailer) return finish('skipped', 0, 'not_configured', 0);
    if (recipients.length === 0) return finish('skipped', 0, 'no_recipients', 0);
    const subject = `Vigil daily digest: ${captures.length} capture${captures.length === 1 ? '' : 's'} to review at ${await this.schoolName(school.id)} (${day})`;
    const result = await sendWithRetry(
      mailer,
      await this.compose(school.id, recipients, subject, 'Captures of yesterday to review today.', captures),
      this.deps.retry,
    );
    await finish(result.outcome, result.attempts, result.error, recipients.length);
  }

  private async schoolName(schoolId: string): Promise<string> {
    return (await this.deps.repos.schools.byId(schoolId))?.name ?? 'your school';
  }

  /** An alert or digest email: category, phrase, pupil initials, device and link; no context, no screenshot. */
  private async compose(
    schoolId: string,
    to: string[],
    subject: string,
    intro: string,
    captures: readonly CaptureFacts[],
  ): Promise<MailMessage> {
    const { repos, store, config } = this.deps;
    const settings = await store.settings(schoolId);
    const known = directoryLookup(await this.deps.pupils.directory(schoolId));
    const hosts = new Map((await repos.devices.listBySchool(schoolId)).map((d) => [d.id, d.hostname]));
    const lines = [...captures]
      .sort((a, b) => b.severity - a.severity || a.capturedAt.localeCompare(b.capturedAt))
      .map((c) => ({
        when: london(c.capturedAt),
        severity: c.severity,
        categories: c.categories.join(', '),
        phrases: c.phrases.join(', '),
        pupil: pupilLabel(c.user, hosts.get(c.deviceId), settings.showNames, known(c.user)),
        device: hosts.get(c.deviceId) ?? 'unknown device',
        link: `${config.publicUrl}/captures/${encodeURIComponent(c.id)}`,
      }));
    const text = [
      `${subject}. ${intro}`,
      '',
      ...lines.map(
        (l) =>
          `- ${l.when} | severity ${l.severity} | ${l.categories} | "${l.phrases}" | ${l.pupil} | ${l.device}\n  ${l.link}`,
      ),
      '',
      'This email carries no screenshot and no captured text beyond the category and phrase.',
    ].join('\n');
    const html = emailDocument(
      subject,
      intro,
      [
        title(subject, intro),
        captureBlocks(
          lines.map((l) => ({
            severity: l.severity,
            title: `${l.categories}: “${l.phrases}”`,
            who: whoAndDevice(l.pupil, l.device),
            meta: l.when,
            href: l.link,
          })),
          'No captures.',
        ),
        footnote('No screenshot and no captured text beyond the category and phrase. Links need a signed-in session.'),
      ].join(''),
    );
    return { to, subject, text, html };
  }
}
