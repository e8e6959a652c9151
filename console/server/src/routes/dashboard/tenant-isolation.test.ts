import {
  sqlGet,
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  twoSchools,
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
  let deviceAId: string;
  let tokenA: string;
  let adminB: SignedIn;
  let orgAdminB: SignedIn;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    const { a, ...cast } = await twoSchools(h.app);
    aId = a.id;
    ({ dslB, adminB, orgAdminB } = cast);
    orgAdminOtherTrust = orgAdminB;
    dslA = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: a.id }));
    const deviceA = await enrolDevice(h.app, a.enrolmentToken);
    deviceAId = deviceA.deviceId;
    tokenA = a.enrolmentToken;
    captureA = (await uploadCapture(h.app, deviceA, { user: 'oak-pupil', windowTitle: 'Oak secret title' })).id;
    deviceBAuth = cast.deviceB.auth;
    await uploadCapture(h.app, cast.deviceB, { user: 'elm-pupil' });
  });
  afterAll(() => h.close());

  const routes = () => [
    { method: 'GET' as const, url: `/api/captures/${captureA}` },
    { method: 'GET' as const, url: `/api/captures/${captureA}/screenshot` },
    { method: 'GET' as const, url: `/api/captures/${captureA}/thumbnail` },
    { method: 'GET' as const, url: `/api/captures/${captureA}/history` },
    { method: 'PATCH' as const, url: `/api/captures/${captureA}`, payload: { status: 'false_positive', note: 'x' } },
    { method: 'PATCH' as const, url: `/api/captures/${captureA}`, payload: { hold: true } },
    { method: 'GET' as const, url: `/api/captures/${captureA}/report.pdf` },
    { method: 'POST' as const, url: '/api/captures/bulk', payload: { ids: [captureA], status: 'reviewed' } },
  ];

  /** School A's own things that an admin of B must not reach. */
  const adminRoutes = () => [
    { method: 'POST' as const, url: `/api/devices/${deviceAId}/revoke` },
    { method: 'GET' as const, url: `/api/schools/${aId}/enrolment-token` },
    { method: 'POST' as const, url: `/api/schools/${aId}/enrolment-token/rotate` },
    { method: 'GET' as const, url: `/api/schools/${aId}/settings` },
    { method: 'PUT' as const, url: `/api/schools/${aId}/settings`, payload: { retentionDays: 1 } },
  ];

  const successfulViewsOfA = async () =>
    (
      (await sqlGet(
        h.app,
        "SELECT COUNT(*) AS n FROM audit_log WHERE target_id = ? AND action LIKE 'capture.%' AND outcome = 'success'",
        captureA,
      )) as { n: number }
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
    expect(await successfulViewsOfA()).toBe(0);
    expect((await h.app.repos.captures.byId(captureA))?.status).toBe('new');
    expect(await h.app.repos.captures.history(captureA)).toEqual([]);
  });

  it("does not list school A's captures to B, even when B asks for A's school", async () => {
    for (const url of ['/api/captures', `/api/captures?schoolId=${aId}`, '/api/captures?user=oak-pupil']) {
      const res = await h.app.inject({ method: 'GET', url, headers: dslB.get });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('oak-pupil');
      expect(res.body).not.toContain(captureA);
    }
  });

  it.each([
    ['a school admin of B', () => adminB],
    ['an org admin of another trust', () => orgAdminB],
  ])("%s gets 404 on school A's devices, enrolment token and settings, and changes nothing", async (_who, who) => {
    for (const route of adminRoutes()) {
      const res = await h.app.inject({ ...route, headers: who().write });
      expect({ url: route.url, status: res.statusCode }).toEqual({ url: route.url, status: 404 });
      expect(res.body).not.toContain(tokenA);
    }
    expect((await h.app.repos.devices.byId(deviceAId))?.revokedAt).toBeNull();
    expect((await h.app.repos.schools.byId(aId))?.enrolmentToken).toBe(tokenA);
    expect((await h.app.repos.schools.settings(aId)).retentionDays).toBe(90);
  });

  it("does not list A's devices, captures or keyword counts in B's lists and exports", async () => {
    const devices = await h.app.inject({ method: 'GET', url: `/api/devices?schoolId=${aId}`, headers: adminB.get });
    expect(devices.statusCode).toBe(200);
    expect(devices.json().items).toEqual([]);
    const all = await h.app.inject({ method: 'GET', url: '/api/devices', headers: adminB.get });
    expect(all.body).not.toContain(deviceAId);
    for (const url of ['/api/captures/export.csv', `/api/captures/export.csv?schoolId=${aId}`]) {
      const csv = await h.app.inject({ method: 'GET', url, headers: dslB.get });
      expect(csv.statusCode).toBe(200);
      expect(csv.body).not.toContain('oak-pupil');
      expect(csv.body).not.toContain(captureA);
    }
    const stats = await h.app.inject({ method: 'GET', url: '/api/keyword-stats', headers: dslB.get });
    expect(stats.json()).toEqual([expect.objectContaining({ total: 1 })]);
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
      { method: 'GET' as const, url: '/api/devices' },
      { method: 'GET' as const, url: '/api/keyword-stats' },
      { method: 'GET' as const, url: '/api/captures/export.csv' },
      ...adminRoutes(),
    ]) {
      const res = await h.app.inject({ ...route, headers: { authorization: deviceBAuth } });
      expect({ url: route.url, status: res.statusCode }).toEqual({ url: route.url, status: 401 });
      expect(res.json().code).toBe('CONSOLE_ERR_UNAUTHENTICATED');
    }
    expect(await successfulViewsOfA()).toBe(1); // only dslA's own view above
  });

  it("school A's own DSL does see it (the 404s above are isolation, not breakage)", async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/captures/${captureA}`, headers: dslA.get });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toBe('oak-pupil');
  });
});
