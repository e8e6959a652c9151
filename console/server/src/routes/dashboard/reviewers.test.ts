import {
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type SignedIn,
} from '../../test-support/harness';

/** The assignment picker: who a school's captures can be assigned to, for its reviewers only. */
describe('GET /api/schools/:id/reviewers', () => {
  let h: Harness;
  let oak: { id: string; organisationId: string };
  let elm: { id: string };
  let dsl: SignedIn;
  let head: SignedIn;
  let elmDsl: SignedIn;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    oak = await h.app.repos.schools.create('Oak Academy', new Date());
    elm = await h.app.repos.schools.create('Elm Primary', new Date());
    const make = async (
      email: string,
      role: Parameters<typeof createUser>[2],
      where: { schoolId: string } | { organisationId: string },
    ) => {
      const u = await createUser(h.app, email, role, where);
      ids[email] = u.id;
      return u;
    };
    dsl = await signIn(h.app, await make('dsl@oak.sch.uk', 'dsl', { schoolId: oak.id }));
    await make('deputy@oak.sch.uk', 'deputy_dsl', { schoolId: oak.id });
    await make('trust@oak-trust.org.uk', 'org_admin', { organisationId: oak.organisationId });
    head = await signIn(h.app, await make('head@oak.sch.uk', 'head', { schoolId: oak.id }));
    await make('it@oak.sch.uk', 'school_admin', { schoolId: oak.id });
    await make('left@oak.sch.uk', 'deputy_dsl', { schoolId: oak.id });
    await h.app.repos.users.setDisabled(ids['left@oak.sch.uk']!, new Date());
    elmDsl = await signIn(h.app, await make('dsl@elm.sch.uk', 'dsl', { schoolId: elm.id }));
  });
  afterAll(() => h.close());

  const list = (who: SignedIn | null, schoolId: string) =>
    h.app.inject({ method: 'GET', url: `/api/schools/${schoolId}/reviewers`, headers: who ? who.get : {} });

  it("lists the school's DSLs, deputies and its trust's org admins, not heads, IT admins or disabled accounts", async () => {
    const res = await list(dsl, oak.id);
    expect(res.statusCode).toBe(200);
    const emails = (res.json() as { items: { email: string }[] }).items.map((u) => u.email).sort();
    expect(emails).toEqual(['deputy@oak.sch.uk', 'dsl@oak.sch.uk', 'trust@oak-trust.org.uk']);
  });

  it('a capture can be assigned to a listed colleague, and the console keeps it', async () => {
    const items = (await list(dsl, oak.id)).json() as { items: { id: string; email: string }[] };
    const deputy = items.items.find((u) => u.email === 'deputy@oak.sch.uk')!;
    const school = await h.app.repos.schools.byId(oak.id);
    const capture = await uploadCapture(h.app, await enrolDevice(h.app, school!.enrolmentToken));
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/api/captures/${capture.id}`,
      headers: dsl.write,
      payload: { assigneeId: deputy.id },
    });
    expect(res.statusCode).toBe(200);
    expect((await h.app.repos.captures.byId(capture.id))!.assigneeId).toBe(deputy.id);
  });

  it('is refused to a head (403), to another school (404, as for a school that does not exist) and signed out (401)', async () => {
    expect((await list(head, oak.id)).statusCode).toBe(403);
    const other = await list(elmDsl, oak.id);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('oak.sch.uk');
    expect((await list(elmDsl, 'no-such-school')).json()).toEqual(other.json());
    expect((await list(null, oak.id)).statusCode).toBe(401);
  });
});
