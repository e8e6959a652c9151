import {
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type SignedIn,
} from '../../test-support/harness';

const bullying = {
  severity: 3,
  context: 'they keep calling me names',
  matches: [
    { entryId: 'bullying.names', phrase: 'calling me names', category: 'bullying', severity: 3, start: 10, end: 26 },
  ],
};

describe('bulk review, hold and keyword false-positive counts', () => {
  let h: Harness;
  let dsl: SignedIn;
  let head: SignedIn;
  let dslOther: SignedIn;
  let ids: string[];
  let otherId: string;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    const oak = await h.app.repos.schools.create('Oak Academy', new Date());
    const elm = await h.app.repos.schools.create('Elm Primary', new Date());
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: oak.id }));
    head = await signIn(h.app, await createUser(h.app, 'head@oak.sch.uk', 'head', { schoolId: oak.id }));
    dslOther = await signIn(h.app, await createUser(h.app, 'dsl@elm.sch.uk', 'dsl', { schoolId: elm.id }));
    const device = await enrolDevice(h.app, oak.enrolmentToken);
    ids = [];
    for (let i = 0; i < 3; i++) ids.push((await uploadCapture(h.app, device)).id);
    ids.push((await uploadCapture(h.app, device, bullying)).id);
    otherId = (await uploadCapture(h.app, await enrolDevice(h.app, elm.enrolmentToken))).id;
  });
  afterAll(() => h.close());

  const bulk = (who: SignedIn, payload: unknown) =>
    h.app.inject({ method: 'POST', url: '/api/captures/bulk', headers: who.write, payload: payload as object });

  it('changes nothing when one id is not visible to the user', async () => {
    const res = await bulk(dsl, { ids: [ids[0], otherId], status: 'reviewed' });
    expect(res.statusCode).toBe(404);
    expect((await h.app.repos.captures.byId(ids[0]!))?.status).toBe('new');
    expect(await h.app.repos.captures.history(ids[0]!)).toEqual([]);
    expect((await h.app.repos.captures.byId(otherId))?.status).toBe('new');
  });

  it('refuses a read-only head, changing nothing', async () => {
    const res = await bulk(head, { ids: [ids[0]], status: 'reviewed' });
    expect(res.statusCode).toBe(403);
    expect((await h.app.repos.captures.byId(ids[0]!))?.status).toBe('new');
  });

  it('reviews every capture, each with its own history row', async () => {
    const res = await bulk(dsl, { ids: [ids[0], ids[1], ids[3]], status: 'false_positive', note: 'a game chat' });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(3);
    for (const id of [ids[0]!, ids[1]!, ids[3]!]) {
      expect((await h.app.repos.captures.byId(id))?.status).toBe('false_positive');
      expect(await h.app.repos.captures.history(id)).toEqual([
        expect.objectContaining({ statusFrom: 'new', statusTo: 'false_positive', note: 'a game chat' }),
      ]);
    }
    expect((await h.app.repos.captures.byId(ids[2]!))?.status).toBe('new');
  });

  it('validates the body', async () => {
    expect((await bulk(dsl, { ids: [], status: 'reviewed' })).statusCode).toBe(400);
    expect((await bulk(dsl, { ids: [ids[0]], status: 'gone' })).statusCode).toBe(400);
  });

  it("counts false positives per keyword entry over the user's schools only", async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/keyword-stats', headers: dsl.get });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      { entryId: 'suicide.kill-myself', phrase: 'kill myself', category: 'suicide', falsePositives: 2, total: 3 },
      { entryId: 'bullying.names', phrase: 'calling me names', category: 'bullying', falsePositives: 1, total: 1 },
    ]);
    const other = await h.app.inject({ method: 'GET', url: '/api/keyword-stats', headers: dslOther.get });
    expect(other.json()).toEqual([
      { entryId: 'suicide.kill-myself', phrase: 'kill myself', category: 'suicide', falsePositives: 0, total: 1 },
    ]);
  });

  it('puts a capture on hold through PATCH (reviewers only), kept in its history', async () => {
    const byHead = await h.app.inject({
      method: 'PATCH',
      url: `/api/captures/${ids[2]}`,
      headers: head.write,
      payload: { hold: true },
    });
    expect(byHead.statusCode).toBe(403);
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/api/captures/${ids[2]}`,
      headers: dsl.write,
      payload: { hold: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().hold).toBe(true);
    expect(await h.app.repos.captures.history(ids[2]!)).toEqual([
      expect.objectContaining({ holdTo: true, statusTo: null }),
    ]);
  });
});
