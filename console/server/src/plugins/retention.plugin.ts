import fp from 'fastify-plugin';
import { Cron } from 'croner';
import { purgeExpiredCaptures } from '../services/retention.service';
import { CLI_ACTOR } from '../services/user-accounts.service';

/** Every day at 02:30 school time: the retention purge. */
export const PURGE_SCHEDULE = '30 2 * * *';

/** Schedules the daily retention purge while the console runs (the job never keeps the process alive). */
export const retentionPlugin = fp(
  async (app) => {
    const job = new Cron(PURGE_SCHEDULE, { timezone: 'Europe/London', unref: true, protect: true }, async () => {
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
    app.addHook('onClose', async () => {
      job.stop();
    });
  },
  { name: 'vigil-retention', fastify: '5.x', dependencies: ['vigil-storage'] },
);
