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
import type { BlobStore } from '../blob-store/blob-store';
import { PurgeIncompleteError, purgeExpiredCaptures } from './retention.service';

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

describe('a purge where the blob store refuses some deletes', () => {
  let h: Harness;
  const now = new Date('2026-06-01T03:00:00.000Z');
  const fixed: Clock = { now: () => now };

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('keeps the rows (and blobs) of the captures it refused, deletes the rest, and says what is left', async () => {
    const school = await h.app.repos.schools.create('Ash Primary', new Date());
    const device = await enrolDevice(h.app, school.enrolmentToken);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(
        (await uploadCapture(h.app, device, { capturedAt: new Date(now.getTime() - 120 * DAY).toISOString() })).id,
      );
    }
    const refusedCapture = (await h.app.repos.captures.byId(ids[2]!))!;
    // The store refuses that capture's thumbnail (as an S3 DeleteObjects answers AccessDenied for a key).
    const picky: BlobStore = {
      put: (k, b) => h.app.blobs.put(k, b),
      get: (k) => h.app.blobs.get(k),
      delete: (k) => h.app.blobs.delete(k),
      deleteMany: async (keys) => {
        const refused = keys.filter((k) => k === refusedCapture.thumbnailKey);
        await h.app.blobs.deleteMany(keys.filter((k) => !refused.includes(k)));
        return refused;
      },
    };
    const failure = await purgeExpiredCaptures(h.app.repos, picky, fixed, { schoolId: school.id }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(PurgeIncompleteError);
    expect((failure as Error).message).toMatch(
      /1 captures of school .* are kept for the next purge; 3 captures were deleted/,
    );
    expect((failure as PurgeIncompleteError).result.schools[0]?.captureIds.sort()).toEqual(
      [ids[0], ids[1], ids[3]].sort(),
    );
    for (const id of [ids[0], ids[1], ids[3]]) expect(await h.app.repos.captures.byId(id!)).toBeUndefined();
    expect(await h.app.repos.captures.byId(ids[2]!)).toBeDefined();
    expect(await h.app.blobs.get(refusedCapture.thumbnailKey!)).toBeDefined();

    // The next purge, with the store willing, takes it.
    await purgeExpiredCaptures(h.app.repos, h.app.blobs, fixed, { schoolId: school.id });
    expect(await h.app.repos.captures.byId(ids[2]!)).toBeUndefined();
    expect(await h.app.blobs.get(refusedCapture.thumbnailKey!)).toBeUndefined();
  });
});
