import type { Clock } from '../clock';
import {
  sqlAll,
  createUser,
  enrolDevice,
  signIn,
  startHarness,
  uploadCapture,
  type Harness,
  type SignedIn,
} from '../test-support/harness';
import { purgeExpiredCaptures } from './retention.service';

const DAY = 86_400_000;

describe('retention settings and the purge', () => {
  let h: Harness;
  let schoolId: string;
  let admin: SignedIn;
  let dsl: SignedIn;
  const now = new Date('2026-06-01T03:00:00.000Z');
  const fixed: Clock = { now: () => now };
  const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
  const c: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    const school = await h.app.repos.schools.create('Oak Academy', new Date());
    schoolId = school.id;
    admin = await signIn(h.app, await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId }));
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId }));
    const device = await enrolDevice(h.app, school.enrolmentToken);
    c.recent = (await uploadCapture(h.app, device, { capturedAt: ago(10) })).id;
    c.old = (await uploadCapture(h.app, device, { capturedAt: ago(40) })).id;
    c.ancient = (await uploadCapture(h.app, device, { capturedAt: ago(100) })).id;
    c.escalated = (await uploadCapture(h.app, device, { capturedAt: ago(100) })).id;
    c.held = (await uploadCapture(h.app, device, { capturedAt: ago(100) })).id;
    for (const [id, payload] of [
      [c.escalated, { status: 'escalated' }],
      [c.held, { hold: true }],
    ] as const) {
      const res = await h.app.inject({ method: 'PATCH', url: `/api/captures/${id}`, headers: dsl.write, payload });
      expect(res.statusCode).toBe(200);
    }
  });
  afterAll(() => h.close());

  const put = (who: SignedIn, payload: object) =>
    h.app.inject({ method: 'PUT', url: `/api/schools/${schoolId}/settings`, headers: who.write, payload });

  it('validates settings and lets only admins change them', async () => {
    expect((await put(admin, { retentionDays: 0 })).statusCode).toBe(400);
    expect((await put(admin, { retentionDays: 30, minSeverity: 9 })).statusCode).toBe(400);
    expect((await put(dsl, { retentionDays: 30 })).statusCode).toBe(403);
    expect((await h.app.repos.schools.settings(schoolId)).retentionDays).toBe(90);
  });

  it('deletes by the default 90 days, sparing escalated and held captures, with their blobs', async () => {
    const ancient = (await h.app.repos.captures.byId(c.ancient!))!;
    const result = await purgeExpiredCaptures(h.app.repos, h.app.blobs, fixed);
    expect(result.deleted).toBe(1);
    expect(result.schools[0]?.captureIds).toEqual([c.ancient]);
    expect(await h.app.repos.captures.byId(c.ancient!)).toBeUndefined();
    expect(await h.app.blobs.get(ancient.screenshot.key)).toBeUndefined();
    expect(await h.app.blobs.get(ancient.thumbnailKey!)).toBeUndefined();
    for (const id of [c.recent, c.old, c.escalated, c.held]) expect(await h.app.repos.captures.byId(id!)).toBeDefined();
  });

  it("follows the school's own retention; a dry run deletes nothing; the audit row has ids, no content", async () => {
    const res = await put(admin, {
      retentionDays: 30,
      alertSeverity: 4,
      monitoredHours: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '16:00' }],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ retentionDays: 30, alertSeverity: 4, minSeverity: null });
    const dry = await purgeExpiredCaptures(h.app.repos, h.app.blobs, fixed, { dryRun: true });
    expect(dry.schools[0]?.captureIds).toEqual([c.old]);
    expect(await h.app.repos.captures.byId(c.old!)).toBeDefined();
    await purgeExpiredCaptures(h.app.repos, h.app.blobs, fixed);
    expect(await h.app.repos.captures.byId(c.old!)).toBeUndefined();
    expect(await h.app.repos.captures.byId(c.recent!)).toBeDefined();
    const rows = (await sqlAll(h.app, "SELECT details_json FROM audit_log WHERE action = 'capture.purge'")) as {
      details_json: string;
    }[];
    expect(rows).toHaveLength(2);
    expect(JSON.parse(rows[1]!.details_json)).toMatchObject({ deleted: 1, captureIds: c.old });
    expect(JSON.stringify(rows)).not.toContain('kill myself');
  });
});
