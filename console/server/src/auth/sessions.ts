import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { newSecret } from '../ids';
import type { Session } from '../repositories/sessions.repository';

export const hashSessionId = (id: string): string => createHash('sha256').update(id, 'utf8').digest('hex');

/** `__Host-` (Secure, Path=/, no Domain) when the console is on HTTPS; a plain name on http://localhost. */
export const sessionCookieName = (app: FastifyInstance): string =>
  app.config.secureCookies ? '__Host-vigil_session' : 'vigil_session';

export interface StartedSession {
  id: string;
  csrfToken: string;
  expiresAt: string;
}

/** A new session: a 256-bit random id (only its SHA-256 is stored) and a CSRF token. */
export async function startSession(app: FastifyInstance, userId: string, method: string): Promise<StartedSession> {
  const now = app.clock.now();
  const id = newSecret(32);
  const csrfToken = newSecret(24);
  const expiresAt = new Date(now.getTime() + app.config.sessionMaxHours * 3_600_000).toISOString();
  await app.repos.sessions.insert({
    idHash: hashSessionId(id),
    userId,
    csrfToken,
    method,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt,
  });
  return { id, csrfToken, expiresAt };
}

/** The live session a cookie names: past its absolute expiry or idle too long, it is deleted and refused. */
export async function resumeSession(app: FastifyInstance, id: string): Promise<Session | undefined> {
  const idHash = hashSessionId(id);
  const session = await app.repos.sessions.byIdHash(idHash);
  if (!session) return undefined;
  const now = app.clock.now().getTime();
  const idleLimit = Date.parse(session.lastSeenAt) + app.config.sessionIdleMinutes * 60_000;
  if (Date.parse(session.expiresAt) <= now || idleLimit <= now) {
    await app.repos.sessions.delete(idHash);
    return undefined;
  }
  await app.repos.sessions.touch(idHash, app.clock.now());
  return session;
}

/** The named cookie of a request (a Fastify request, or the socket.io handshake's HTTP request). */
export function readCookie(request: { headers: FastifyRequest['headers'] }, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

function cookie(app: FastifyInstance, value: string, maxAgeSeconds: number): string {
  return [
    `${sessionCookieName(app)}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${maxAgeSeconds}`,
    ...(app.config.secureCookies ? ['Secure'] : []),
  ].join('; ');
}

export function setSessionCookie(app: FastifyInstance, reply: FastifyReply, session: StartedSession): void {
  reply.header('set-cookie', cookie(app, session.id, app.config.sessionMaxHours * 3600));
}

export function clearSessionCookie(app: FastifyInstance, reply: FastifyReply): void {
  reply.header('set-cookie', cookie(app, '', 0));
}
