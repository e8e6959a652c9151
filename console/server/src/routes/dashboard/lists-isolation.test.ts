import { AGENT_API, type Policy } from '@vigil/shared';
import {
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  twoSchools,
  uploadCapture,
  type Harness,
  type SignedIn,
} from '../../test-support/harness';

/** School B's people (and devices) try every list, settings and capture-group route of school A. */
describe('tenant isolation of keyword lists, school settings, summary settings and capture groups', () => {
  let h: Harness;
  let aId: string;
  let dslB: SignedIn;
  let adminB: SignedIn;
  let orgAdminOtherTrust: SignedIn;
  let deviceB: { deviceId: string; auth: string };
  let groupA: string;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    const { a, ...cast } = await twoSchools(h.app);
    aId = a.id;
    ({ dslB, adminB, deviceB } = cast);
    orgAdminOtherTrust = cast.orgAdminB;
    // School A has a published version with a local phrase B must never see.
    const adminA = await signIn(h.app, await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: a.id }));
    await h.app.inject({
      method: 'PUT',
      url: `/api/schools/${aId}/lists/draft`,
      headers: adminA.write,
      payload: { localPhrases: [{ phrase: 'Oak Lane Crew', category: 'violence', severity: 4 }] },
    });
    const pub = await h.app.inject({
      method: 'POST',
      url: `/api/schools/${aId}/lists/publish`,
      headers: adminA.write,
      payload: { changelog: 'Oak secret changelog' },
    });
    expect(pub.statusCode).toBe(200);
    // And a capture group: three pupils of A, the same entry, within the hour.
    const deviceA = await enrolDevice(h.app, a.enrolmentToken);
    const ids: string[] = [];
    for (const user of ['oak-pupil-1', 'oak-pupil-2', 'oak-pupil-3']) {
      const m = await uploadCapture(h.app, deviceA, {
        user,
        severity: 3,
        context: 'they said stab him',
        matches: [{ entryId: 'violence.stab', phrase: 'stab', category: 'violence', severity: 3, start: 10, end: 14 }],
      });
      ids.push(m.id);
    }
    groupA = (await h.app.repos.captures.byId(ids[0]!))!.groupId!;
    expect(groupA).toBeTruthy();
  });
  afterAll(() => h.close());

  const routes = () => [
    { method: 'GET' as const, url: `/api/schools/${aId}/lists` },
    { method: 'GET' as const, url: `/api/schools/${aId}/lists/versions` },
    { method: 'PUT' as const, url: `/api/schools/${aId}/lists/draft`, payload: { disabledCategories: ['suicide'] } },
    { method: 'POST' as const, url: `/api/schools/${aId}/lists/preview`, payload: { text: 'Oak Lane Crew' } },
    { method: 'POST' as const, url: `/api/schools/${aId}/lists/publish`, payload: { changelog: 'hijack' } },
    { method: 'GET' as const, url: `/api/schools/${aId}/settings` },
    {
      method: 'PUT' as const,
      url: `/api/schools/${aId}/settings`,
      payload: { retentionDays: 1, trayHidden: true },
    },
    { method: 'GET' as const, url: `/api/schools/${aId}/summary-settings` },
    { method: 'PUT' as const, url: `/api/schools/${aId}/summary-settings`, payload: { includeNames: true } },
    { method: 'GET' as const, url: `/api/capture-groups/${groupA}` },
    { method: 'POST' as const, url: `/api/capture-groups/${groupA}/review`, payload: { status: 'reviewed' } },
  ];

  it.each([
    ['a DSL of school B', () => dslB],
    ['a school admin of school B', () => adminB],
    ['an org admin of another trust', () => orgAdminOtherTrust],
  ])('%s gets 404 on every route of school A and changes nothing', async (_who, who) => {
    for (const route of routes()) {
      const res = await h.app.inject({ ...route, headers: who().write });
      // Routes that answer 403 to a role that may not use them anywhere (school settings to a non-admin,
      // capture groups to a non-reader, as the captures routes do) may say so; otherwise 404.
      expect({ url: route.url, method: route.method, status: res.statusCode }).toEqual({
        url: route.url,
        method: route.method,
        status: /\/settings$|capture-groups/.test(route.url) && res.statusCode === 403 ? 403 : 404,
      });
      expect(res.body).not.toContain('Oak Lane Crew');
      expect(res.body).not.toContain('Oak secret changelog');
      expect(res.body).not.toContain('oak-pupil');
    }
    expect(await h.app.lists.repo.versions(aId)).toHaveLength(1);
    expect((await h.app.lists.draft(aId)).disabledCategories).toEqual([]);
    expect(await h.app.repos.schools.settings(aId)).toMatchObject({ retentionDays: 90, trayHidden: null });
    expect((await h.app.summaryStore.settings(aId)).showNames).toBe(false);
    for (const id of await h.app.captureGroups.memberIds(groupA)) {
      expect((await h.app.repos.captures.byId(id))!.status).toBe('new');
      expect(await h.app.repos.captures.history(id)).toEqual([]);
    }
  });

  it("a device of school B gets 401 on the dashboard routes and its own school's policy only", async () => {
    for (const route of routes()) {
      const res = await h.app.inject({ ...route, headers: { authorization: deviceB.auth } });
      expect({ url: route.url, status: res.statusCode }).toEqual({ url: route.url, status: 401 });
    }
    const policy = await h.app.inject({
      method: 'GET',
      url: AGENT_API.policy,
      headers: { authorization: deviceB.auth },
    });
    expect(policy.statusCode).toBe(200);
    expect(policy.json<Policy>().keywords.some((k) => k.phrase === 'Oak Lane Crew')).toBe(false);
  });
});
