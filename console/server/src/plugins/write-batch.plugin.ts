import fp from 'fastify-plugin';
import { WriteBatcher } from '../db/write-batcher';

declare module 'fastify' {
  interface FastifyInstance {
    /** Group commit of agents' writes (capture rows, heartbeats): one fsync, off the event loop, for many requests. */
    writes: WriteBatcher;
  }
}

export const writeBatchPlugin = fp(
  async (app) => {
    const writes = new WriteBatcher(app.database, app.config.databasePath);
    app.decorate('writes', writes);
    // Before storage closes the main connection.
    app.addHook('preClose', async () => writes.close());
  },
  { name: 'vigil-write-batch', fastify: '5.x', dependencies: ['vigil-storage'] },
);
