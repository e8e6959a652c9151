import fp from 'fastify-plugin';
import { SummariesRepository } from './summaries.repository';
import { PupilsRepository } from './pupils.repository';
import { SummaryService } from './summary.service';
import { SummaryScheduler, type CronScheduler } from './summary-scheduler';
import { AlertService, type Timers } from './alerts.service';
import { SmtpMailer, type Mailer, type RetryOptions } from './mailer';

export interface SummaryOptions {
  /** Overrides the SMTP mailer made from the config (null: email not configured). */
  mailer?: Mailer | null;
  cron?: CronScheduler;
  timers?: Timers;
  retry?: RetryOptions;
  alertBatchMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    summaries: SummaryService;
    summaryStore: SummariesRepository;
    /** Each school's pupil directory (login → name, year group). */
    pupilDirectory: PupilsRepository;
    /** Started by `serve` (startServer), not by buildApp: tests and CLI commands stay quiet. */
    summaryScheduler: SummaryScheduler;
    alerts: AlertService;
  }
}

/** Weekly summaries and immediate alerts: the services, the scheduler and the capture listener. */
export const summaryPlugin = fp<SummaryOptions>(
  async (app, opts) => {
    const mailer = opts.mailer !== undefined ? opts.mailer : app.config.smtp ? new SmtpMailer(app.config.smtp) : null;
    const store = new SummariesRepository(app.database.kysely);
    const pupils = new PupilsRepository(app.database.kysely);
    const base = {
      repos: app.repos,
      store,
      pupils,
      config: app.config,
      clock: app.clock,
      mailer,
      retry: opts.retry,
      log: app.log,
    };
    const summaries = new SummaryService(base);
    const alerts = new AlertService({ ...base, timers: opts.timers, batchMs: opts.alertBatchMs });
    const scheduler = new SummaryScheduler(summaries, opts.cron, alerts);
    app.decorate('summaryStore', store);
    app.decorate('pupilDirectory', pupils);
    app.decorate('summaries', summaries);
    app.decorate('alerts', alerts);
    app.decorate('summaryScheduler', scheduler);
    app.events.on('capture:stored', (c) => {
      alerts.onCaptureStored(c).catch((err: unknown) => {
        app.log.error({ captureId: c.id, err: (err as Error).name }, 'alert hook failed');
      });
    });
    // Before storage closes the database: stop the job, send pending alerts.
    app.addHook('preClose', async () => {
      await scheduler.stop();
      await alerts.drain();
      mailer?.close();
    });
  },
  { name: 'vigil-summary', fastify: '5.x', dependencies: ['vigil-storage', 'vigil-events'] },
);
