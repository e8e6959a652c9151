import fp from 'fastify-plugin';
import { Cron } from 'croner';
import { purgeExpiredCaptures } from '../services/retention.service';
import { CLI_ACTOR } from '../services/user-accounts.service';

/** Every day at 02:30 school time: the retention purge. */
export const PURGE_SCHEDULE = '30 2 * * *';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The daily retention purge, made paused: `serve` (startServer) resumes it, as it starts the
     * summary scheduler, so tests and CLI commands built on buildApp never purge by the wall clock.
     */
    retentionPurge: Cron;
  }
}

/** The daily retention purge job (the job never keeps the process alive); startServer starts it. */
export const retentionPlugin = fp(
  async (app) => {
    const options = { timezone: 'Europe/London', unref: true, protect: true, paused: true };
    const job = new Cron(PURGE_SCHEDULE, options, async () => {
      try {
        const result = await purgeExpiredCaptures(app.repos, app.blobs, app.clock, {
          actor: { ...CLI_ACTOR, label: 'retention' },
        });
        app.log.info({ deleted: result.deleted, schools: result.schools.length }, 'retention purge done');
      } catch (err) {
        app.log.error(
          { err: { name: (err as Error).name, message: (err as Error).message } },
          'retention purge failed',
        );
      }
    });
    app.decorate('retentionPurge', job);
    app.addHook('onClose', async () => {
      job.stop();
    });
  },
  { name: 'vigil-retention', fastify: '5.x', dependencies: ['vigil-storage'] },
);
