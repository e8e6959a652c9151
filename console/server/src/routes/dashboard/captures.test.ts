import {
  sqlAll,
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  rejectionOf,
  type Harness,
  type SignedIn,
} from '../../test-support/harness';

describe('dashboard captures, review and audit', () => {
  let h: Harness;
  let schoolId: string;
  let dsl: SignedIn;
  let head: SignedIn;
  let viewer: SignedIn;
  let schoolAdmin: SignedIn;
  let orgAdmin: SignedIn;
  let dslId: string;
  let ids: string[];

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    const school = await h.app.repos.schools.create('Oak Academy', new Date());
    schoolId = school.id;
    const dslUser = await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId });
    dslId = dslUser.id;
    dsl = await signIn(h.app, dslUser);
    head = await signIn(h.app, await createUser(h.app, 'head@oak.sch.uk', 'head', { schoolId }));
    viewer = await signIn(h.app, await createUser(h.app, 'viewer@oak.sch.uk', 'viewer', { schoolId }));
    schoolAdmin = await signIn(h.app, await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId }));
    orgAdmin = await signIn(
      h.app,
      await createUser(h.app, 'trust@oak.org.uk', 'org_admin', { organisationId: school.organisationId }),
    );
    const device = await enrolDevice(h.app, school.enrolmentToken);
    const base = Date.parse('2026-03-02T09:00:00.000Z');
    ids = [];
    for (let i = 0; i < 7; i++) {
      const meta = await uploadCapture(h.app, device, {
        capturedAt: new Date(base + i * 60_000).toISOString(),
        user: i % 2 === 0 ? 'pupil01' : 'pupil02',
        source: i === 6 ? 'title' : 'typed',
        windowTitle: i === 3 ? 'Homework — Bullying Essay' : 'Terminal',
        ...(i === 5
          ? {
              severity: 3,
              context: 'they keep calling me names',
              matches: [
                {
                  entryId: 'bullying.names',
                  phrase: 'calling me names',
                  category: 'bullying',
                  severity: 3,
                  start: 10,
                  end: 26,
                },
              ],
            }
          : {}),
      });
      ids.push(meta.id);
    }
  });
  afterAll(() => h.close());

  const get = (url: string, s: SignedIn) => h.app.inject({ method: 'GET', url, headers: s.get });
  const patch = (id: string, s: SignedIn, payload: unknown, csrf = true) =>
    h.app.inject({
      method: 'PATCH',
      url: `/api/captures/${id}`,
      headers: csrf ? s.write : s.get,
      payload: payload as object,
    });

  it('lists newest first with cursor pagination that visits every capture once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/captures?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await get(url, dsl);
      expect(res.statusCode).toBe(200);
      const body = res.json<{ items: { id: string }[]; nextCursor: string | null }>();
      seen.push(...body.items.map((c) => c.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it.each([
    ['severityMax=3', 1],
    ['severityMin=4', 6],
    ['category=bullying', 1],
    ['user=pupil02', 3],
    ['source=title', 1],
    ['q=bullying%20essay', 1],
    ['q=CALLING', 1],
    ['status=new', 7],
    ['from=2026-03-02T09:05:00Z', 2],
    ['to=2026-03-02T09:01:00Z', 2],
  ])('filters by %s', async (query, count) => {
    const res = await get(`/api/captures?${query}`, dsl);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(count);
  });

  it('rejects a limit over 100 and a forged cursor', async () => {
    expect((await get('/api/captures?limit=101', dsl)).statusCode).toBe(400);
    expect((await get('/api/captures?cursor=not-a-cursor', dsl)).json().code).toBe('CONSOLE_ERR_VALIDATION');
  });

  it("shows one capture with the pupil's earlier captures, and audits the view", async () => {
    const res = await get(`/api/captures/${ids[4]}`, dsl);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: ids[4], user: 'pupil01', status: 'new', screenshot: { type: 'image/webp' } });
    expect(body.earlierCaptures.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[0]]);
    const audit = (await sqlAll(
      h.app,
      "SELECT * FROM audit_log WHERE action = 'capture.view' AND target_id = ?",
      ids[4],
    )) as { school_id: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]!.school_id).toBe(schoolId);
  });

  it.each(['screenshot', 'thumbnail'])('serves the %s privately, never cached', async (kind) => {
    const res = await get(`/api/captures/${ids[0]}/${kind}`, head);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/webp');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.rawPayload.subarray(8, 12).toString()).toBe('WEBP');
  });

  it('reviews a capture: status, note and assignee, each change kept with who and when', async () => {
    const res = await patch(ids[1]!, dsl, { status: 'escalated', note: 'Spoke to form tutor', assigneeId: dslId });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'escalated', assigneeId: dslId });
    await patch(ids[1]!, orgAdmin, { status: 'actioned' });
    const history = await get(`/api/captures/${ids[1]}/history`, head);
    expect(history.json().items).toEqual([
      expect.objectContaining({
        userId: dslId,
        statusFrom: 'new',
        statusTo: 'escalated',
        assigneeTo: dslId,
        note: 'Spoke to form tutor',
      }),
      expect.objectContaining({
        userEmail: 'trust@oak.org.uk',
        statusFrom: 'escalated',
        statusTo: 'actioned',
        note: null,
      }),
    ]);
    expect((await get('/api/captures?status=actioned', dsl)).json().items).toHaveLength(1);
  });

  it('refuses an assignee who cannot review the school, and an empty or unknown change', async () => {
    const viewerId = (await get('/api/auth/me', viewer)).json().user.id;
    expect((await patch(ids[2]!, dsl, { assigneeId: viewerId })).statusCode).toBe(400);
    expect((await patch(ids[2]!, dsl, {})).statusCode).toBe(400);
    expect((await patch(ids[2]!, dsl, { status: 'closed' })).statusCode).toBe(400);
  });

  it('refuses a review without the CSRF header', async () => {
    const res = await patch(ids[2]!, dsl, { status: 'reviewed' }, false);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('CONSOLE_ERR_CSRF');
    expect((await h.app.repos.captures.byId(ids[2]!))?.status).toBe('new');
  });

  it('lets the head read but not review', async () => {
    expect((await get('/api/captures', head)).statusCode).toBe(200);
    const res = await patch(ids[2]!, head, { status: 'reviewed' });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('CONSOLE_ERR_FORBIDDEN');
  });

  it.each([
    ['viewer', () => viewer],
    ['school_admin', () => schoolAdmin],
  ])('shows a %s nothing of captures', async (_role, who) => {
    for (const url of [
      '/api/captures',
      `/api/captures/${ids[0]}`,
      `/api/captures/${ids[0]}/screenshot`,
      `/api/captures/${ids[0]}/history`,
    ]) {
      const res = await get(url, who());
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toContain('pupil01');
    }
  });

  it('gives admins the audit log of their schools, filtered; others get 403', async () => {
    const res = await get('/api/audit?action=capture.review', schoolAdmin);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.length).toBeGreaterThanOrEqual(2);
    expect(res.json().items.every((r: { action: string }) => r.action === 'capture.review')).toBe(true);
    const logins = await get('/api/audit?action=auth.login', orgAdmin);
    expect(logins.json().items.length).toBeGreaterThanOrEqual(5);
    expect((await get('/api/audit', dsl)).statusCode).toBe(403);
    expect((await get('/api/audit', viewer)).statusCode).toBe(403);
  });

  it('keeps the audit log append-only', async () => {
    expect(await rejectionOf(sqlAll(h.app, "UPDATE audit_log SET action = 'x'"))).toMatch(/append-only/);
    expect(await rejectionOf(sqlAll(h.app, 'DELETE FROM audit_log'))).toMatch(/append-only/);
  });

  it('publishes the OpenAPI document with the dashboard routes at /docs/json', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/captures',
        '/api/captures/{id}',
        '/api/captures/{id}/screenshot',
        '/api/audit',
      ]),
    );
  });
});
