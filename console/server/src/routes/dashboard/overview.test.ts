import type { CaptureMatch } from '@vigil/shared';
import {
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type SignedIn,
} from '../../test-support/harness';

const match = (category: string, severity: number): CaptureMatch => ({
  entryId: `${category}.x`,
  phrase: 'x',
  category,
  severity,
  start: 0,
  end: 1,
});

/**
 * The overview's numbers against seeded captures. The clock stands on Monday 30 March 2026, the
 * day after British Summer Time began, so London days and UTC days differ at the edges.
 */
describe('school overview', () => {
  let h: Harness;
  let now = new Date('2026-03-30T10:00:00.000Z');
  let oak: string;
  let dsl: SignedIn;
  let staleDevice: string;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' }, { clock: { now: () => now } });
    const school = await h.app.repos.schools.create('Oak Academy', now);
    oak = school.id;
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: oak }));

    // Devices: one silent for two hours, one revoked (not listed), one reporting now.
    now = new Date('2026-03-30T08:00:00.000Z');
    staleDevice = (await enrolDevice(h.app, school.enrolmentToken)).deviceId;
    const revoked = await enrolDevice(h.app, school.enrolmentToken);
    await h.app.repos.devices.revoke(revoked.deviceId, now);
    now = new Date('2026-03-30T10:00:00.000Z');
    const device = await enrolDevice(h.app, school.enrolmentToken);

    const seed = async (user: string, capturedAt: string, severity: number, categories: string[]) =>
      (
        await uploadCapture(h.app, device, {
          user,
          capturedAt,
          severity,
          matches: categories.map((c) => match(c, severity)),
        })
      ).id;
    // 00:30 BST on 30 March: London's Monday, though UTC still says Sunday.
    await seed('pupil-a', '2026-03-29T23:30:00.000Z', 5, ['suicide']);
    // 23:30 BST on Sunday 29 March; two categories.
    await seed('pupil-b', '2026-03-29T22:30:00.000Z', 3, ['bullying', 'violence']);
    await seed('pupil-b', '2026-03-10T12:00:00.000Z', 2, ['bullying']);
    // The first day of the 28: Tuesday 3 March (GMT), just after midnight.
    await seed('pupil-b', '2026-03-03T00:30:00.000Z', 3, ['bullying']);
    const falsePositive = await seed('pupil-c', '2026-03-15T12:00:00.000Z', 4, ['violence']);
    await seed('pupil-c', '2026-03-16T12:00:00.000Z', 2, ['bullying']);
    await seed('pupil-c', '2026-03-17T12:00:00.000Z', 2, ['bullying']);
    // Before the period: only the backlog sees it.
    await seed('pupil-d', '2026-03-02T23:59:00.000Z', 5, ['suicide']);
    const reviewed = await seed('pupil-e', '2026-03-20T09:00:00.000Z', 1, ['profanity']);
    // Another school's capture never counts.
    const elm = await h.app.repos.schools.create('Elm Primary', now);
    await uploadCapture(h.app, await enrolDevice(h.app, elm.enrolmentToken), {
      user: 'pupil-b',
      capturedAt: '2026-03-29T12:00:00.000Z',
      severity: 5,
      matches: [match('bullying', 5)],
    });

    for (const [id, status] of [
      [falsePositive, 'false_positive'],
      [reviewed, 'reviewed'],
    ] as const) {
      const res = await h.app.inject({
        method: 'PATCH',
        url: `/api/captures/${id}`,
        headers: dsl.write,
        payload: { status },
      });
      expect(res.statusCode).toBe(200);
    }
  });
  afterAll(() => h.close());

  const overview = (who: SignedIn, query = '') =>
    h.app.inject({ method: 'GET', url: `/api/schools/${oak}/overview${query}`, headers: who.get });

  it('counts 28 London days by category, leaving out false positives and earlier captures', async () => {
    const res = await overview(dsl);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.from).toBe('2026-03-03T00:00:00.000Z');
    expect(body.to).toBe('2026-03-30T10:00:00.000Z');
    expect(body.days).toHaveLength(28);
    expect(body.days[0].date).toBe('2026-03-03');
    expect(body.days[27].date).toBe('2026-03-30');
    const nonEmpty = Object.fromEntries(
      (body.days as { date: string; byCategory: Record<string, number>; total: number }[])
        .filter((d) => d.total > 0)
        .map((d) => [d.date, [d.total, d.byCategory]]),
    );
    expect(nonEmpty).toEqual({
      '2026-03-03': [1, { bullying: 1 }],
      '2026-03-10': [1, { bullying: 1 }],
      '2026-03-16': [1, { bullying: 1 }],
      '2026-03-17': [1, { bullying: 1 }],
      '2026-03-20': [1, { profanity: 1 }],
      '2026-03-29': [1, { bullying: 1, violence: 1 }],
      '2026-03-30': [1, { suicide: 1 }],
    });
    for (const d of body.days) if (d.total === 0) expect(d.byCategory).toEqual({});
    expect(body.severity).toEqual({ '1': 1, '2': 3, '3': 2, '4': 0, '5': 1 });
    expect(body.topCategories).toEqual([
      { category: 'bullying', count: 5 },
      { category: 'profanity', count: 1 },
      { category: 'suicide', count: 1 },
      { category: 'violence', count: 1 },
    ]);
  });

  it('lists pupils with three or more captures or any of severity 5, the backlog and silent devices', async () => {
    const body = (await overview(dsl)).json();
    expect(body.repeatedConcerns).toEqual([
      { user: 'pupil-a', count: 1, maxSeverity: 5, lastAt: '2026-03-29T23:30:00.000Z' },
      { user: 'pupil-b', count: 3, maxSeverity: 3, lastAt: '2026-03-29T22:30:00.000Z' },
    ]);
    // Every capture still `new`, however old: 9 at Oak less the false positive and the reviewed one.
    expect(body.backlog).toEqual({ unreviewed: 7, oldestUnreviewedAt: '2026-03-02T23:59:00.000Z' });
    expect(body.devicesNotReporting).toEqual([
      { id: staleDevice, hostname: 'laptop-07', user: null, lastSeenAt: '2026-03-30T08:00:00.000Z' },
    ]);
  });

  it('takes a shorter period', async () => {
    const body = (await overview(dsl, '?days=1')).json();
    expect(body.days).toEqual([{ date: '2026-03-30', byCategory: { suicide: 1 }, total: 1 }]);
    // 00:00 BST on 30 March is 23:00 UTC on the 29th.
    expect(body.from).toBe('2026-03-29T23:00:00.000Z');
    expect(body.repeatedConcerns).toEqual([
      { user: 'pupil-a', count: 1, maxSeverity: 5, lastAt: '2026-03-29T23:30:00.000Z' },
    ]);
  });

  it('refuses a bad period and roles that do not see captures', async () => {
    for (const q of ['?days=0', '?days=400', '?days=abc']) {
      const res = await overview(dsl, q);
      expect(res.statusCode).toBe(400);
    }
    const admin = await signIn(h.app, await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: oak }));
    expect((await overview(admin)).statusCode).toBe(403);
    const viewer = await signIn(h.app, await createUser(h.app, 'v@oak.sch.uk', 'viewer', { schoolId: oak }));
    expect((await overview(viewer)).statusCode).toBe(403);
    const head = await signIn(h.app, await createUser(h.app, 'head@oak.sch.uk', 'head', { schoolId: oak }));
    expect((await overview(head)).statusCode).toBe(200);
  });
});
