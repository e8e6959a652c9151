import fp from 'fastify-plugin';
import { Cron } from 'croner';
import type { FastifyInstance } from 'fastify';

/** Every 15 minutes: sessions past their absolute expiry or idle too long are deleted. */
export const SESSION_PURGE_SCHEDULE = '*/15 * * * *';

declare module 'fastify' {
  interface FastifyInstance {
    /** The scheduled purge of expired sessions (tests trigger it). */
    sessionPurge: { job: Cron; run: () => Promise<number> };
  }
}

/**
 * Deletes sessions past `expires_at` or idle for `VIGIL_SESSION_IDLE_MINUTES`. A session is
 * refused the moment it expires anyway; this keeps the table from growing with abandoned ones.
 * One audit row per run that deleted any.
 */
export async function purgeExpiredSessions(app: FastifyInstance): Promise<number> {
  const now = app.clock.now();
  const idleSince = new Date(now.getTime() - app.config.sessionIdleMinutes * 60_000);
  const deleted = await app.repos.sessions.deleteExpired(now, idleSince);
  if (deleted > 0) {
    await app.repos.audit.append(
      {
        action: 'session.purge',
        outcome: 'success',
        actorUserId: null,
        actorLabel: 'session-purge',
        organisationId: null,
        schoolId: null,
        targetId: null,
        ip: null,
        details: { deleted },
      },
      now,
    );
  }
  return deleted;
}

export const sessionPurgePlugin = fp(
  async (app) => {
    const run = () => purgeExpiredSessions(app);
    const job = new Cron(SESSION_PURGE_SCHEDULE, { unref: true, protect: true }, async () => {
      try {
        const deleted = await run();
        if (deleted > 0) app.log.info({ deleted }, 'expired sessions purged');
      } catch (err) {
        app.log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'session purge failed');
      }
    });
    app.decorate('sessionPurge', { job, run });
    app.addHook('onClose', async () => {
      job.stop();
    });
  },
  { name: 'vigil-session-purge', fastify: '5.x', dependencies: ['vigil-storage'] },
);
