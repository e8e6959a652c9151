import { totpCode } from '../../auth/totp';
import { createAccount } from '../../services/user-accounts.service';
import { sqlAll, createUser, signIn, startHarness, type Harness, type SignedIn } from '../../test-support/harness';

/** First sign-in: authenticator set-up, recovery codes, replacing a one-time password, and the 403s until done. */
describe('first sign-in steps', () => {
  let h: Harness;
  let schoolId: string;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    schoolId = (await h.app.repos.schools.create('Oak Academy', new Date())).id;
  });
  afterAll(() => h.close());

  const login = (payload: Record<string, unknown>) => h.app.inject({ method: 'POST', url: '/api/auth/login', payload });
  const sessionOf = (res: { headers: Record<string, unknown>; json: () => unknown }): SignedIn => {
    const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    const csrfToken = (res.json() as { csrfToken: string }).csrfToken;
    return { cookie, csrfToken, get: { cookie }, write: { cookie, 'x-vigil-csrf': csrfToken } };
  };
  const post = (s: SignedIn, url: string, payload?: Record<string, unknown>) =>
    h.app.inject({ method: 'POST', url, headers: s.write, ...(payload ? { payload } : {}) });
  const get = (s: SignedIn, url: string) => h.app.inject({ method: 'GET', url, headers: s.get });
  const audit = async (action: string, targetId: string) =>
    (await sqlAll(
      h.app,
      'SELECT outcome, details_json FROM audit_log WHERE action = ? AND target_id = ? ORDER BY at, id',
      action,
      targetId,
    )) as { outcome: string; details_json: string | null }[];

  /** A DSL made as the dashboard makes them: a one-time password, no authenticator yet. */
  const newDsl = async (email: string) => {
    const account = await createAccount(
      h.app.repos,
      h.app.secrets,
      { email, grants: [{ role: 'dsl', schoolId }], issueTotp: false },
      new Date(),
    );
    expect(account.totpSecret).toBeNull();
    return { id: account.user.id, email, password: account.password };
  };

  it('walks a new DSL through authenticator set-up and a new password, refusing everything else until done', async () => {
    const dsl = await newDsl('new-dsl@oak.sch.uk');
    const first = await login({ email: dsl.email, password: dsl.password });
    expect(first.statusCode).toBe(200);
    expect(first.json().user).toMatchObject({ totpSetupRequired: true, mustChangePassword: true, totpEnrolled: false });
    const s = sessionOf(first);

    for (const url of ['/api/captures', '/api/devices', '/api/audit', `/api/schools/${schoolId}/users`]) {
      const res = await get(s, url);
      expect({ url, status: res.statusCode, code: res.json().code }).toEqual({
        url,
        status: 403,
        code: 'CONSOLE_ERR_TOTP_SETUP_REQUIRED',
      });
    }
    expect((await get(s, '/api/auth/me')).json().user.totpSetupRequired).toBe(true);

    // Confirming before starting is a clear conflict.
    expect((await post(s, '/api/auth/totp/confirm', { code: '123456' })).json().code).toBe('CONSOLE_ERR_USER_CONFLICT');

    const setup = await post(s, '/api/auth/totp/setup');
    expect(setup.statusCode).toBe(200);
    const { secret, otpauthUrl } = setup.json<{ secret: string; otpauthUrl: string }>();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/Vigil:new-dsl%40oak\.sch\.uk\?secret=/);
    expect(otpauthUrl).toContain(`secret=${secret}`);
    // Still pending: not enrolled, still refused.
    expect((await get(s, '/api/captures')).statusCode).toBe(403);

    const wrongCode = totpCode(secret) === '000000' ? '111111' : '000000';
    const wrong = await post(s, '/api/auth/totp/confirm', { code: wrongCode });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().code).toBe('CONSOLE_ERR_TOTP_INVALID');
    expect((await h.app.repos.users.byId(dsl.id))?.totpSecretSealed).toBeNull();

    const confirmed = await post(s, '/api/auth/totp/confirm', { code: totpCode(secret) });
    expect(confirmed.statusCode).toBe(200);
    const codes = confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const stored = (await sqlAll(h.app, 'SELECT code_hash FROM recovery_codes WHERE user_id = ?', dsl.id)) as {
      code_hash: string;
    }[];
    expect(stored).toHaveLength(10);
    for (const c of codes) expect(JSON.stringify(stored)).not.toContain(c.replace('-', ''));

    // Authenticator done; the one-time password is next.
    const captures = await get(s, '/api/captures');
    expect(captures.statusCode).toBe(403);
    expect(captures.json().code).toBe('CONSOLE_ERR_PASSWORD_CHANGE_REQUIRED');
    expect((await post(s, '/api/auth/totp/setup')).statusCode).toBe(409);

    const short = await post(s, '/api/auth/password', { currentPassword: dsl.password, newPassword: 'short-11chr' });
    expect(short.json().code).toBe('CONSOLE_ERR_WEAK_PASSWORD');
    const same = await post(s, '/api/auth/password', { currentPassword: dsl.password, newPassword: dsl.password });
    expect(same.json().code).toBe('CONSOLE_ERR_WEAK_PASSWORD');
    const badCurrent = await post(s, '/api/auth/password', {
      currentPassword: 'not-my-password',
      newPassword: 'a long enough passphrase',
    });
    expect(badCurrent.statusCode).toBe(400);
    expect(badCurrent.json().code).toBe('CONSOLE_ERR_WRONG_PASSWORD');
    expect((await h.app.repos.users.byId(dsl.id))?.mustChangePassword).toBe(true);

    const changed = await post(s, '/api/auth/password', {
      currentPassword: dsl.password,
      newPassword: 'correct horse battery',
    });
    expect(changed.statusCode).toBe(204);
    expect((await get(s, '/api/captures')).statusCode).toBe(200);
    expect((await get(s, '/api/auth/me')).json().user).toMatchObject({
      totpSetupRequired: false,
      mustChangePassword: false,
      totpEnrolled: true,
    });

    // From now on the authenticator is required, and the old password is gone.
    expect((await login({ email: dsl.email, password: 'correct horse battery' })).json().code).toBe(
      'CONSOLE_ERR_TOTP_REQUIRED',
    );
    expect((await login({ email: dsl.email, password: dsl.password, totp: totpCode(secret) })).statusCode).toBe(401);
    expect(
      (await login({ email: dsl.email, password: 'correct horse battery', totp: totpCode(secret) })).statusCode,
    ).toBe(200);

    // A recovery code signs in once.
    const viaCode = await login({ email: dsl.email, password: 'correct horse battery', recoveryCode: codes[0] });
    expect(viaCode.statusCode).toBe(200);
    const again = await login({ email: dsl.email, password: 'correct horse battery', recoveryCode: codes[0] });
    expect(again.statusCode).toBe(401);
    expect(again.json().code).toBe('CONSOLE_ERR_TOTP_REQUIRED');
    // Typed with spaces and capitals, another code still works.
    const typed = codes[1]!.toUpperCase().replace('-', ' ');
    expect((await login({ email: dsl.email, password: 'correct horse battery', recoveryCode: typed })).statusCode).toBe(
      200,
    );

    expect(await audit('user.totp_setup', dsl.id)).toHaveLength(1);
    expect((await audit('user.totp_enrol', dsl.id)).map((r) => r.outcome)).toEqual(['failure', 'success']);
    expect((await audit('user.password_change', dsl.id)).map((r) => r.outcome)).toEqual(['failure', 'success']);
    const logins = (await audit('auth.login', dsl.id)).map((r) => [r.outcome, JSON.parse(r.details_json ?? '{}')]);
    expect(logins[0]).toEqual(['success', expect.objectContaining({ secondFactor: 'none', totpSetupRequired: true })]);
    expect(logins).toContainEqual([
      'success',
      expect.objectContaining({ secondFactor: 'recovery_code', recoveryCodesLeft: 9 }),
    ]);
    expect(logins).toContainEqual(['failure', expect.objectContaining({ reason: 'bad_recovery_code' })]);
    // Nothing secret in the log.
    const all = JSON.stringify(await sqlAll(h.app, 'SELECT * FROM audit_log'));
    for (const c of codes) expect(all).not.toContain(c);
    expect(all).not.toContain(secret);
    expect(all).not.toContain('correct horse battery');
  });

  it('changing the password ends the other sessions and keeps this one', async () => {
    const dsl = await createUser(h.app, 'dsl2@oak.sch.uk', 'dsl', { schoolId }, { oneTimePassword: true });
    const one = await signIn(h.app, dsl);
    const two = await signIn(h.app, dsl);
    // A user the CLI made is enrolled already: only the password step is owed.
    const refused = await get(one, '/api/captures');
    expect(refused.json().code).toBe('CONSOLE_ERR_PASSWORD_CHANGE_REQUIRED');
    expect(
      (await post(one, '/api/auth/password', { currentPassword: dsl.password, newPassword: 'a much better password' }))
        .statusCode,
    ).toBe(204);
    expect((await get(one, '/api/captures')).statusCode).toBe(200);
    expect((await get(two, '/api/auth/me')).statusCode).toBe(401);
  });

  it('regenerates recovery codes for a current TOTP code: old ones stop working', async () => {
    const dsl = await createUser(h.app, 'dsl3@oak.sch.uk', 'dsl', { schoolId });
    const s = await signIn(h.app, dsl);
    const wrong = await post(s, '/api/auth/recovery-codes', { totp: '12345' });
    expect(wrong.json().code).toBe('CONSOLE_ERR_TOTP_INVALID');
    const first = (await post(s, '/api/auth/recovery-codes', { totp: totpCode(dsl.totpSecret!) })).json<{
      recoveryCodes: string[];
    }>().recoveryCodes;
    expect(first).toHaveLength(10);
    const second = (await post(s, '/api/auth/recovery-codes', { totp: totpCode(dsl.totpSecret!) })).json<{
      recoveryCodes: string[];
    }>().recoveryCodes;
    expect(second).toHaveLength(10);
    expect((await login({ email: dsl.email, password: dsl.password, recoveryCode: first[0] })).statusCode).toBe(401);
    expect((await login({ email: dsl.email, password: dsl.password, recoveryCode: second[0] })).statusCode).toBe(200);
    expect((await audit('user.recovery_codes', dsl.id)).map((r) => r.outcome)).toEqual([
      'failure',
      'success',
      'success',
    ]);
  });

  it('does not ask a role that cannot see captures to set up an authenticator', async () => {
    const admin = await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId });
    const res = await login({ email: admin.email, password: admin.password });
    expect(res.json().user).toMatchObject({ totpSetupRequired: false, totpEnrolled: false });
    expect((await get(sessionOf(res), '/api/devices')).statusCode).toBe(200);
  });

  it('asks for an authenticator as soon as a user gains a role that sees captures', async () => {
    const admin = await createUser(h.app, 'it2@oak.sch.uk', 'school_admin', { schoolId });
    const s = await signIn(h.app, admin);
    expect((await get(s, '/api/devices')).statusCode).toBe(200);
    await h.app.repos.users.addGrant(admin.id, { role: 'dsl', schoolId });
    const res = await get(s, '/api/devices');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('CONSOLE_ERR_TOTP_SETUP_REQUIRED');
    expect((await get(s, '/api/auth/me')).json().user.totpSetupRequired).toBe(true);
  });

  it('refuses a disabled account at sign-in and ends its sessions', async () => {
    const admin = await createUser(h.app, 'it3@oak.sch.uk', 'school_admin', { schoolId });
    const s = await signIn(h.app, admin);
    await h.app.repos.users.setDisabled(admin.id, new Date());
    expect((await get(s, '/api/auth/me')).statusCode).toBe(401);
    const res = await login({ email: admin.email, password: admin.password });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('CONSOLE_ERR_LOGIN_FAILED');
  });

  it('the set-up, recovery-code and password routes need a session and the CSRF header', async () => {
    const admin = await createUser(h.app, 'it4@oak.sch.uk', 'school_admin', { schoolId });
    const s = await signIn(h.app, admin);
    const routes = [
      { url: '/api/auth/totp/setup' },
      { url: '/api/auth/totp/confirm', payload: { code: '123456' } },
      { url: '/api/auth/recovery-codes', payload: { totp: '123456' } },
      { url: '/api/auth/password', payload: { currentPassword: admin.password, newPassword: 'something long enough' } },
    ];
    for (const r of routes) {
      const anonymous = await h.app.inject({ method: 'POST', ...r });
      expect({ url: r.url, status: anonymous.statusCode }).toEqual({ url: r.url, status: 401 });
      const noCsrf = await h.app.inject({ method: 'POST', ...r, headers: s.get });
      expect({ url: r.url, code: noCsrf.json().code }).toEqual({ url: r.url, code: 'CONSOLE_ERR_CSRF' });
    }
    expect((await h.app.repos.users.byId(admin.id))?.totpPendingSealed).toBeNull();
    expect((await login({ email: admin.email, password: admin.password })).statusCode).toBe(200);
  });
});
