import { EventEmitter } from 'node:events';
import fp from 'fastify-plugin';
import type { StoredCapture } from '../repositories/captures.repository';

/** In-process domain events. Listeners must be quick and must not throw into the emitter. */
export interface ConsoleEventMap {
  /** A new capture was stored (never fired for a duplicate upload). */
  'capture:stored': [capture: Pick<StoredCapture, 'id' | 'schoolId' | 'severity' | 'capturedAt'>];
}

export type ConsoleEvents = EventEmitter<ConsoleEventMap>;

declare module 'fastify' {
  interface FastifyInstance {
    events: ConsoleEvents;
  }
}

/** `app.events`: what happened, for whoever listens (alerts); ingest does not know its listeners. */
export const eventsPlugin = fp(
  async (app) => {
    const events: ConsoleEvents = new EventEmitter<ConsoleEventMap>();
    app.decorate('events', events);
    app.addHook('onClose', async () => {
      events.removeAllListeners();
    });
  },
  { name: 'vigil-events', fastify: '5.x' },
);
