import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ConsoleConfig } from './config';
import { systemClock, type Clock } from './clock';
import type { BlobStore } from './blob-store/blob-store';
import { storagePlugin } from './plugins/storage.plugin';
import { errorsPlugin } from './plugins/errors.plugin';
import { deviceAuthPlugin } from './plugins/device-auth.plugin';
import { healthRoute } from './routes/health.route';
import { enrolRoute } from './routes/agent/enrol.route';
import { capturesRoute } from './routes/agent/captures.route';
import { heartbeatRoute } from './routes/agent/heartbeat.route';
import { policyRoute } from './routes/agent/policy.route';

export type { ConsoleConfig } from './config';
export { loadConfig } from './config';

export interface BuildOptions {
  clock?: Clock;
  blobStore?: BlobStore;
}

/** Builds the console without listening: the server, the CLI and the tests all start here. */
export async function buildApp(config: ConsoleConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Logs go to stderr: stdout is for what people and scripts read (first-run details, --json).
      stream: process.stderr,
      // Request logs carry method, path and status, never bodies: captured text stays out of logs.
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    bodyLimit: 1024 * 1024,
    trustProxy: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(errorsPlugin);
  await app.register(storagePlugin, { config, clock: options.clock ?? systemClock, blobStore: options.blobStore });
  await app.register(deviceAuthPlugin);
  await app.register(multipart);
  await app.register(healthRoute);
  await app.register(enrolRoute);
  await app.register(capturesRoute);
  await app.register(heartbeatRoute);
  await app.register(policyRoute);
  await app.ready();
  return app;
}
