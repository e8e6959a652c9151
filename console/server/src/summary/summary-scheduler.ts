import { Cron } from 'croner';
import type { SummaryService } from './summary.service';
import type { AlertService } from './alerts.service';

/** A repeating job; injected so tests can tick it by hand. */
export interface CronScheduler {
  schedule(pattern: string, timeZone: string, fn: () => Promise<void>): { stop(): void };
}

export const cronerScheduler: CronScheduler = {
  schedule(pattern, timeZone, fn) {
    // `protect`: a slow run is never overlapped by the next tick. Croner's timers are unref'd.
    const job = new Cron(pattern, { timezone: timeZone, protect: true, unref: true }, fn);
    return { stop: () => job.stop() };
  },
};

/**
 * Runs the weekly summaries. Each school's summary of last week is due at its Monday time
 * (default 07:00 Europe/London); rather than one job per school, a job every minute builds whatever
 * is due and missing. That is cheap (one keyed lookup per school), honours each school's time,
 * and catches up after downtime; `start()` also runs it at once. The same tick sends the daily
 * digests of schools that want one. The unique (school, week) key and
 * the send claim make a second run, or a second console, send nothing twice.
 */
export class SummaryScheduler {
  private job: { stop(): void } | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly summaries: SummaryService,
    private readonly cron: CronScheduler = cronerScheduler,
    private readonly alerts?: AlertService,
  ) {}

  /** Re-queues alerts lost in a restart, starts the minute job and runs the catch-up now. */
  async start(): Promise<void> {
    if (this.job) return;
    await this.alerts?.recover();
    // Failures are logged per school inside the services; a tick never rejects into croner.
    this.job = this.cron.schedule('0 * * * * *', 'Europe/London', () => this.tick().catch(() => undefined));
    await this.tick();
  }

  tick(): Promise<void> {
    const run = this.running.then(async () => {
      await this.summaries.catchUp();
      await this.alerts?.digestCatchUp();
    });
    this.running = run.catch(() => undefined);
    return run.then(() => undefined);
  }

  async stop(): Promise<void> {
    this.job?.stop();
    this.job = undefined;
    await this.running;
  }
}
