import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { ConsoleError } from '../errors';
import type { User } from '../repositories/users.repository';
import type { Session } from '../repositories/sessions.repository';
import { Access } from '../auth/access';
import { readCookie, resumeSession, sessionCookieName } from '../auth/sessions';
import { pendingStep, ROUTES_ALLOWED_WHILE_PENDING } from '../auth/sign-in-steps';

export const CSRF_HEADER = 'x-vigil-csrf';

/** The signed-in person of a dashboard request. */
export interface Viewer {
  user: User;
  session: Session;
  access: Access;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook of every dashboard route: a live session cookie, and the CSRF header on state changes. */
    authenticateUser: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    viewer: Viewer | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Dashboard authentication by session cookie. Device credentials are not sessions: a request with
 * only `Authorization: Device …` gets 401 here. State-changing requests must also carry the
 * session's CSRF token in `x-vigil-csrf` (a cross-site page cannot read it, nor set the header
 * without a CORS preflight this console never grants). A session whose user still owes a first
 * sign-in step (set up TOTP, change a one-time password) gets 403 with that step's code everywhere
 * except the routes of those steps, `me` and logout.
 */
export const sessionAuthPlugin = fp(
  async (app) => {
    app.decorateRequest('viewer', null);
    app.decorate('authenticateUser', async (request: FastifyRequest) => {
      const id = readCookie(request, sessionCookieName(app));
      const session = id ? await resumeSession(app, id) : undefined;
      const user = session ? await app.repos.users.byId(session.userId) : undefined;
      if (!session || !user || user.disabledAt !== null) throw new ConsoleError('CONSOLE_ERR_UNAUTHENTICATED');
      if (!SAFE_METHODS.has(request.method)) {
        const header = request.headers[CSRF_HEADER];
        if (typeof header !== 'string' || !sameToken(header, session.csrfToken)) {
          throw new ConsoleError('CONSOLE_ERR_CSRF');
        }
      }
      const access = await Access.load(app.repos, user.id);
      // A one-time password or a missing authenticator: only the steps that fix it, `me` and sign-out.
      const step = pendingStep(user, access.grants, session.method);
      if (step !== null && !ROUTES_ALLOWED_WHILE_PENDING.has(request.routeOptions.url ?? '')) {
        throw new ConsoleError(step);
      }
      request.viewer = { user, session, access };
    });
  },
  { name: 'vigil-session-auth', fastify: '5.x', dependencies: ['vigil-storage'] },
);
