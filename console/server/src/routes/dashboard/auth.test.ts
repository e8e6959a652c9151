import { totpCode } from '../../auth/totp';
import { sqlAll, createUser, signIn, startHarness, type Harness, type TestUser } from '../../test-support/harness';

describe('dashboard sign-in and sessions', () => {
  let h: Harness;
  let now = new Date('2026-03-02T09:00:00.000Z');
  let schoolId: string;
  let dsl: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    h = await startHarness({}, { clock: { now: () => now } });
    schoolId = (await h.app.repos.schools.create('Oak Academy', now)).id;
    dsl = await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId });
    admin = await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId });
  });
  afterAll(() => h.close());

  const login = (payload: Record<string, unknown>, ip = '127.0.0.1') =>
    h.app.inject({ method: 'POST', url: '/api/auth/login', payload, remoteAddress: ip });
  const auditRows = async (action: string) =>
    (await sqlAll(h.app, 'SELECT * FROM audit_log WHERE action = ? ORDER BY at, id', action)) as {
      outcome: string;
      actor_user_id: string | null;
      details_json: string | null;
    }[];

  it('signs in a role without 2FA and sets an HttpOnly, SameSite session cookie (not Secure on localhost)', async () => {
    const res = await login({ email: admin.email, password: admin.password });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^vigil_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure');
    const body = res.json();
    expect(body.user).toMatchObject({ email: admin.email, totpEnrolled: false });
    expect(body.schools).toEqual([{ id: schoolId, name: 'Oak Academy', roles: ['school_admin'] }]);
    expect(body.csrfToken).toEqual(expect.any(String));
  });

  it('keeps only a hash of the session id in the database', async () => {
    const s = await signIn(h.app, admin);
    const id = s.cookie.split('=')[1]!;
    const rows = (await sqlAll(h.app, 'SELECT id_hash FROM sessions')) as { id_hash: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.id_hash === id)).toBe(false);
  });

  it('asks for the TOTP code when a DSL signs in without one, then accepts the right code', async () => {
    const first = await login({ email: dsl.email, password: dsl.password });
    expect(first.statusCode).toBe(401);
    expect(first.json()).toMatchObject({ code: 'CONSOLE_ERR_TOTP_REQUIRED' });
    expect(first.headers['set-cookie']).toBeUndefined();
    const wrong = await login({ email: dsl.email, password: dsl.password, totp: '000000' });
    expect(wrong.json()).toMatchObject({ code: 'CONSOLE_ERR_TOTP_REQUIRED' });
    const ok = await login({ email: dsl.email, password: dsl.password, totp: totpCode(dsl.totpSecret!) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.totpEnrolled).toBe(true);
  });

  it('refuses a wrong password and an unknown email alike, and audits both without the password', async () => {
    const wrong = await login({ email: admin.email, password: 'not-it' });
    const unknown = await login({ email: 'nobody@oak.sch.uk', password: 'not-it' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json()).toMatchObject({ code: 'CONSOLE_ERR_LOGIN_FAILED' });
    const failures = (await auditRows('auth.login')).filter((r) => r.outcome === 'failure');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    const all = JSON.stringify(await sqlAll(h.app, 'SELECT * FROM audit_log'));
    expect(all).not.toContain('not-it');
    expect(all).not.toContain(admin.password);
  });

  it('locks an account after 5 failures for 15 minutes, even with the right password, then lets it in', async () => {
    const user = await createUser(h.app, 'locked@oak.sch.uk', 'viewer', { schoolId });
    for (let i = 0; i < 4; i++) {
      expect((await login({ email: user.email, password: 'guess' })).json().code).toBe('CONSOLE_ERR_LOGIN_FAILED');
    }
    const fifth = await login({ email: user.email, password: 'guess' });
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().code).toBe('CONSOLE_ERR_ACCOUNT_LOCKED');
    const right = await login({ email: user.email, password: user.password });
    expect(right.json().code).toBe('CONSOLE_ERR_ACCOUNT_LOCKED');
    now = new Date(now.getTime() + 16 * 60_000);
    expect((await login({ email: user.email, password: user.password })).statusCode).toBe(200);
  });

  it('limits sign-in attempts per address', async () => {
    const limited = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '3' });
    try {
      const attempt = () =>
        limited.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: 'x@y.z', password: 'p' },
          remoteAddress: '10.0.0.9',
        });
      for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
      const res = await attempt();
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ code: 'CONSOLE_ERR_RATE_LIMITED' });
    } finally {
      await limited.close();
    }
  });

  it('answers /api/auth/me with the session, and 401 without one', async () => {
    const s = await signIn(h.app, dsl);
    const res = await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: s.get });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { email: dsl.email }, csrfToken: s.csrfToken });
    const anon = await h.app.inject({ method: 'GET', url: '/api/auth/me' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().code).toBe('CONSOLE_ERR_UNAUTHENTICATED');
  });

  it('refuses logout without the CSRF header and keeps the session', async () => {
    const s = await signIn(h.app, admin);
    const noHeader = await h.app.inject({ method: 'POST', url: '/api/auth/logout', headers: s.get });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json().code).toBe('CONSOLE_ERR_CSRF');
    const wrongHeader = await h.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { ...s.get, 'x-vigil-csrf': 'forged' },
    });
    expect(wrongHeader.statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: s.get })).statusCode).toBe(200);
  });

  it('logs out: the cookie is cleared and the session no longer works', async () => {
    const s = await signIn(h.app, admin);
    const res = await h.app.inject({ method: 'POST', url: '/api/auth/logout', headers: s.write });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: s.get })).statusCode).toBe(401);
    expect((await auditRows('auth.logout')).length).toBeGreaterThan(0);
  });

  it('ends a session after the idle timeout', async () => {
    const s = await signIn(h.app, admin);
    now = new Date(now.getTime() + 31 * 60_000);
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: s.get })).statusCode).toBe(401);
  });

  it('rejects a form-encoded sign-in (a cross-site form cannot post JSON)', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${admin.email}&password=${admin.password}`,
    });
    expect(res.statusCode).toBe(415);
  });
});

describe('session cookie on a public HTTPS console', () => {
  it('is Secure and __Host- prefixed', async () => {
    const h = await startHarness({ VIGIL_PUBLIC_URL: 'https://vigil.trust.example' });
    try {
      const schoolId = (await h.app.repos.schools.create('Oak', new Date())).id;
      const user = await createUser(h.app, 'v@oak.sch.uk', 'viewer', { schoolId });
      const s = await signIn(h.app, user);
      expect(s.cookie).toMatch(/^__Host-vigil_session=/);
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: user.email, password: user.password },
      });
      expect(String(res.headers['set-cookie'])).toContain('; Secure');
    } finally {
      await h.close();
    }
  });
});
