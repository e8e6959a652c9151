import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
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

const run = promisify(execFile);
const CLI = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

interface Export {
  kind: string;
  pupil: string;
  school: { id: string; name: string };
  captureCount: number;
  captures: {
    id: string;
    user: string;
    context: string;
    windowTitle: string;
    history: { statusTo: string | null; note: string | null; by: string | null }[];
    notes: { note: string }[];
    screenshot: { type: string; base64: string | null };
    thumbnail: { base64: string } | null;
  }[];
  devices: { id: string; hostname: string }[];
}

/** Subject access: everything held about one pupil, to the roles that may have it, and audited. */
describe('subject access export', () => {
  let h: Harness;
  let oak: string;
  let dsl: SignedIn;
  let deviceId: string;
  let firstId: string;
  let elmCapture: string;

  beforeAll(async () => {
    h = await startHarness({ VIGIL_LOGIN_RATE_PER_MINUTE: '1000' });
    const school = await h.app.repos.schools.create('Oak Academy', new Date());
    oak = school.id;
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId: oak }));
    const device = await enrolDevice(h.app, school.enrolmentToken);
    deviceId = device.deviceId;
    firstId = (await uploadCapture(h.app, device, { user: 'jo.bloggs', context: 'first words of jo, and more' })).id;
    await uploadCapture(h.app, device, { user: 'jo.bloggs', context: 'second words of jo, and more' });
    await uploadCapture(h.app, device, { user: 'sam.other', context: 'words of sam, and more here' });
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/api/captures/${firstId}`,
      headers: dsl.write,
      payload: { status: 'escalated', note: 'Spoke to Jo with parent present' },
    });
    expect(res.statusCode).toBe(200);
    // The same login at another school is another child: not in Oak's export.
    const elm = await h.app.repos.schools.create('Elm Primary', new Date());
    elmCapture = (
      await uploadCapture(h.app, await enrolDevice(h.app, elm.enrolmentToken), {
        user: 'jo.bloggs',
        context: 'elm words, and more here too',
      })
    ).id;
  });
  afterAll(() => h.close());

  const exportFor = (who: SignedIn, pupil = 'jo.bloggs') =>
    h.app.inject({
      method: 'GET',
      url: `/api/schools/${oak}/subject-access?pupil=${encodeURIComponent(pupil)}`,
      headers: who.get,
    });

  it("downloads every capture of the pupil with history, notes, screenshots and devices, and nobody else's", async () => {
    const res = await exportFor(dsl);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="vigil-subject-access-jo\.bloggs-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(res.headers['cache-control']).toBe('private, no-store');
    const body = res.json<Export>();
    expect(body).toMatchObject({
      kind: 'vigil-subject-access',
      pupil: 'jo.bloggs',
      school: { id: oak },
      captureCount: 2,
    });
    expect(body.captures.map((c) => c.context)).toEqual([
      'first words of jo, and more',
      'second words of jo, and more',
    ]);
    const first = body.captures[0]!;
    expect(first.history).toEqual([
      expect.objectContaining({ statusTo: 'escalated', note: 'Spoke to Jo with parent present', by: 'dsl@oak.sch.uk' }),
    ]);
    expect(first.notes).toEqual([expect.objectContaining({ note: 'Spoke to Jo with parent present' })]);
    const shot = Buffer.from(first.screenshot.base64!, 'base64');
    expect(shot.subarray(8, 12).toString()).toBe('WEBP');
    const stored = await h.app.blobs.get((await h.app.repos.captures.byId(firstId))!.screenshot.key);
    expect(shot.equals(stored!)).toBe(true);
    expect(Buffer.from(first.thumbnail!.base64, 'base64').subarray(8, 12).toString()).toBe('WEBP');
    expect(body.devices.map((d) => d.id)).toEqual([deviceId]);
    expect(res.body).not.toContain('words of sam, and more here');
    expect(res.body).not.toContain('elm words, and more here too');
    expect(res.body).not.toContain(elmCapture);

    const audit = (await sqlGet(
      h.app,
      "SELECT * FROM audit_log WHERE action = 'subject_access.export' ORDER BY at DESC, id DESC",
    )) as { school_id: string; details_json: string; outcome: string };
    expect(audit).toMatchObject({ school_id: oak, outcome: 'success' });
    expect(JSON.parse(audit.details_json)).toEqual({ pupil: 'jo.bloggs', captures: 2, devices: 1 });
  });

  it('answers a pupil with nothing held with an empty export', async () => {
    const body = (await exportFor(dsl, 'nobody')).json<Export>();
    expect(body.captures).toEqual([]);
    expect(body.devices).toEqual([]);
  });

  it('is for org admins, school admins and DSLs only, and needs a pupil', async () => {
    const org = (await h.app.repos.schools.byId(oak))!.organisationId;
    const allowed = [
      await createUser(h.app, 'it@oak.sch.uk', 'school_admin', { schoolId: oak }),
      await createUser(h.app, 'trust@oak.org.uk', 'org_admin', { organisationId: org }),
    ];
    for (const u of allowed) expect((await exportFor(await signIn(h.app, u))).statusCode).toBe(200);
    for (const role of ['deputy_dsl', 'head', 'viewer'] as const) {
      const who = await signIn(h.app, await createUser(h.app, `${role}@oak.sch.uk`, role, { schoolId: oak }));
      const res = await exportFor(who);
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toContain('jo');
    }
    const missing = await h.app.inject({ method: 'GET', url: `/api/schools/${oak}/subject-access`, headers: dsl.get });
    expect(missing.statusCode).toBe(400);
  });

  it('the CLI writes the same export to a file only its owner can read, and audits it', async () => {
    const out = path.join(h.dataDir, 'sar.json');
    const env = { ...process.env, ...h.databaseEnv, VIGIL_DATA_DIR: h.dataDir, VIGIL_LOG_LEVEL: 'silent' };
    const { stderr } = await run(
      'node',
      [CLI, 'subject-access', '--school', oak, '--pupil', 'jo.bloggs', '--out', out],
      {
        env,
      },
    );
    expect(stderr).toContain('Wrote 2 captures and 1 devices');
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const body = JSON.parse(fs.readFileSync(out, 'utf8')) as Export;
    expect(body.captures.map((c) => c.id)).toContain(firstId);
    expect(body.captures[0]!.notes[0]!.note).toBe('Spoke to Jo with parent present');
    const cliRows = (await sqlGet(
      h.app,
      "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'subject_access.export' AND actor_label = 'cli'",
    )) as { n: number };
    expect(cliRows.n).toBe(1);
    await expect(
      run('node', [CLI, 'subject-access', '--school', 'nope', '--pupil', 'jo.bloggs'], { env }),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('No school with id nope') });
    await expect(run('node', [CLI, 'subject-access', '--school', oak], { env })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--pupil is required'),
    });
  });
});
