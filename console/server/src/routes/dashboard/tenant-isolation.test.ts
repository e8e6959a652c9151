import {
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type SignedIn,
} from '../../test-support/harness';

/** A DSL (and an org admin of another trust) of school B tries every capture route on school A's captures. */
describe('tenant isolation: school B cannot reach school A', () => {
  let h: Harness;
  let aId: string;
  let captureA: string;
  let dslA: SignedIn;
  let dslB: SignedIn;
  let orgAdminOtherTrust: SignedIn;
  let deviceBAuth: string;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    const a = h.app.repos.schools.create('Oak Academy', new Date());
    aId = a.id;
    // School B belongs to another organisation (another trust).
    const otherOrg = 'org-elm-trust';
    h.app.db
      .prepare('INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)')
      .run(otherOrg, 'Elm Trust', new Date().toISOString());
    const b = h.app.repos.schools.create('Elm Primary', new Date(), otherOrg);
    dslA = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: a.id }));
    dslB = await signIn(h.app, await createUser(h.app, 'dsl@elm.sch.uk', 'dsl', { schoolId: b.id }));
    orgAdminOtherTrust = await signIn(
      h.app,
      await createUser(h.app, 'admin@elm-trust.org.uk', 'org_admin', { organisationId: otherOrg }),
    );
    const deviceA = await enrolDevice(h.app, a.enrolmentToken);
    captureA = (await uploadCapture(h.app, deviceA, { user: 'oak-pupil', windowTitle: 'Oak secret title' })).id;
    const deviceB = await enrolDevice(h.app, b.enrolmentToken);
    deviceBAuth = deviceB.auth;
    await uploadCapture(h.app, deviceB, { user: 'elm-pupil' });
  });
  afterAll(() => h.close());

  const routes = () => [
    { method: 'GET' as const, url: `/api/captures/${captureA}` },
    { method: 'GET' as const, url: `/api/captures/${captureA}/screenshot` },
    { method: 'GET' as const, url: `/api/captures/${captureA}/thumbnail` },
    { method: 'GET' as const, url: `/api/captures/${captureA}/history` },
    { method: 'PATCH' as const, url: `/api/captures/${captureA}`, payload: { status: 'false_positive', note: 'x' } },
  ];

  const successfulViewsOfA = () =>
    (
      h.app.db
        .prepare(
          "SELECT COUNT(*) AS n FROM audit_log WHERE target_id = ? AND action LIKE 'capture.%' AND outcome = 'success'",
        )
        .get(captureA) as { n: number }
    ).n;

  it.each([
    ['a DSL of school B', () => dslB],
    ['an org admin of another trust', () => orgAdminOtherTrust],
  ])('%s gets the same 404 as for a capture that does not exist, on every capture route', async (_who, who) => {
    for (const route of routes()) {
      const res = await h.app.inject({ ...route, headers: who().write });
      const unknown = await h.app.inject({
        ...route,
        url: route.url.replace(captureA, '0190b8d2-0000-7000-8000-000000000000'),
        headers: who().write,
      });
      expect({ route: route.url, status: res.statusCode }).toEqual({ route: route.url, status: 404 });
      expect(res.json()).toEqual(unknown.json());
      expect(res.body).not.toContain('oak-pupil');
      expect(res.body).not.toContain('Oak secret title');
    }
    expect(successfulViewsOfA()).toBe(0);
    expect(h.app.repos.captures.byId(captureA)?.status).toBe('new');
    expect(h.app.repos.captures.history(captureA)).toEqual([]);
  });

  it("does not list school A's captures to B, even when B asks for A's school", async () => {
    for (const url of ['/api/captures', `/api/captures?schoolId=${aId}`, '/api/captures?user=oak-pupil']) {
      const res = await h.app.inject({ method: 'GET', url, headers: dslB.get });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('oak-pupil');
      expect(res.body).not.toContain(captureA);
    }
  });

  it("does not show A's rows in B's audit log", async () => {
    await h.app.inject({ method: 'GET', url: `/api/captures/${captureA}`, headers: dslA.get });
    const res = await h.app.inject({ method: 'GET', url: '/api/audit', headers: orgAdminOtherTrust.get });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(captureA);
    expect(res.body).not.toContain('dsl@oak.sch.uk');
  });

  it('a device of school B cannot reach any dashboard route', async () => {
    for (const route of [
      ...routes(),
      { method: 'GET' as const, url: '/api/captures' },
      { method: 'GET' as const, url: '/api/auth/me' },
      { method: 'GET' as const, url: '/api/audit' },
      { method: 'POST' as const, url: '/api/auth/logout' },
    ]) {
      const res = await h.app.inject({ ...route, headers: { authorization: deviceBAuth } });
      expect({ url: route.url, status: res.statusCode }).toEqual({ url: route.url, status: 401 });
      expect(res.json().code).toBe('CONSOLE_ERR_UNAUTHENTICATED');
    }
    expect(successfulViewsOfA()).toBe(1); // only dslA's own view above
  });

  it("school A's own DSL does see it (the 404s above are isolation, not breakage)", async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/captures/${captureA}`, headers: dslA.get });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toBe('oak-pupil');
  });
});
