import {
  sqlAll,
  createUser,
  signIn,
  startHarness,
  type Harness,
  type SignedIn,
  type TestUser,
} from '../../test-support/harness';

/** Users and roles of a school: who may manage them, and what each change does. */
describe('users and roles of a school', () => {
  let h: Harness;
  let oak: string;
  let ash: string;
  let orgId: string;
  let orgAdmin: SignedIn;
  let orgAdminUser: TestUser;
  let oakAdmin: SignedIn;
  let oakAdminUser: TestUser;
  let ashAdmin: SignedIn;
  let dslUser: TestUser;
  let dsl: SignedIn;
  let head: SignedIn;
  let viewer: SignedIn;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    const oakSchool = await h.app.repos.schools.create('Oak Academy', new Date());
    oak = oakSchool.id;
    orgId = oakSchool.organisationId;
    ash = (await h.app.repos.schools.create('Ash Primary', new Date(), orgId)).id;
    orgAdminUser = await createUser(h.app, 'trust@oak-trust.org.uk', 'org_admin', { organisationId: orgId });
    orgAdmin = await signIn(h.app, orgAdminUser);
    oakAdminUser = await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: oak });
    oakAdmin = await signIn(h.app, oakAdminUser);
    ashAdmin = await signIn(h.app, await createUser(h.app, 'it@ash.sch.uk', 'school_admin', { schoolId: ash }));
    dslUser = await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: oak });
    dsl = await signIn(h.app, dslUser);
    head = await signIn(h.app, await createUser(h.app, 'head@oak.sch.uk', 'head', { schoolId: oak }));
    viewer = await signIn(h.app, await createUser(h.app, 'viewer@oak.sch.uk', 'viewer', { schoolId: oak }));
  });
  afterAll(() => h.close());

  const usersUrl = (school: string) => `/api/schools/${school}/users`;
  const list = async (who: SignedIn, school = oak) =>
    (await h.app.inject({ method: 'GET', url: usersUrl(school), headers: who.get })).json<{
      items: { id: string; email: string; roles: string[]; organisationRoles: string[]; disabled: boolean }[];
    }>().items;
  const create = (who: SignedIn, payload: Record<string, unknown>, school = oak) =>
    h.app.inject({ method: 'POST', url: usersUrl(school), headers: who.write, payload });
  const patch = (who: SignedIn, userId: string, payload: Record<string, unknown>, school = oak) =>
    h.app.inject({ method: 'PATCH', url: `${usersUrl(school)}/${userId}`, headers: who.write, payload });
  const reset = (who: SignedIn, userId: string, payload: Record<string, unknown> = {}, school = oak) =>
    h.app.inject({
      method: 'POST',
      url: `${usersUrl(school)}/${userId}/reset-password`,
      headers: who.write,
      payload,
    });
  const remove = (who: SignedIn, userId: string, school = oak) =>
    h.app.inject({ method: 'DELETE', url: `${usersUrl(school)}/${userId}`, headers: who.write });
  const login = (payload: Record<string, unknown>) => h.app.inject({ method: 'POST', url: '/api/auth/login', payload });
  const audit = async (action: string, targetId: string) =>
    (await sqlAll(
      h.app,
      'SELECT * FROM audit_log WHERE action = ? AND target_id = ? ORDER BY at, id',
      action,
      targetId,
    )) as {
      outcome: string;
      actor_user_id: string;
      school_id: string | null;
      details_json: string;
    }[];

  it('lets school and org admins read the list; other roles get 403, an admin of another school 404', async () => {
    for (const who of [orgAdmin, oakAdmin]) {
      const res = await h.app.inject({ method: 'GET', url: usersUrl(oak), headers: who.get });
      expect(res.statusCode).toBe(200);
    }
    for (const who of [dsl, head, viewer]) {
      const res = await h.app.inject({ method: 'GET', url: usersUrl(oak), headers: who.get });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('CONSOLE_ERR_FORBIDDEN');
    }
    const other = await h.app.inject({ method: 'GET', url: usersUrl(oak), headers: ashAdmin.get });
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('oak.sch.uk');
  });

  it("lists the school's people with their roles there, organisation-wide roles marked", async () => {
    const items = await list(oakAdmin);
    const byEmail = Object.fromEntries(items.map((u) => [u.email, u]));
    expect(Object.keys(byEmail).sort()).toEqual([
      'dsl@oak.sch.uk',
      'head@oak.sch.uk',
      'it@oak.sch.uk',
      'trust@oak-trust.org.uk',
      'viewer@oak.sch.uk',
    ]);
    expect(byEmail['trust@oak-trust.org.uk']).toMatchObject({ roles: ['org_admin'], organisationRoles: ['org_admin'] });
    expect(byEmail['dsl@oak.sch.uk']).toMatchObject({
      id: dslUser.id,
      roles: ['dsl'],
      organisationRoles: [],
      displayName: null,
      totpEnrolled: true,
      mustChangePassword: false,
      disabled: false,
      lockedUntil: null,
      lastSignInAt: expect.any(String),
    });
  });

  it('adds a person with a one-time password; they set up their authenticator at first sign-in', async () => {
    const res = await create(oakAdmin, {
      email: 'Deputy@Oak.sch.uk',
      displayName: 'Sam Deputy',
      roles: ['deputy_dsl'],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<{ user: { id: string; email: string }; oneTimePassword: string }>();
    expect(body.user).toMatchObject({
      email: 'deputy@oak.sch.uk',
      displayName: 'Sam Deputy',
      roles: ['deputy_dsl'],
      totpEnrolled: false,
      mustChangePassword: true,
      lastSignInAt: null,
    });
    expect(body.oneTimePassword).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    const first = await login({ email: 'deputy@oak.sch.uk', password: body.oneTimePassword });
    expect(first.statusCode).toBe(200);
    expect(first.json().user).toMatchObject({ totpSetupRequired: true, mustChangePassword: true });
    const created = await audit('user.create', body.user.id);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ actor_user_id: oakAdminUser.id, school_id: oak });
    expect(created[0]!.details_json).not.toContain(body.oneTimePassword);
  });

  it('refuses bad input clearly and creates nothing', async () => {
    for (const payload of [
      { email: 'not-an-email', roles: ['dsl'] },
      { email: 'x@oak.sch.uk', roles: [] },
      { email: 'x@oak.sch.uk', roles: ['superuser'] },
      { email: 'x@oak.sch.uk' },
      { email: 'x@oak.sch.uk', roles: ['dsl', 'dsl'] },
    ]) {
      const res = await create(oakAdmin, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('CONSOLE_ERR_VALIDATION');
    }
    expect(await h.app.repos.users.byEmail('x@oak.sch.uk')).toBeUndefined();
  });

  it('does not let a school admin grant org_admin, and lets an org admin', async () => {
    const res = await create(oakAdmin, { email: 'boss@oak.sch.uk', roles: ['org_admin'] });
    expect(res.statusCode).toBe(403);
    expect(await h.app.repos.users.byEmail('boss@oak.sch.uk')).toBeUndefined();
    const promote = await patch(oakAdmin, dslUser.id, { roles: ['dsl', 'org_admin'] });
    expect(promote.statusCode).toBe(403);
    expect((await h.app.repos.users.grantsOf(dslUser.id)).map((g) => g.role)).toEqual(['dsl']);

    const byOrg = await create(orgAdmin, { email: 'boss@oak.sch.uk', roles: ['org_admin'] });
    expect(byOrg.statusCode).toBe(201);
    const id = byOrg.json<{ user: { id: string } }>().user.id;
    // org_admin is held for the whole organisation: Ash lists them too.
    expect((await list(orgAdmin, ash)).map((u) => u.id)).toContain(id);
    // ...and a school admin cannot take it away.
    expect((await patch(oakAdmin, id, { roles: ['viewer'] })).statusCode).toBe(403);
  });

  it('adds roles here to an existing account without touching its password', async () => {
    const ashDsl = await createUser(h.app, 'dsl@ash.sch.uk', 'dsl', { schoolId: ash });
    const res = await create(orgAdmin, { email: 'dsl@ash.sch.uk', roles: ['viewer'] });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ oneTimePassword: null, user: { id: ashDsl.id, roles: ['viewer'] } });
    expect((await h.app.repos.users.grantsOf(ashDsl.id)).map((g) => `${g.role}@${g.schoolId}`).sort()).toEqual(
      [`dsl@${ash}`, `viewer@${oak}`].sort(),
    );
    await expect(signIn(h.app, ashDsl)).resolves.toBeDefined();
    expect(await audit('user.roles_update', ashDsl.id)).toHaveLength(1);

    // Oak's admin may not disable or reset someone who also works at Ash...
    expect((await patch(oakAdmin, ashDsl.id, { disabled: true })).statusCode).toBe(403);
    expect((await reset(oakAdmin, ashDsl.id)).statusCode).toBe(403);
    expect((await h.app.repos.users.byId(ashDsl.id))?.disabledAt).toBeNull();
    // ...but may change the roles held at Oak.
    const roles = await patch(oakAdmin, ashDsl.id, { roles: ['head'] });
    expect(roles.statusCode).toBe(200);
    expect(roles.json().user.roles).toEqual(['head']);
  });

  it('disabling ends their sessions and stops sign-in; enabling lets them back', async () => {
    const person = await createUser(h.app, 'ta@oak.sch.uk', 'viewer', { schoolId: oak });
    const session = await signIn(h.app, person);
    const res = await patch(oakAdmin, person.id, { disabled: true, displayName: 'Teaching Assistant' });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ disabled: true, displayName: 'Teaching Assistant' });
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: session.get })).statusCode).toBe(401);
    expect(await h.app.repos.sessions.countForUser(person.id)).toBe(0);
    expect((await login({ email: person.email, password: person.password })).statusCode).toBe(401);
    expect(await audit('user.disable', person.id)).toHaveLength(1);
    expect(await audit('user.update', person.id)).toHaveLength(1);

    expect((await patch(oakAdmin, person.id, { disabled: false })).json().user.disabled).toBe(false);
    expect((await login({ email: person.email, password: person.password })).statusCode).toBe(200);
    expect(await audit('user.enable', person.id)).toHaveLength(1);
  });

  it('reset-password gives a one-time password, lifts a lockout and ends sessions; resetTotp removes the authenticator', async () => {
    const person = await createUser(h.app, 'dsl2@oak.sch.uk', 'dsl', { schoolId: oak });
    const session = await signIn(h.app, person);
    for (let i = 0; i < 5; i += 1) await login({ email: person.email, password: 'wrong password' });
    expect((await h.app.repos.users.byId(person.id))?.lockedUntil).not.toBeNull();
    const listed = (await list(oakAdmin)).find((u) => u.id === person.id) as unknown as { lockedUntil: string | null };
    expect(listed.lockedUntil).not.toBeNull();

    const res = await reset(oakAdmin, person.id, { resetTotp: true });
    expect(res.statusCode).toBe(200);
    const { oneTimePassword } = res.json<{ oneTimePassword: string }>();
    expect(oneTimePassword).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(await h.app.repos.users.byId(person.id)).toMatchObject({
      lockedUntil: null,
      mustChangePassword: true,
      totpSecretSealed: null,
    });
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: session.get })).statusCode).toBe(401);
    const again = await login({ email: person.email, password: oneTimePassword });
    expect(again.statusCode).toBe(200);
    expect(again.json().user).toMatchObject({ totpSetupRequired: true, mustChangePassword: true });
    expect((await audit('user.reset_password', person.id))[0]).toMatchObject({
      actor_user_id: oakAdminUser.id,
      school_id: oak,
    });

    // Without resetTotp the authenticator stays.
    const kept = await createUser(h.app, 'dsl3@oak.sch.uk', 'dsl', { schoolId: oak });
    const res2 = await reset(oakAdmin, kept.id);
    expect(res2.statusCode).toBe(200);
    expect((await h.app.repos.users.byId(kept.id))?.totpSecretSealed).not.toBeNull();
    expect((await login({ email: kept.email, password: res2.json().oneTimePassword })).json().code).toBe(
      'CONSOLE_ERR_TOTP_REQUIRED',
    );
  });

  it("removes a person's roles at this school only", async () => {
    const person = await createUser(h.app, 'both@oak.sch.uk', 'viewer', { schoolId: oak });
    await h.app.repos.users.addGrant(person.id, { role: 'head', schoolId: ash });
    expect((await remove(oakAdmin, person.id)).statusCode).toBe(204);
    expect((await list(oakAdmin)).map((u) => u.id)).not.toContain(person.id);
    expect(await h.app.repos.users.grantsOf(person.id)).toEqual([
      { role: 'head', schoolId: ash, organisationId: null },
    ]);
    expect(await audit('user.remove', person.id)).toHaveLength(1);
    // Now not a member: 404, as for someone who does not exist.
    expect((await remove(oakAdmin, person.id)).statusCode).toBe(404);
    expect((await patch(oakAdmin, 'no-such-user', { disabled: true })).statusCode).toBe(404);
    // Organisation-wide roles are not removed school by school.
    expect((await remove(oakAdmin, orgAdminUser.id)).statusCode).toBe(409);
  });

  it('does not let an admin lock themselves out', async () => {
    expect((await patch(oakAdmin, oakAdminUser.id, { roles: ['viewer'] })).json().code).toBe(
      'CONSOLE_ERR_USER_CONFLICT',
    );
    expect((await patch(oakAdmin, oakAdminUser.id, { disabled: true })).json().code).toBe('CONSOLE_ERR_USER_CONFLICT');
    expect((await remove(oakAdmin, oakAdminUser.id)).statusCode).toBe(409);
    expect((await reset(oakAdmin, oakAdminUser.id)).statusCode).toBe(409);
    expect((await h.app.repos.users.grantsOf(oakAdminUser.id)).map((g) => g.role)).toEqual(['school_admin']);
  });

  it('needs the CSRF header to change anything', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: usersUrl(oak),
      headers: oakAdmin.get,
      payload: { email: 'csrf@oak.sch.uk', roles: ['viewer'] },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('CONSOLE_ERR_CSRF');
    expect(await h.app.repos.users.byEmail('csrf@oak.sch.uk')).toBeUndefined();
  });
});
