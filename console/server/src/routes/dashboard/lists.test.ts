import { io as connect, type Socket } from 'socket.io-client';
import { AGENT_API, type Policy } from '@vigil/shared';
import {
  sqlGet,
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type SignedIn,
} from '../../test-support/harness';
import { LIVE_EVENTS, LIVE_PATH } from '../../plugins/live.plugin';

/** The keyword-list editor: draft, preview with the shared matcher, publish, what agents are served. */
describe('keyword lists', () => {
  let h: Harness;
  let oak: { id: string; enrolmentToken: string };
  let dsl: SignedIn;
  let admin: SignedIn;
  let head: SignedIn;
  let viewer: SignedIn;
  let device: { deviceId: string; auth: string };
  const url = (path = '') => `/api/schools/${oak.id}/lists${path}`;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    oak = await h.app.repos.schools.create('Oak Academy', new Date());
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: oak.id }));
    admin = await signIn(h.app, await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: oak.id }));
    head = await signIn(h.app, await createUser(h.app, 'head@oak.sch.uk', 'head', { schoolId: oak.id }));
    viewer = await signIn(h.app, await createUser(h.app, 'viewer@oak.sch.uk', 'viewer', { schoolId: oak.id }));
    device = await enrolDevice(h.app, oak.enrolmentToken);
  });
  afterAll(() => h.close());

  const agentPolicy = async (etag?: string) => {
    const res = await h.app.inject({
      method: 'GET',
      url: AGENT_API.policy,
      headers: { authorization: device.auth, ...(etag ? { 'if-none-match': etag } : {}) },
    });
    return {
      status: res.statusCode,
      etag: String(res.headers.etag),
      policy: res.statusCode === 200 ? res.json<Policy>() : null,
    };
  };
  const preview = async (text: string, draft?: boolean, who = dsl) => {
    const res = await h.app.inject({
      method: 'POST',
      url: url('/preview'),
      headers: who.write,
      payload: draft === undefined ? { text } : { text, draft },
    });
    expect(res.statusCode).toBe(200);
    return res.json<{ matches: { id: string; category: string; text: string; start: number; end: number }[] }>()
      .matches;
  };
  const putDraft = (payload: unknown, who = dsl) =>
    h.app.inject({ method: 'PUT', url: url('/draft'), headers: who.write, payload: payload as object });
  const auditCount = async (action: string) =>
    (
      (await sqlGet(
        h.app,
        'SELECT COUNT(*) AS n FROM audit_log WHERE action = ? AND school_id = ?',
        action,
        oak.id,
      )) as {
        n: number;
      }
    ).n;

  it('shows the curated lists with nothing published and an empty draft', async () => {
    const res = await h.app.inject({ method: 'GET', url: url(), headers: head.get });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.published).toBeNull();
    expect(body.draftChanged).toBe(false);
    expect(body.draft).toEqual({
      disabledCategories: [],
      disabledEntries: [],
      severity: {},
      localPhrases: [],
      exclusions: [],
    });
    expect(body.categories.map((c: { id: string }) => c.id)).toContain('suicide');
    expect(body.categories.every((c: { enabled: boolean }) => c.enabled)).toBe(true);
    const kill = body.entries.find((e: { id: string }) => e.id === 'suicide.kill-myself');
    expect(kill).toMatchObject({
      source: 'curated',
      enabled: true,
      severity: 5,
      curatedSeverity: 5,
      falsePositives: 0,
    });
    expect(body.exclusions.length).toBeGreaterThan(100);
  });

  it('a disabled category no longer matches in the draft preview, while the published lists still match', async () => {
    expect((await preview('i want to kill myself')).map((m) => m.id)).toEqual(['suicide.kill-myself']);
    const res = await putDraft({ disabledCategories: ['suicide'] });
    expect(res.statusCode).toBe(200);
    expect(res.json().draftChanged).toBe(true);
    expect(res.json().categories.find((c: { id: string }) => c.id === 'suicide').enabled).toBe(false);
    expect(await preview('i want to kill myself')).toEqual([]);
    const published = await preview('i want to kill myself', false);
    expect(published).toEqual([
      expect.objectContaining({
        id: 'suicide.kill-myself',
        category: 'suicide',
        start: 10,
        end: 21,
        text: 'kill myself',
      }),
    ]);
    expect(await auditCount('lists.draft_update')).toBe(1);
  });

  it('refuses a bad draft with a clear 400 and saves nothing', async () => {
    const before = (await h.app.inject({ method: 'GET', url: url(), headers: dsl.get })).json().draft;
    const cases: [unknown, RegExp][] = [
      [{ disabledCategories: ['no-such-category'] }, /unknown category "no-such-category"/],
      [{ disabledEntries: ['suicide.no-such-phrase'] }, /unknown entry "suicide.no-such-phrase"/],
      [{ severity: { 'made-up': 3 } }, /unknown category or entry "made-up"/],
      [{ localPhrases: [{ phrase: '   ', category: 'drugs', severity: 3 }] }, /phrase is empty/],
      [{ localPhrases: [{ phrase: '\u200b-\u200b', category: 'drugs', severity: 3 }] }, /no letters or digits/],
      [{ localPhrases: [{ phrase: 'Elm Street Boys', category: 'nonsense', severity: 3 }] }, /unknown category/],
      [{ severity: { drugs: 9 } }, /severity/],
      [{ settings: { minSeverity: 1 } }, /./],
    ];
    for (const [payload, message] of cases) {
      const res = await putDraft(payload);
      expect({ payload, status: res.statusCode }).toEqual({ payload, status: 400 });
      expect(res.json().code).toBe('CONSOLE_ERR_VALIDATION');
      expect(res.json().message).toMatch(message);
    }
    expect((await h.app.inject({ method: 'GET', url: url(), headers: dsl.get })).json().draft).toEqual(before);
    expect(await auditCount('lists.draft_update')).toBe(1);
  });

  it('publishing gives agents a new policy and ETag; the old ETag no longer answers 304', async () => {
    const first = await agentPolicy();
    expect(first.status).toBe(200);
    expect(first.policy!.keywords.some((k) => k.category === 'suicide')).toBe(true);
    expect((await agentPolicy(first.etag)).status).toBe(304);

    const live: unknown[] = [];
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    const socket: Socket = connect(`http://127.0.0.1:${address.port}`, {
      path: LIVE_PATH,
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie: head.cookie },
      auth: { csrfToken: head.csrfToken },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.on(LIVE_EVENTS.listsPublished, (e: unknown) => live.push(e));

    await putDraft({
      disabledCategories: ['suicide'],
      localPhrases: [{ phrase: 'Elm Street Boys', category: 'violence', severity: 4 }],
      exclusions: ['kill time'],
    });
    const res = await h.app.inject({
      method: 'POST',
      url: url('/publish'),
      headers: admin.write,
      payload: { changelog: 'Suicide off for the Macbeth unit; local gang name added' },
    });
    expect(res.statusCode).toBe(200);
    const published = res.json();
    expect(published.version).toBe(1);

    const after = await agentPolicy(first.etag);
    expect(after.status).toBe(200);
    expect(after.etag).not.toBe(first.etag);
    expect(after.etag).toBe(published.etag);
    expect(after.policy!.version).toBe(published.policyVersion);
    expect(after.policy!.keywords.some((k) => k.category === 'suicide')).toBe(false);
    const local = after.policy!.keywords.find((k) => k.phrase === 'Elm Street Boys');
    expect(local).toMatchObject({ category: 'violence', severity: 4 });
    expect(after.policy!.exclusions).toContain('kill time');
    expect((await agentPolicy(after.etag)).status).toBe(304);

    const view = (await h.app.inject({ method: 'GET', url: url(), headers: head.get })).json();
    expect(view.published).toMatchObject({ version: 1, publishedBy: 'it@oak.sch.uk', etag: after.etag });
    expect(view.draftChanged).toBe(false);
    // The editor's id for a local phrase is the id agents report in their captures.
    expect(view.entries.find((e: { source: string }) => e.source === 'local')).toMatchObject({
      id: local!.id,
      enabled: true,
    });
    expect(await auditCount('lists.publish')).toBe(1);

    await new Promise((r) => setTimeout(r, 200));
    socket.disconnect();
    expect(live).toEqual([
      { schoolId: oak.id, version: 1, policyVersion: published.policyVersion, publishedAt: published.publishedAt },
    ]);
  });

  it('answers 409 when there is nothing new to publish, and lists versions newest first', async () => {
    const same = await h.app.inject({
      method: 'POST',
      url: url('/publish'),
      headers: dsl.write,
      payload: { changelog: 'again' },
    });
    expect(same.statusCode).toBe(409);
    expect(same.json().code).toBe('CONSOLE_ERR_NOTHING_TO_PUBLISH');
    await putDraft({ disabledCategories: [], severity: { profanity: 3 } });
    const second = await h.app.inject({
      method: 'POST',
      url: url('/publish'),
      headers: dsl.write,
      payload: { changelog: 'Suicide back on' },
    });
    expect(second.json().version).toBe(2);
    expect(await preview('i want to kill myself', false)).toHaveLength(1);
    const versions = (await h.app.inject({ method: 'GET', url: url('/versions'), headers: head.get })).json();
    expect(
      versions.items.map((v: { version: number; changelog: string; publishedBy: string }) => [
        v.version,
        v.changelog,
        v.publishedBy,
      ]),
    ).toEqual([
      [2, 'Suicide back on', 'dsl@oak.sch.uk'],
      [1, 'Suicide off for the Macbeth unit; local gang name added', 'it@oak.sch.uk'],
    ]);
    const blank = await h.app.inject({
      method: 'POST',
      url: url('/publish'),
      headers: dsl.write,
      payload: { changelog: '' },
    });
    expect(blank.statusCode).toBe(400);
  });

  it('counts false-positive reviews per entry', async () => {
    const c = await uploadCapture(h.app, device);
    await uploadCapture(h.app, device);
    const patch = await h.app.inject({
      method: 'PATCH',
      url: `/api/captures/${c.id}`,
      headers: dsl.write,
      payload: { status: 'false_positive' },
    });
    expect(patch.statusCode).toBe(200);
    const view = (await h.app.inject({ method: 'GET', url: url(), headers: dsl.get })).json();
    expect(view.entries.find((e: { id: string }) => e.id === 'suicide.kill-myself').falsePositives).toBe(1);
  });

  it('lets heads read but not edit, and viewers not even read', async () => {
    expect((await putDraft({ disabledCategories: ['drugs'] }, head)).statusCode).toBe(403);
    expect(
      (await h.app.inject({ method: 'POST', url: url('/publish'), headers: head.write, payload: { changelog: 'x' } }))
        .statusCode,
    ).toBe(403);
    expect(
      (await h.app.inject({ method: 'POST', url: url('/preview'), headers: head.write, payload: { text: 'x' } }))
        .statusCode,
    ).toBe(403);
    for (const path of ['', '/versions']) {
      expect((await h.app.inject({ method: 'GET', url: url(path), headers: viewer.get })).statusCode).toBe(403);
    }
    expect((await h.app.inject({ method: 'PUT', url: url('/draft'), payload: {} })).statusCode).toBe(401);
  });

  it("school settings flow into the served policy's settings, with a new ETag", async () => {
    const before = await agentPolicy();
    expect(before.policy!.settings).toMatchObject({
      minSeverity: 2,
      trayHidden: false,
      supportCard: true,
      monitoredHours: null,
    });
    const hours = [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '16:00' }];
    const res = await h.app.inject({
      method: 'PUT',
      url: `/api/schools/${oak.id}/settings`,
      headers: admin.write,
      payload: {
        retentionDays: 30,
        minSeverity: 3,
        monitoredHours: hours,
        trayHidden: true,
        supportCard: false,
        privacyNotice: 'Oak monitors school laptops.',
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      trayHidden: true,
      supportCard: false,
      privacyNotice: 'Oak monitors school laptops.',
    });
    const after = await agentPolicy(before.etag);
    expect(after.status).toBe(200);
    expect(after.etag).not.toBe(before.etag);
    expect(after.policy!.settings).toMatchObject({
      minSeverity: 3,
      monitoredHours: hours,
      trayHidden: true,
      supportCard: false,
      privacyNotice: 'Oak monitors school laptops.',
    });
    const get = (
      await h.app.inject({ method: 'GET', url: `/api/schools/${oak.id}/settings`, headers: admin.get })
    ).json();
    expect(get).toMatchObject({ minSeverity: 3, trayHidden: true, supportCard: false });
    // Back to the defaults: omitted tray settings are the defaults again.
    await h.app.inject({
      method: 'PUT',
      url: `/api/schools/${oak.id}/settings`,
      headers: admin.write,
      payload: { retentionDays: 30 },
    });
    const reset = await agentPolicy();
    expect(reset.policy!.settings).toMatchObject({ minSeverity: 2, trayHidden: false, supportCard: true });
    expect(reset.policy!.settings.privacyNotice).toMatch(/monitored for safeguarding/);
  });
});
