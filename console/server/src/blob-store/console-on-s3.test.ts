import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { AGENT_API, type CaptureMetadata } from '@vigil/shared';
import { buildApp } from '../app';
import type { Clock } from '../clock';
import { ConfigError, loadConfig } from '../config';
import { purgeExpiredCaptures } from '../services/retention.service';
import {
  captureMetadata,
  createUser,
  enrolDevice,
  multipart,
  signIn,
  sqlGet,
  startHarness,
  webpImage,
  type Harness,
  type SignedIn,
} from '../test-support/harness';
import { startTestS3, type TestS3 } from '../test-support/s3-server';
import { S3BlobStore } from './s3-blob-store';

const run = promisify(execFile);
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
const DAY = 86_400_000;

// The CLI cases start node processes (about a second each on a loaded machine): a hang guard.
jest.setTimeout(60_000);

/** The whole console on an S3 bucket: agents' uploads, the DSL's views and exports, the purge, the CLI. */
describe('the console with screenshots on S3', () => {
  let s3: TestS3;
  let h: Harness;
  let schoolId: string;
  let dsl: SignedIn;
  let otherDsl: SignedIn;
  let device: Awaited<ReturnType<typeof enrolDevice>>;
  const PREFIX = 'console-1';

  beforeAll(async () => {
    s3 = await startTestS3();
    // Two attempts of at most 2 s each: the outage cases below stay short.
    h = await startHarness({
      ...s3.env({ VIGIL_S3_PREFIX: PREFIX, VIGIL_S3_MAX_ATTEMPTS: '2', VIGIL_S3_TIMEOUT_SECONDS: '2' }),
      VIGIL_LOGIN_RATE_PER_MINUTE: '1000',
    });
    const school = await h.app.repos.schools.create('Oak Academy', new Date());
    const other = await h.app.repos.schools.create('Elm Primary', new Date());
    schoolId = school.id;
    dsl = await signIn(h.app, await createUser(h.app, 'dsl@oak.sch.uk', 'dsl', { schoolId }));
    otherDsl = await signIn(h.app, await createUser(h.app, 'dsl@elm.sch.uk', 'dsl', { schoolId: other.id }));
    device = await enrolDevice(h.app, school.enrolmentToken);
  });
  afterAll(async () => {
    await h.close();
    await s3.stop();
  });

  interface Sent {
    meta: CaptureMetadata;
    screenshot: Buffer;
    thumbnail: Buffer;
  }

  /** An upload through the real ingest route, as the agent makes it. */
  /** The agent's upload of this capture (again, for a retry). */
  const send = async (sent: Sent) => {
    const body = await multipart({
      metadata: JSON.stringify(sent.meta),
      screenshot: sent.screenshot,
      thumbnail: sent.thumbnail,
    });
    return h.app.inject({
      method: 'POST',
      url: AGENT_API.captures,
      headers: { ...body.headers, authorization: device.auth },
      payload: body.payload,
    });
  };
  const upload = async (overrides: Partial<CaptureMetadata> = {}, size = 640) => {
    const sent: Sent = {
      meta: captureMetadata(device.deviceId, overrides),
      screenshot: await webpImage(size, 400),
      thumbnail: await webpImage(320, 200),
    };
    return { res: await send(sent), sent };
  };
  const objectKeys = (meta: CaptureMetadata) => {
    const month = meta.capturedAt.slice(0, 7).replace('-', '/');
    const base = `${PREFIX}/schools/${schoolId}/captures/${month}/${meta.id}`;
    return { screenshot: `${base}.webp`, thumbnail: `${base}.thumb.webp` };
  };
  const captureRows = async () => (await sqlGet<{ n: number }>(h.app, 'SELECT COUNT(*) AS n FROM captures'))!.n;

  it('runs on the S3 store, with nothing on disk', () => {
    expect(h.app.blobs).toBeInstanceOf(S3BlobStore);
    expect(h.app.blobs.localPath).toBeUndefined();
  });

  it("stores an agent's capture as objects in the bucket, read back with another client", async () => {
    const { res, sent } = await upload({ capturedAt: '2026-11-20T10:15:00.000Z' }, 700);
    expect(res.statusCode).toBe(201);
    const keys = objectKeys(sent.meta);
    expect(await s3.keys(`${PREFIX}/schools/${schoolId}/captures/2026/11/${sent.meta.id}`)).toEqual([
      keys.thumbnail,
      keys.screenshot,
    ]);
    expect((await s3.read(keys.screenshot))?.equals(sent.screenshot)).toBe(true);
    expect((await s3.read(keys.thumbnail))?.equals(sent.thumbnail)).toBe(true);
    expect(fs.existsSync(path.join(h.dataDir, 'blobs'))).toBe(false);
  });

  it('serves the screenshot and thumbnail from the bucket to an authorised user only', async () => {
    const { sent } = await upload();
    const base = `/api/captures/${sent.meta.id}`;
    const shot = await h.app.inject({ method: 'GET', url: `${base}/screenshot`, headers: dsl.get });
    expect(shot.statusCode).toBe(200);
    expect(shot.headers['content-type']).toBe('image/webp');
    expect(shot.headers['cache-control']).toBe('private, no-store');
    expect(shot.rawPayload.equals(sent.screenshot)).toBe(true);
    const thumb = await h.app.inject({ method: 'GET', url: `${base}/thumbnail`, headers: dsl.get });
    expect(thumb.statusCode).toBe(200);
    expect(thumb.rawPayload.equals(sent.thumbnail)).toBe(true);

    expect((await h.app.inject({ method: 'GET', url: `${base}/screenshot`, headers: otherDsl.get })).statusCode).toBe(
      404,
    );
    expect((await h.app.inject({ method: 'GET', url: `${base}/screenshot` })).statusCode).toBe(401);
  });

  it('exports a PDF incident report with the screenshot from the bucket, and the CSV', async () => {
    const { sent } = await upload({}, 900);
    const pdf = await h.app.inject({
      method: 'GET',
      url: `/api/captures/${sent.meta.id}/report.pdf`,
      headers: dsl.get,
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 4).toString()).toBe('%PDF');
    const file = path.join(h.dataDir, 'report.pdf');
    fs.writeFileSync(file, pdf.rawPayload);
    // poppler lists the images in the PDF: the 900 × 400 screenshot is one of them.
    const { stdout } = await run('pdfimages', ['-list', file]);
    expect(stdout).toMatch(/^\s*\d+\s+\d+\s+image\s+900\s+400\s/m);

    const csv = await h.app.inject({ method: 'GET', url: '/api/captures/export.csv', headers: dsl.get });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(sent.meta.id);
  });

  it('gives the pupil’s screenshots from the bucket in a subject access export', async () => {
    const pupil = 'pupil-sar-7';
    const { sent } = await upload({ user: pupil });
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/schools/${schoolId}/subject-access?pupil=${pupil}`,
      headers: dsl.get,
    });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ captures: { id: string; screenshot: { base64: string } }[] }>();
    const one = doc.captures.find((c) => c.id === sent.meta.id)!;
    expect(Buffer.from(one.screenshot.base64, 'base64').equals(sent.screenshot)).toBe(true);
  });

  describe('when the bucket cannot be reached during an ingest', () => {
    afterEach(async () => {
      s3.failPuts(null);
      await s3.comeBack();
    });

    it('answers 503 so the agent retries, keeps no capture row, and stores it on the retry', async () => {
      const before = await captureRows();
      await s3.goDown();
      const { res, sent } = await upload();
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        code: 'CONSOLE_ERR_STORAGE_UNAVAILABLE',
        message: expect.stringMatching(/try again later/),
      });
      expect(await h.app.repos.captures.byId(sent.meta.id)).toBeUndefined();
      expect(await captureRows()).toBe(before);

      await s3.comeBack();
      const retry = await send(sent);
      expect(retry.statusCode).toBe(201);
      expect((await s3.read(objectKeys(sent.meta).screenshot))?.equals(sent.screenshot)).toBe(true);
    });

    it('keeps no row when the store refuses the screenshot but not the thumbnail', async () => {
      const before = await captureRows();
      s3.failPuts(/\/captures\/\d{4}\/\d{2}\/[0-9a-f-]+\.webp(\?|$)/);
      const { res, sent } = await upload();
      expect(res.statusCode).toBe(503);
      expect(await h.app.repos.captures.byId(sent.meta.id)).toBeUndefined();
      expect(await captureRows()).toBe(before);
      expect(await s3.read(objectKeys(sent.meta).screenshot)).toBeUndefined();
      expect(s3.refused).toContainEqual(
        expect.objectContaining({ code: 'InternalError', path: expect.stringContaining(`${sent.meta.id}.webp`) }),
      );
    });

    it('answers 503, not a broken image, when a DSL opens a screenshot meanwhile', async () => {
      const { sent } = await upload();
      await s3.goDown();
      const res = await h.app.inject({
        method: 'GET',
        url: `/api/captures/${sent.meta.id}/screenshot`,
        headers: dsl.get,
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'CONSOLE_ERR_STORAGE_UNAVAILABLE' });
    });
  });

  it('the retention purge deletes expired captures’ objects from the bucket and keeps the rest', async () => {
    const now = new Date();
    const fixed: Clock = { now: () => now };
    const expired = (await upload({ capturedAt: new Date(now.getTime() - 100 * DAY).toISOString() })).sent.meta;
    const kept = (await upload({ capturedAt: new Date(now.getTime() - 10 * DAY).toISOString() })).sent.meta;
    expect(await s3.read(objectKeys(expired).screenshot)).toBeDefined();

    const result = await purgeExpiredCaptures(h.app.repos, h.app.blobs, fixed, { schoolId });
    expect(result.schools[0]?.captureIds).toContain(expired.id);
    expect(result.schools[0]?.captureIds).not.toContain(kept.id);
    expect(await s3.read(objectKeys(expired).screenshot)).toBeUndefined();
    expect(await s3.read(objectKeys(expired).thumbnail)).toBeUndefined();
    expect(await h.app.repos.captures.byId(expired.id)).toBeUndefined();
    expect(await s3.read(objectKeys(kept).screenshot)).toBeDefined();
  });

  it('a purge that finds the bucket out of reach keeps the rows, so the next purge deletes them', async () => {
    const now = new Date();
    const fixed: Clock = { now: () => now };
    const expired = (await upload({ capturedAt: new Date(now.getTime() - 120 * DAY).toISOString() })).sent.meta;
    await s3.goDown();
    try {
      await expect(purgeExpiredCaptures(h.app.repos, h.app.blobs, fixed, { schoolId })).rejects.toThrow(
        /could not delete every screenshot.*1 captures of school .* are kept for the next purge/,
      );
      expect(await h.app.repos.captures.byId(expired.id)).toBeDefined();
    } finally {
      await s3.comeBack();
    }
    expect(await s3.read(objectKeys(expired).screenshot)).toBeDefined();
    await purgeExpiredCaptures(h.app.repos, h.app.blobs, fixed, { schoolId });
    expect(await h.app.repos.captures.byId(expired.id)).toBeUndefined();
    expect(await s3.read(objectKeys(expired).screenshot)).toBeUndefined();
  });

  describe('the CLI on S3 (built dist/cli.js, own process)', () => {
    const cli = (...args: string[]) =>
      run('node', [CLI, ...args], {
        env: { ...process.env, VIGIL_DATA_DIR: h.dataDir, ...s3.env({ VIGIL_S3_PREFIX: PREFIX }) },
      });

    it('export-captures fetches every screenshot into a private folder', async () => {
      const { sent } = await upload({ user: 'pupil-export' });
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-s3-export-')), 'out');
      try {
        const { stdout, stderr } = await cli('export-captures', '--school', schoolId, '--out', out, '--json');
        const rows = JSON.parse(stdout) as { id: string; screenshotPath: string; thumbnailPath: string }[];
        const row = rows.find((r) => r.id === sent.meta.id)!;
        expect(row.screenshotPath).toBe(path.join(out, `${sent.meta.id}.webp`));
        expect(fs.readFileSync(row.screenshotPath).equals(sent.screenshot)).toBe(true);
        expect(fs.readFileSync(row.thumbnailPath).equals(sent.thumbnail)).toBe(true);
        expect(fs.statSync(row.screenshotPath).mode & 0o777).toBe(0o600);
        expect(fs.statSync(out).mode & 0o777).toBe(0o700);
        expect(stderr).toContain(out);
        expect((await sharp(row.screenshotPath).metadata()).format).toBe('webp');
      } finally {
        fs.rmSync(path.dirname(out), { recursive: true, force: true });
      }
    });

    it('subject-access writes the pupil’s screenshots fetched from the bucket', async () => {
      const { sent } = await upload({ user: 'pupil-cli-sar' });
      const out = path.join(h.dataDir, 'sar.json');
      await cli('subject-access', '--school', schoolId, '--pupil', 'pupil-cli-sar', '--out', out);
      const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as {
        captures: { id: string; screenshot: { base64: string }; thumbnail: { base64: string } }[];
      };
      expect(doc.captures.map((c) => c.id)).toEqual([sent.meta.id]);
      expect(Buffer.from(doc.captures[0]!.screenshot.base64, 'base64').equals(sent.screenshot)).toBe(true);
      expect(Buffer.from(doc.captures[0]!.thumbnail.base64, 'base64').equals(sent.thumbnail)).toBe(true);
    });

    it('purge deletes the objects of expired captures', async () => {
      const expired = (await upload({ capturedAt: new Date(Date.now() - 200 * DAY).toISOString() })).sent.meta;
      const done = JSON.parse((await cli('purge', '--school', schoolId, '--json')).stdout) as { deleted: number };
      expect(done.deleted).toBe(1);
      expect(await s3.read(objectKeys(expired).screenshot)).toBeUndefined();
      expect(await s3.read(objectKeys(expired).thumbnail)).toBeUndefined();
    });

    it('a command refuses to run with wrong credentials, saying which bucket', async () => {
      const err = (await run('node', [CLI, 'export-captures', '--school', schoolId, '--json'], {
        env: {
          ...process.env,
          VIGIL_DATA_DIR: h.dataDir,
          ...s3.env({ VIGIL_S3_SECRET_ACCESS_KEY: 'wrong-secret' }),
        },
      }).catch((e: unknown) => e)) as { code: number; stderr: string; stdout: string };
      expect(err.code).toBe(2);
      expect(err.stderr).toContain(`bucket "${s3.bucket}" at ${s3.endpoint} is not usable: access denied`);
      expect(err.stderr).not.toContain('wrong-secret');
      expect(err.stdout).toBe('');
    });
  });
});

describe('starting the console on S3', () => {
  let s3: TestS3;
  let dataDir: string;
  beforeAll(async () => {
    s3 = await startTestS3();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-s3-start-'));
  });
  afterAll(async () => {
    await s3.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails with a clear error naming endpoint and bucket, without the secret, on wrong credentials', async () => {
    const config = loadConfig({
      VIGIL_DATA_DIR: dataDir,
      VIGIL_LOG_LEVEL: 'silent',
      ...s3.env({ VIGIL_S3_SECRET_ACCESS_KEY: 'not-the-right-one' }),
    });
    const err = (await buildApp(config).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      `Screenshot storage: the S3 bucket "${s3.bucket}" at ${s3.endpoint} is not usable: access denied (HTTP 403): ` +
        "check VIGIL_S3_ACCESS_KEY_ID and VIGIL_S3_SECRET_ACCESS_KEY (or the AWS credentials in use) and the bucket's policy",
    );
  });

  it('fails when the bucket is not there', async () => {
    const config = loadConfig({
      VIGIL_DATA_DIR: dataDir,
      VIGIL_LOG_LEVEL: 'silent',
      ...s3.env({ VIGIL_S3_BUCKET: 'vigil-typo' }),
    });
    await expect(buildApp(config)).rejects.toThrow(/bucket "vigil-typo" at .* no such bucket/);
  });
});
