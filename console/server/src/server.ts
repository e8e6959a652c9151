import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { ConsoleConfig } from './config';
import { bootstrapFirstRun, type FirstRun } from './services/bootstrap.service';

export interface RunningConsole {
  app: FastifyInstance;
  url: string;
  firstRun: FirstRun | undefined;
}

/** Builds the app, makes the first school and admin on a first start, and listens. */
export async function startServer(
  config: ConsoleConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningConsole> {
  const app = await buildApp(config);
  const firstRun = await bootstrapFirstRun(
    app.repos,
    app.clock.now(),
    {
      schoolName: env.VIGIL_FIRST_SCHOOL_NAME || 'My School',
      adminEmail: env.VIGIL_ADMIN_EMAIL || 'admin@vigil.local',
    },
    app.secrets,
  );
  await app.listen({ host: config.host, port: config.port });
  // Weekly summaries: a job each minute builds what is due, and this first run catches up after
  // downtime. Not awaited: start-up does not wait on SMTP.
  app.summaryScheduler.start().catch((err: unknown) => {
    app.log.error({ err: (err as Error).name }, 'summary scheduler failed to start');
  });
  app.retentionPurge.resume();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return { app, url: `http://localhost:${port}`, firstRun };
}
