import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { Server } from 'socket.io';
import { Access, CAPTURE_READERS, DEVICE_READERS } from '../auth/access';
import { readCookie, resumeSession, sessionCookieName } from '../auth/sessions';
import { pendingStep } from '../auth/sign-in-steps';
import type { StoredCapture } from '../repositories/captures.repository';
import type { Device } from '../repositories/devices.repository';

/** socket.io's path on the console's own HTTP server. */
export const LIVE_PATH = '/api/live';

export const LIVE_EVENTS = {
  captureNew: 'capture:new',
  captureUpdated: 'capture:updated',
  deviceStatus: 'device:status',
  listsPublished: 'lists:published',
} as const;

/** What a live event carries: ids, times and categories, never captured text. */
export interface CaptureNewEvent {
  id: string;
  schoolId: string;
  severity: number;
  categories: string[];
  capturedAt: string;
}
export interface CaptureUpdatedEvent {
  id: string;
  schoolId: string;
  status: string;
  assigneeId: string | null;
  hold: boolean;
}
export interface DeviceStatusEvent {
  id: string;
  schoolId: string;
  hostname: string;
  lastSeenAt: string | null;
  revoked: boolean;
  queueDepth: number | null;
}

/** A new version of a school's keyword lists (agents pick it up at their next policy check). */
export interface ListsPublishedEvent {
  schoolId: string;
  version: number;
  policyVersion: string;
  publishedAt: string;
}

export interface LiveEvents {
  captureNew(c: Pick<StoredCapture, 'id' | 'schoolId' | 'severity' | 'capturedAt' | 'matches'>): void;
  captureUpdated(c: Pick<StoredCapture, 'id' | 'schoolId' | 'status' | 'assigneeId' | 'hold'>): void;
  deviceStatus(d: Device): void;
  listsPublished(e: ListsPublishedEvent): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveEvents;
  }
}

const captureRoom = (schoolId: string): string => `captures:${schoolId}`;
const deviceRoom = (schoolId: string): string => `devices:${schoolId}`;

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Live updates over socket.io on the console's HTTP server. A socket is a signed-in user: the
 * session cookie, and the session's CSRF token in the handshake's `auth.csrfToken` (a cross-site
 * page can open a socket with the cookie but cannot know the token). Each socket joins only the
 * rooms of schools whose captures (or devices) its user may see.
 */
export const livePlugin = fp(
  async (app) => {
    const io = new Server(app.server, { path: LIVE_PATH, serveClient: false, cors: { origin: false } });

    io.use(async (socket, next) => {
      const id = readCookie(socket.request, sessionCookieName(app));
      const session = id ? await resumeSession(app, id) : undefined;
      const csrf = (socket.handshake.auth as { csrfToken?: unknown } | undefined)?.csrfToken;
      if (!session || typeof csrf !== 'string' || !sameToken(csrf, session.csrfToken)) {
        next(new Error('CONSOLE_ERR_UNAUTHENTICATED'));
        return;
      }
      const access = await Access.load(app.repos, session.userId);
      const user = await app.repos.users.byId(session.userId);
      if (!user || user.disabledAt !== null) {
        next(new Error('CONSOLE_ERR_UNAUTHENTICATED'));
        return;
      }
      // No live updates until the first sign-in steps are done.
      const step = pendingStep(user, access.grants, session.method);
      if (step !== null) {
        next(new Error(step));
        return;
      }
      void socket.join([
        ...access.schoolsWith(CAPTURE_READERS).map(captureRoom),
        ...access.schoolsWith(DEVICE_READERS).map(deviceRoom),
      ]);
      next();
    });

    app.decorate('live', {
      captureNew(c) {
        const event: CaptureNewEvent = {
          id: c.id,
          schoolId: c.schoolId,
          severity: c.severity,
          categories: [...new Set(c.matches.map((m) => m.category))],
          capturedAt: c.capturedAt,
        };
        io.to(captureRoom(c.schoolId)).emit(LIVE_EVENTS.captureNew, event);
      },
      captureUpdated(c) {
        const event: CaptureUpdatedEvent = {
          id: c.id,
          schoolId: c.schoolId,
          status: c.status,
          assigneeId: c.assigneeId,
          hold: c.hold,
        };
        io.to(captureRoom(c.schoolId)).emit(LIVE_EVENTS.captureUpdated, event);
      },
      deviceStatus(d) {
        const event: DeviceStatusEvent = {
          id: d.id,
          schoolId: d.schoolId,
          hostname: d.hostname,
          lastSeenAt: d.lastSeenAt,
          revoked: d.revokedAt !== null,
          queueDepth: d.queueDepth,
        };
        io.to(deviceRoom(d.schoolId)).emit(LIVE_EVENTS.deviceStatus, event);
      },
      listsPublished(e) {
        // Everyone of the school who sees its captures or devices (once each, whatever their rooms).
        io.to([captureRoom(e.schoolId), deviceRoom(e.schoolId)]).emit(LIVE_EVENTS.listsPublished, e);
      },
    } satisfies LiveEvents);

    // Before the HTTP server stops: end every socket and the engine (io.close() would close the
    // HTTP server itself, which Fastify owns).
    app.addHook('preClose', async () => {
      io.disconnectSockets(true);
      io.engine.close();
    });
  },
  { name: 'vigil-live', fastify: '5.x', dependencies: ['vigil-storage'] },
);
