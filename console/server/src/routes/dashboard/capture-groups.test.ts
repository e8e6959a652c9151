import type { CaptureMetadata } from '@vigil/shared';
import {
  sqlGet,
  sqlAll,
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type SignedIn,
} from '../../test-support/harness';

/** Capture groups: ≥ 3 distinct pupils, the same entry, the same school, within an hour; never severity 5. */
describe('capture groups', () => {
  let h: Harness;
  let oak: { id: string; enrolmentToken: string };
  let elm: { id: string; enrolmentToken: string };
  let dsl: SignedIn;
  let head: SignedIn;
  let oakDevice: { deviceId: string; auth: string };
  let elmDevice: { deviceId: string; auth: string };
  const base = Date.parse('2026-11-20T10:00:00.000Z');
  const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    oak = await h.app.repos.schools.create('Oak Academy', new Date());
    elm = await h.app.repos.schools.create('Elm Primary', new Date());
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: oak.id }));
    head = await signIn(h.app, await createUser(h.app, 'head@oak.sch.uk', 'head', { schoolId: oak.id }));
    oakDevice = await enrolDevice(h.app, oak.enrolmentToken);
    elmDevice = await enrolDevice(h.app, elm.enrolmentToken);
  });
  afterAll(() => h.close());

  /** A capture of `entry` (severity 3 unless said) by `user` at `minutes` after the base time. */
  const capture = (entry: string, user: string, minutes: number, severity = 3, device = oakDevice) => {
    const phrase = entry.split('.')[1]!;
    const context = `macbeth: ${phrase} him now`;
    const over: Partial<CaptureMetadata> = {
      user,
      capturedAt: at(minutes),
      context,
      severity,
      matches: [{ entryId: entry, phrase, category: 'violence', severity, start: 9, end: 9 + phrase.length }],
    };
    return uploadCapture(h.app, device, over);
  };
  const groupOf = async (id: string) => (await h.app.repos.captures.byId(id))!.groupId;

  it("never groups pupils' own reports of a concern, though every report shares one entry", async () => {
    const words = 'someone keeps messaging me';
    const report = (user: string, minutes: number) =>
      uploadCapture(h.app, oakDevice, {
        user,
        source: 'report',
        capturedAt: at(minutes),
        context: words,
        severity: 4,
        matches: [
          {
            entryId: 'report',
            phrase: 'Report a concern',
            category: 'report',
            severity: 4,
            start: 0,
            end: words.length,
          },
        ],
      });
    const reports = [await report('p1', 0), await report('p2', 1), await report('p3', 2), await report('p4', 3)];
    expect(await Promise.all(reports.map((c) => groupOf(c.id)))).toEqual([null, null, null, null]);
  });

  it('two pupils make no group; a third within the hour groups all three', async () => {
    const a = await capture('violence.stab', 'pupil-a', 0);
    const b = await capture('violence.stab', 'pupil-b', 20);
    const a2 = await capture('violence.stab', 'pupil-a', 25);
    expect(await Promise.all([a, b, a2].map((c) => groupOf(c.id)))).toEqual([null, null, null]);
    const c = await capture('violence.stab', 'pupil-c', 50);
    const g = await groupOf(c.id);
    expect(g).not.toBeNull();
    expect(await Promise.all([a, b, a2].map((x) => groupOf(x.id)))).toEqual([g, g, g]);
    // A fourth within the hour of the group's first joins it; one past the hour does not.
    const d = await capture('violence.stab', 'pupil-d', 60);
    expect(await groupOf(d.id)).toBe(g);
    const e = await capture('violence.stab', 'pupil-e', 61);
    expect(await groupOf(e.id)).toBeNull();
    expect(await h.app.captureGroups.byId(g!)).toMatchObject({
      memberCount: 5,
      pupilCount: 4,
      firstAt: at(0),
      lastAt: at(60),
    });
  });

  it('three pupils 61 minutes from first to last make no group; exactly 60 minutes do', async () => {
    const x = [
      await capture('violence.knife', 'p1', 0),
      await capture('violence.knife', 'p2', 30),
      await capture('violence.knife', 'p3', 61),
    ];
    expect(await Promise.all(x.map((c) => groupOf(c.id)))).toEqual([null, null, null]);
    const y = [
      await capture('violence.gun', 'p1', 0),
      await capture('violence.gun', 'p2', 30),
      await capture('violence.gun', 'p3', 60),
    ];
    expect(new Set(await Promise.all(y.map((c) => groupOf(c.id)))).size).toBe(1);
    expect(await groupOf(y[0]!.id)).not.toBeNull();
  });

  it("a capture uploaded late that joins a group moves the group's start, and the hour counts from there", async () => {
    const x = [
      await capture('violence.bite', 'p1', 0),
      await capture('violence.bite', 'p2', 20),
      await capture('violence.bite', 'p3', 40),
    ];
    const g = await groupOf(x[0]!.id);
    expect(g).not.toBeNull();
    // Captured before the group's first, uploaded after (a laptop back online): it joins (-8 to 40).
    const late = await capture('violence.bite', 'p4', -8);
    expect(await groupOf(late.id)).toBe(g);
    // 55 would be within the hour of the old start (0) but not of the new one (-8).
    const after = await capture('violence.bite', 'p5', 55);
    expect(await groupOf(after.id)).toBeNull();
    const fits = await capture('violence.bite', 'p6', 52);
    expect(await groupOf(fits.id)).toBe(g);
    expect(await h.app.captureGroups.byId(g!)).toMatchObject({ memberCount: 5, firstAt: at(-8), lastAt: at(52) });
  });

  it('never groups severity-5 captures, nor pupils of different schools', async () => {
    const five = [
      await capture('violence.shoot', 'p1', 0, 5),
      await capture('violence.shoot', 'p2', 1, 5),
      await capture('violence.shoot', 'p3', 2, 5),
      await capture('violence.shoot', 'p4', 3, 5),
    ];
    expect(await Promise.all(five.map((c) => groupOf(c.id)))).toEqual([null, null, null, null]);
    const mixed = [
      await capture('violence.punch', 'p1', 0),
      await capture('violence.punch', 'p2', 1),
      await capture('violence.punch', 'p3', 2, 3, elmDevice),
    ];
    expect(await Promise.all(mixed.map((c) => groupOf(c.id)))).toEqual([null, null, null]);
  });

  it('the list collapses a group to its newest member with the group filled in; the group route lists members', async () => {
    const members = [
      await capture('violence.slap', 'q1', 0),
      await capture('violence.slap', 'q2', 5),
      await capture('violence.slap', 'q3', 10),
    ];
    const loner = await capture('violence.kick', 'q1', 11);
    const groupId = (await groupOf(members[0]!.id))!;
    const query = `from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(11))}&q=macbeth`;
    const full = (await h.app.inject({ method: 'GET', url: `/api/captures?${query}`, headers: dsl.get })).json();
    const slapIds = full.items
      .filter((i: { groupId: string | null }) => i.groupId === groupId)
      .map((i: { id: string }) => i.id);
    expect(slapIds.sort()).toEqual(members.map((m) => m.id).sort());
    expect(full.items[0]).not.toHaveProperty('group');

    const collapsed = (
      await h.app.inject({ method: 'GET', url: `/api/captures?${query}&collapseGroups=true`, headers: dsl.get })
    ).json();
    const ofGroup = collapsed.items.filter((i: { groupId: string | null }) => i.groupId === groupId);
    expect(ofGroup).toHaveLength(1);
    expect(ofGroup[0]).toMatchObject({
      id: members[2]!.id,
      group: { id: groupId, memberCount: 3, pupilCount: 3, firstAt: at(0), lastAt: at(10) },
    });
    expect(collapsed.items.find((i: { id: string }) => i.id === loner.id)).toMatchObject({
      groupId: null,
      group: null,
    });

    const res = await h.app.inject({ method: 'GET', url: `/api/capture-groups/${groupId}`, headers: head.get });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: groupId,
      schoolId: oak.id,
      entryId: 'violence.slap',
      phrase: 'slap',
      severity: 3,
    });
    expect(res.json().members.map((m: { id: string }) => m.id)).toEqual(members.map((m) => m.id).reverse());
  });

  it('a filtered, collapsed list shows a group as its newest member that the filters select', async () => {
    const members = [
      await capture('violence.trip', 't1', 0),
      await capture('violence.trip', 't2', 5),
      await capture('violence.trip', 't3', 10),
      await capture('violence.trip', 't1', 15),
      await capture('violence.trip', 't2', 20),
    ];
    const groupId = (await groupOf(members[0]!.id))!;
    expect(await Promise.all(members.map((m) => groupOf(m.id)))).toEqual(members.map(() => groupId));
    const list = async (filters: string) => {
      const res = await h.app.inject({
        method: 'GET',
        url: `/api/captures?collapseGroups=true&from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(20))}${filters}`,
        headers: dsl.get,
      });
      expect(res.statusCode).toBe(200);
      return res.json().items.filter((i: { groupId: string | null }) => i.groupId === groupId);
    };
    const group = { id: groupId, memberCount: 5, pupilCount: 3, firstAt: at(0), lastAt: at(20) };
    expect(await list('')).toEqual([expect.objectContaining({ id: members[4]!.id, group })]);
    // The newest member is t2's: filtered to pupil t1, the group is t1's newest capture in it.
    expect(await list('&user=t1')).toEqual([expect.objectContaining({ id: members[3]!.id, group })]);
    expect(await list('&user=t3')).toEqual([expect.objectContaining({ id: members[2]!.id, group })]);
    // Reviewed members are left out of the "new" list: the group is its newest member still new.
    await h.app.inject({
      method: 'PATCH',
      url: `/api/captures/${members[4]!.id}`,
      headers: dsl.write,
      payload: { status: 'reviewed' },
    });
    expect(await list('&status=new')).toEqual([expect.objectContaining({ id: members[3]!.id, group })]);
    expect(await list('&status=reviewed')).toEqual([expect.objectContaining({ id: members[4]!.id, group })]);
    expect(await list('&user=nobody')).toEqual([]);
  });

  it('a group review applies to every member, each with its own history row and audit entry', async () => {
    const members = [
      await capture('violence.hit', 'r1', 0),
      await capture('violence.hit', 'r2', 1),
      await capture('violence.hit', 'r3', 2),
    ];
    const groupId = (await groupOf(members[0]!.id))!;
    const denied = await h.app.inject({
      method: 'POST',
      url: `/api/capture-groups/${groupId}/review`,
      headers: head.write,
      payload: { status: 'reviewed' },
    });
    expect(denied.statusCode).toBe(403);
    const bad = await h.app.inject({
      method: 'POST',
      url: `/api/capture-groups/${groupId}/review`,
      headers: dsl.write,
      payload: { status: 'done' },
    });
    expect(bad.statusCode).toBe(400);
    expect(await Promise.all(members.map(async (m) => (await h.app.repos.captures.byId(m.id))!.status))).toEqual([
      'new',
      'new',
      'new',
    ]);

    const res = await h.app.inject({
      method: 'POST',
      url: `/api/capture-groups/${groupId}/review`,
      headers: dsl.write,
      payload: { status: 'false_positive', note: 'Year 9 reading Macbeth' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ updated: 3 });
    for (const m of members) {
      expect((await h.app.repos.captures.byId(m.id))!.status).toBe('false_positive');
      expect(await h.app.repos.captures.history(m.id)).toEqual([
        expect.objectContaining({
          statusFrom: 'new',
          statusTo: 'false_positive',
          note: 'Year 9 reading Macbeth',
          userEmail: 'dsl@oak.sch.uk',
        }),
      ]);
    }
    const audited = (
      await sqlAll<{ target_id: string }>(
        h.app,
        "SELECT target_id FROM audit_log WHERE action = 'capture.review' AND details_json LIKE ?",
        `%${groupId}%`,
      )
    ).map((r) => r.target_id);
    expect(audited.sort()).toEqual(members.map((m) => m.id).sort());
    // The list editor counts them as false positives of the entry.
    expect((await h.app.lists.repo.falsePositives(oak.id)).get('violence.hit')).toBe(3);
  });

  it('retention can still delete a grouped capture (its entry rows go with it)', async () => {
    const members = [
      await capture('violence.shove', 's1', 0),
      await capture('violence.shove', 's2', 1),
      await capture('violence.shove', 's3', 2),
    ];
    const groupId = (await groupOf(members[0]!.id))!;
    expect(await h.app.repos.captures.deleteMany([members[0]!.id])).toBe(1);
    expect(
      (await sqlGet<{ n: number }>(
        h.app,
        'SELECT COUNT(*) AS n FROM capture_entries WHERE capture_id = ?',
        members[0]!.id,
      ))!.n,
    ).toBe(0);
    expect(await h.app.captureGroups.byId(groupId)).toMatchObject({ memberCount: 2, pupilCount: 2 });
  });

  it('an unknown group is 404', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/capture-groups/0190b8d2-0000-7000-8000-000000000000',
      headers: dsl.get,
    });
    expect(res.statusCode).toBe(404);
  });
});
