import { vi } from 'vitest';
import type { Capture, Me } from '../api/types';

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

/** An answer with a status other than 200. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
  ) {}
}
export const reply = (status: number, body?: unknown) => new Reply(status, body);

type Handler = (call: Call) => unknown;

/** A stand-in for the console behind fetch: routes by "METHOD /path" (":param" segments match anything). */
export function fakeApi(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const compiled = Object.entries(routes).map(([key, handler]) => {
    const [method, pattern] = key.split(' ') as [string, string];
    const regex = new RegExp('^' + pattern.replace(/:[a-zA-Z]+/g, '[^/]+') + '$');
    return { method, regex, handler };
  });
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://console.test');
    const method = (init.method ?? 'GET').toUpperCase();
    const call: Call = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: (init.headers ?? {}) as Record<string, string>,
    };
    calls.push(call);
    const route = compiled.find((r) => r.method === method && r.regex.test(url.pathname));
    if (!route) return json(404, { code: 'CONSOLE_ERR_NOT_FOUND', message: `No route for ${method} ${url.pathname}` });
    const answer = route.handler(call);
    if (answer instanceof Reply) return json(answer.status, answer.body);
    return json(200, answer);
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    calls,
    /** Calls of one method to paths matching the pattern. */
    called(method: string, path: string | RegExp): Call[] {
      return calls.filter(
        (c) => c.method === method && (typeof path === 'string' ? c.path === path : path.test(c.path)),
      );
    },
  };
}

function json(status: number, body: unknown): Response {
  if (status === 204 || body === undefined) return new Response(null, { status: status === 200 ? 204 : status });
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export const SCHOOL = 'school-oak';

export function me(roles: Me['schools'][number]['roles'] = ['dsl'], user: Partial<Me['user']> = {}): Me {
  return {
    user: {
      id: 'u-dsl',
      email: 'dsl@oak.sch.uk',
      mustChangePassword: false,
      totpEnrolled: true,
      totpSetupRequired: false,
      ...user,
    },
    grants: roles.map((role) => ({ role, schoolId: SCHOOL, organisationId: null })),
    schools: [{ id: SCHOOL, name: 'Oak Academy', roles }],
    csrfToken: 'csrf-123',
    sessionExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
  };
}

let n = 0;
export function capture(over: Partial<Capture> = {}): Capture {
  n += 1;
  const context = over.context ?? `message ${n}: i want to kill myself tonight`;
  const start = context.indexOf('kill myself');
  return {
    id: `c${n}`,
    schoolId: SCHOOL,
    capturedAt: new Date(Date.now() - n * 60_000).toISOString(),
    receivedAt: new Date().toISOString(),
    deviceId: 'd1',
    user: 'jsmith',
    source: 'typed',
    app: 'chromium',
    windowTitle: 'Chat',
    url: null,
    context,
    matches: [
      {
        entryId: 'suicide.kill-myself',
        phrase: 'kill myself',
        category: 'suicide',
        severity: 5,
        start,
        end: start + 11,
      },
    ],
    severity: 5,
    count: 1,
    status: 'new',
    assigneeId: null,
    hold: false,
    hasThumbnail: true,
    groupId: null,
    group: null,
    ...over,
  };
}
