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
  type TestUser,
} from '../../test-support/harness';

/**
 * People, overview and subject access across tenants: users of school B (another trust) try every
 * such route of school A and get 404 or 403, with nothing of A in the answer and nothing changed.
 */
describe('tenant isolation: people, overview and subject access', () => {
  let h: Harness;
  let aId: string;
  let bId: string;
  let personA: TestUser;
  let personASession: SignedIn;
  let adminB: SignedIn;
  let dslB: SignedIn;
  let orgAdminB: SignedIn;
  let deviceBAuth: string;
  const NO_SCHOOL = '0190b8d2-0000-7000-8000-000000000000';

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    const { a, b, ...cast } = await twoSchools(h.app);
    aId = a.id;
    bId = b.id;
    ({ adminB, dslB, orgAdminB } = cast);
    await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: aId });
    await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: aId });
    personA = await createUser(h.app, 'teacher@oak.sch.uk', 'viewer', { schoolId: aId });
    personASession = await signIn(h.app, personA);
    const deviceA = await enrolDevice(h.app, a.enrolmentToken);
    await uploadCapture(h.app, deviceA, { user: 'oak-pupil', windowTitle: 'Oak secret title' });
    deviceBAuth = cast.deviceB.auth;
    await uploadCapture(h.app, cast.deviceB, { user: 'elm-pupil' });
  });
  afterAll(() => h.close());

  const routesOf = (school: string) => [
    { method: 'GET' as const, url: `/api/schools/${school}/users` },
    {
      method: 'POST' as const,
      url: `/api/schools/${school}/users`,
      payload: { email: 'intruder@elm.sch.uk', roles: ['school_admin'] },
    },
    { method: 'PATCH' as const, url: `/api/schools/${school}/users/${personA.id}`, payload: { disabled: true } },
    { method: 'PATCH' as const, url: `/api/schools/${school}/users/${personA.id}`, payload: { roles: ['dsl'] } },
    { method: 'POST' as const, url: `/api/schools/${school}/users/${personA.id}/reset-password`, payload: {} },
    { method: 'DELETE' as const, url: `/api/schools/${school}/users/${personA.id}` },
    { method: 'GET' as const, url: `/api/schools/${school}/overview` },
    { method: 'GET' as const, url: `/api/schools/${school}/subject-access?pupil=oak-pupil` },
  ];

  const leaks = ['oak.sch.uk', 'oak-pupil', 'Oak secret title', 'Oak Academy'];

  const unchanged = async () => {
    const a = (await h.app.repos.users.byId(personA.id))!;
    expect(a.disabledAt).toBeNull();
    expect(a.mustChangePassword).toBe(false);
    expect(await h.app.repos.users.grantsOf(personA.id)).toEqual([
      { role: 'viewer', schoolId: aId, organisationId: null },
    ]);
    expect(await h.app.repos.users.byEmail('intruder@elm.sch.uk')).toBeUndefined();
    expect(
      (
        (await sqlGet(
          h.app,
          "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'subject_access.export' AND school_id = ?",
          aId,
        )) as { n: number }
      ).n,
    ).toBe(0);
  };

  it.each([
    ['a school admin of B', () => adminB],
    ['a DSL of B', () => dslB],
    ['an org admin of another trust', () => orgAdminB],
  ])(
    '%s gets 404 or 403 on every route of school A, the same as for no school, and changes nothing',
    async (_who, who) => {
      for (const route of routesOf(aId)) {
        const res = await h.app.inject({ ...route, headers: who().write });
        expect({ route: `${route.method} ${route.url}`, ok: [403, 404].includes(res.statusCode) }).toEqual({
          route: `${route.method} ${route.url}`,
          ok: true,
        });
        for (const text of leaks) expect(res.body).not.toContain(text);
        const none = await h.app.inject({ ...route, url: route.url.replace(aId, NO_SCHOOL), headers: who().write });
        expect(res.statusCode).toBe(none.statusCode);
        expect(res.json()).toEqual(none.json());
      }
      await unchanged();
      // Their session still works: nothing was ended on the way.
      expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: personASession.get })).statusCode).toBe(
        200,
      );
    },
  );

  it("cannot reach A's people through B's own school routes", async () => {
    for (const who of [adminB, orgAdminB]) {
      for (const route of routesOf(bId).filter((r) => r.url.includes(personA.id))) {
        const res = await h.app.inject({ ...route, headers: who.write });
        expect({ url: route.url, status: res.statusCode }).toEqual({ url: route.url, status: 404 });
        for (const text of leaks) expect(res.body).not.toContain(text);
      }
      const list = await h.app.inject({ method: 'GET', url: `/api/schools/${bId}/users`, headers: who.get });
      expect(list.statusCode).toBe(200);
      for (const text of leaks) expect(list.body).not.toContain(text);
    }
    // Adding A's person to B by email is refused, and says nothing about them.
    const joined = await h.app.inject({
      method: 'POST',
      url: `/api/schools/${bId}/users`,
      headers: adminB.write,
      payload: { email: personA.email, roles: ['viewer'] },
    });
    expect(joined.statusCode).toBe(409);
    expect(joined.body).not.toContain(personA.id);
    await unchanged();
  });

  it("B's overview and subject access show none of A's captures", async () => {
    const overview = await h.app.inject({ method: 'GET', url: `/api/schools/${bId}/overview`, headers: dslB.get });
    expect(overview.statusCode).toBe(200);
    expect(overview.json().severity['5']).toBe(1);
    for (const text of leaks) expect(overview.body).not.toContain(text);
    const sar = await h.app.inject({
      method: 'GET',
      url: `/api/schools/${bId}/subject-access?pupil=oak-pupil`,
      headers: dslB.get,
    });
    expect(sar.statusCode).toBe(200);
    expect(sar.json().captures).toEqual([]);
    expect(sar.body).not.toContain('Oak secret title');
  });

  it('a device of school B reaches none of these routes', async () => {
    for (const route of [...routesOf(aId), ...routesOf(bId)]) {
      const res = await h.app.inject({ ...route, headers: { authorization: deviceBAuth } });
      expect({ url: route.url, status: res.statusCode }).toEqual({ url: route.url, status: 401 });
    }
    await unchanged();
  });
});
