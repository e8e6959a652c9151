import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ConsoleConfig } from './config';
import { systemClock, type Clock } from './clock';
import type { BlobStore } from './blob-store/blob-store';
import { storagePlugin } from './plugins/storage.plugin';
import { errorsPlugin } from './plugins/errors.plugin';
import rateLimit from '@fastify/rate-limit';
import { deviceAuthPlugin } from './plugins/device-auth.plugin';
import { sessionAuthPlugin } from './plugins/session-auth.plugin';
import { openapiPlugin } from './plugins/openapi.plugin';
import { webPlugin } from './plugins/web.plugin';
import { ConsoleError } from './errors';
import { authRoute } from './routes/dashboard/auth.route';
import { dashboardCapturesRoute } from './routes/dashboard/captures.route';
import { auditRoute } from './routes/dashboard/audit.route';
import { healthRoute } from './routes/health.route';
import { enrolRoute } from './routes/agent/enrol.route';
import { capturesRoute } from './routes/agent/captures.route';
import { heartbeatRoute } from './routes/agent/heartbeat.route';
import { policyRoute } from './routes/agent/policy.route';
import { eventsPlugin } from './plugins/events.plugin';
import { summaryPlugin, type SummaryOptions } from './summary/summary.plugin';
import { summariesRoute } from './summary/summaries.route';
import { livePlugin } from './plugins/live.plugin';
import { retentionPlugin } from './plugins/retention.plugin';
import { devicesRoute } from './routes/dashboard/devices.route';
import { schoolsRoute } from './routes/dashboard/schools.route';
import { exportRoute } from './routes/dashboard/export.route';
import { peopleRoutes } from './routes/dashboard/people.routes';
import { listsPlugin } from './plugins/lists.plugin';
import { writeBatchPlugin } from './plugins/write-batch.plugin';
import { listsRoute } from './routes/dashboard/lists.route';
import { captureGroupsRoute } from './routes/dashboard/capture-groups.route';
import { schoolSummarySettingsRoute } from './summary/summary-settings.route';
import { pupilsRoute } from './summary/pupils.route';

export type { ConsoleConfig } from './config';
export { loadConfig } from './config';

export interface BuildOptions {
  clock?: Clock;
  blobStore?: BlobStore;
  /** Mailer, timers and scheduler of summaries and alerts (tests inject fakes). */
  summary?: SummaryOptions;
}

/** Builds the console without listening: the server, the CLI and the tests all start here. */
export async function buildApp(config: ConsoleConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Logs go to stderr: stdout is for what people and scripts read (first-run details, --json).
      stream: process.stderr,
      // Request logs carry method, path and status, never bodies: captured text stays out of logs.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-vigil-csrf"]'],
    },
    bodyLimit: 1024 * 1024,
    trustProxy: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(errorsPlugin);
  await app.register(storagePlugin, { config, clock: options.clock ?? systemClock, blobStore: options.blobStore });
  await app.register(deviceAuthPlugin);
  await app.register(sessionAuthPlugin);
  await app.register(eventsPlugin);
  await app.register(listsPlugin);
  await app.register(writeBatchPlugin);
  await app.register(summaryPlugin, options.summary ?? {});
  await app.register(livePlugin);
  await app.register(retentionPlugin);
  // Only routes that ask for it are limited (sign-in, per address); the answer is our coded 429.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => new ConsoleError('CONSOLE_ERR_RATE_LIMITED'),
  });
  await app.register(openapiPlugin);
  await app.register(webPlugin);
  await app.register(multipart);
  await app.register(healthRoute);
  await app.register(enrolRoute);
  await app.register(capturesRoute);
  await app.register(heartbeatRoute);
  await app.register(policyRoute);
  await app.register(authRoute);
  await app.register(dashboardCapturesRoute);
  await app.register(auditRoute);
  await app.register(summariesRoute);
  await app.register(devicesRoute);
  await app.register(schoolsRoute);
  await app.register(exportRoute);
  await app.register(peopleRoutes);
  await app.register(listsRoute);
  await app.register(captureGroupsRoute);
  await app.register(schoolSummarySettingsRoute);
  await app.register(pupilsRoute);
  await app.ready();
  return app;
}
