import fs from 'node:fs';
import sharp from 'sharp';
import { AGENT_API, CAPTURE_UPLOAD_LIMITS, type Policy } from '@vigil/shared';
import {
  sqlGet,
  captureMetadata,
  enrolDevice,
  multipart,
  startHarness,
  webpImage,
  type Harness,
} from '../../test-support/harness';

describe('agent API v1', () => {
  let h: Harness;
  let token: string;
  let otherToken: string;

  beforeAll(async () => {
    h = await startHarness();
    token = (await h.app.repos.schools.create('Oak Academy', new Date())).enrolmentToken;
    otherToken = (await h.app.repos.schools.create('Elm Primary', new Date())).enrolmentToken;
  });
  afterAll(() => h.close());

  const upload = async (auth: string, body: Awaited<ReturnType<typeof multipart>>) =>
    h.app.inject({
      method: 'POST',
      url: AGENT_API.captures,
      headers: { ...body.headers, authorization: auth },
      payload: body.payload,
    });

  const countCaptures = async () => ((await sqlGet(h.app, 'SELECT COUNT(*) AS n FROM captures')) as { n: number }).n;

  it('answers /health', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  describe('enrol', () => {
    it('refuses an unknown token with a clear code and creates no device', async () => {
      const before = await sqlGet(h.app, 'SELECT COUNT(*) AS n FROM devices');
      const res = await h.app.inject({
        method: 'POST',
        url: AGENT_API.enrol,
        payload: { token: 'enrol_not-a-real-token', hostname: 'x', os: 'linux', agentVersion: '0.1.0' },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'CONSOLE_ERR_ENROLMENT_TOKEN_INVALID' });
      expect(await sqlGet(h.app, 'SELECT COUNT(*) AS n FROM devices')).toEqual(before);
    });

    it('rejects a malformed request with 400', async () => {
      const res = await h.app.inject({ method: 'POST', url: AGENT_API.enrol, payload: { token } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'CONSOLE_ERR_VALIDATION' });
    });

    it('enrols a device into the school the token belongs to, keeping only a hash of its secret', async () => {
      const device = await enrolDevice(h.app, token);
      const stored = await h.app.repos.devices.byId(device.deviceId);
      expect(device.schoolName).toBe('Oak Academy');
      expect(stored?.schoolId).toBe(device.schoolId);
      expect(stored?.secretHash).not.toContain(device.deviceSecret);
    });
  });

  describe('captures', () => {
    it('stores a new capture with its screenshot and answers 201', async () => {
      const device = await enrolDevice(h.app, token);
      const meta = captureMetadata(device.deviceId);
      const res = await upload(
        device.auth,
        await multipart({
          metadata: JSON.stringify(meta),
          screenshot: await webpImage(),
          thumbnail: await webpImage(320, 200),
        }),
      );
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ id: meta.id, duplicate: false });
      const stored = (await h.app.repos.captures.byId(meta.id))!;
      expect(stored).toMatchObject({ schoolId: device.schoolId, context: meta.context, severity: 5 });
      const file = (h.app.blobs.localPath as (k: string) => string)(stored.screenshot.key);
      const info = await sharp(fs.readFileSync(file)).metadata();
      expect([info.format, info.width, info.height]).toEqual(['webp', 640, 400]);
    });

    it('stores a retried upload once and answers 200 duplicate', async () => {
      const device = await enrolDevice(h.app, token);
      const meta = captureMetadata(device.deviceId);
      const body = await multipart({ metadata: JSON.stringify(meta), screenshot: await webpImage() });
      expect((await upload(device.auth, body)).statusCode).toBe(201);
      const before = await countCaptures();
      const again = await upload(device.auth, body);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual({ id: meta.id, duplicate: true });
      expect(await countCaptures()).toBe(before);
    });

    it.each([
      ['no credentials', undefined],
      ['a wrong secret', 'wrong'],
      ['another scheme', 'bearer'],
    ])('refuses an upload with %s', async (_label, kind) => {
      const device = await enrolDevice(h.app, token);
      const body = await multipart({
        metadata: JSON.stringify(captureMetadata(device.deviceId)),
        screenshot: await webpImage(),
      });
      const auth =
        kind === undefined ? '' : kind === 'wrong' ? `Device ${device.deviceId}:nope` : `Bearer ${device.deviceSecret}`;
      const before = await countCaptures();
      const res = await upload(auth, body);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'CONSOLE_ERR_DEVICE_UNAUTHORISED' });
      expect(await countCaptures()).toBe(before);
    });

    it('stops a revoked device uploading', async () => {
      const device = await enrolDevice(h.app, token);
      await h.app.repos.devices.revoke(device.deviceId, new Date());
      const res = await upload(
        device.auth,
        await multipart({ metadata: JSON.stringify(captureMetadata(device.deviceId)), screenshot: await webpImage() }),
      );
      expect(res.statusCode).toBe(401);
    });

    it('refuses a capture that claims to come from another device', async () => {
      const a = await enrolDevice(h.app, token);
      const b = await enrolDevice(h.app, token);
      const res = await upload(
        a.auth,
        await multipart({ metadata: JSON.stringify(captureMetadata(b.deviceId)), screenshot: await webpImage() }),
      );
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'CONSOLE_ERR_DEVICE_MISMATCH' });
    });

    it("does not let another school's device overwrite or learn of a capture id", async () => {
      const a = await enrolDevice(h.app, token);
      const b = await enrolDevice(h.app, otherToken);
      const meta = captureMetadata(a.deviceId);
      await upload(a.auth, await multipart({ metadata: JSON.stringify(meta), screenshot: await webpImage() }));
      const res = await upload(
        b.auth,
        await multipart({ metadata: JSON.stringify({ ...meta, deviceId: b.deviceId }), screenshot: await webpImage() }),
      );
      expect(res.statusCode).toBe(409);
      expect((await h.app.repos.captures.byId(meta.id))?.schoolId).toBe(a.schoolId);
    });

    it.each([
      [
        'metadata that is not JSON',
        async (_id: string) => ({ metadata: '{nope', screenshot: await webpImage() }),
        'CONSOLE_ERR_BAD_MULTIPART',
      ],
      ['a missing metadata part', async () => ({ screenshot: await webpImage() }), 'CONSOLE_ERR_BAD_MULTIPART'],
      [
        'a missing screenshot',
        async (id: string) => ({ metadata: JSON.stringify(captureMetadata(id)) }),
        'CONSOLE_ERR_BAD_MULTIPART',
      ],
      [
        'an unknown source',
        async (id: string) => ({
          metadata: JSON.stringify({ ...captureMetadata(id), source: 'webcam' }),
          screenshot: await webpImage(),
        }),
        'CONSOLE_ERR_VALIDATION',
      ],
      [
        'a severity out of range',
        async (id: string) => ({
          metadata: JSON.stringify({ ...captureMetadata(id), severity: 9 }),
          screenshot: await webpImage(),
        }),
        'CONSOLE_ERR_VALIDATION',
      ],
      [
        'an id that is not a UUIDv7',
        async (id: string) => ({
          metadata: JSON.stringify({ ...captureMetadata(id), id: 'abc' }),
          screenshot: await webpImage(),
        }),
        'CONSOLE_ERR_VALIDATION',
      ],
      [
        'a match outside its context',
        async (id: string) => ({
          metadata: JSON.stringify({ ...captureMetadata(id), context: 'short' }),
          screenshot: await webpImage(),
        }),
        'CONSOLE_ERR_VALIDATION',
      ],
      [
        'a screenshot that is not an image',
        async (id: string) => ({
          metadata: JSON.stringify(captureMetadata(id)),
          screenshot: Buffer.from('<html>not an image</html>'),
        }),
        'CONSOLE_ERR_BAD_IMAGE',
      ],
      [
        'a truncated image',
        async (id: string) => ({
          metadata: JSON.stringify(captureMetadata(id)),
          screenshot: (
            await sharp({ create: { width: 800, height: 600, channels: 3, background: 'white' } })
              .png()
              .toBuffer()
          ).subarray(0, 200),
        }),
        'CONSOLE_ERR_BAD_IMAGE',
      ],
      [
        'an unexpected field',
        async (id: string) => ({
          metadata: JSON.stringify(captureMetadata(id)),
          screenshot: await webpImage(),
          extra: { note: 'x' },
        }),
        'CONSOLE_ERR_BAD_MULTIPART',
      ],
    ])('answers 400 to %s and stores nothing', async (_label, make, code) => {
      const device = await enrolDevice(h.app, token);
      const before = await countCaptures();
      const blobsBefore = fs.readdirSync(h.dataDir, { recursive: true }).length;
      const res = await upload(device.auth, await multipart(await make(device.deviceId)));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code });
      expect(res.json<{ message: string }>().message.length).toBeGreaterThan(5);
      expect(await countCaptures()).toBe(before);
      expect(fs.readdirSync(h.dataDir, { recursive: true }).length).toBe(blobsBefore);
    });

    it('answers 413 to an oversized screenshot and stores nothing', async () => {
      const device = await enrolDevice(h.app, token);
      const before = await countCaptures();
      const huge = Buffer.alloc(CAPTURE_UPLOAD_LIMITS.maxScreenshotBytes + 1024, 1);
      const res = await upload(
        device.auth,
        await multipart({ metadata: JSON.stringify(captureMetadata(device.deviceId)), screenshot: huge }),
      );
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 'CONSOLE_ERR_PAYLOAD_TOO_LARGE' });
      expect(await countCaptures()).toBe(before);
    });

    it('answers 415 to a JSON upload', async () => {
      const device = await enrolDevice(h.app, token);
      const res = await h.app.inject({
        method: 'POST',
        url: AGENT_API.captures,
        headers: { authorization: device.auth },
        payload: captureMetadata(device.deviceId),
      });
      expect(res.statusCode).toBe(415);
    });
  });

  describe('heartbeat', () => {
    it("records the device's health", async () => {
      const device = await enrolDevice(h.app, token);
      const res = await h.app.inject({
        method: 'POST',
        url: AGENT_API.heartbeat,
        headers: { authorization: device.auth },
        payload: {
          agentVersion: '0.2.0',
          policyVersion: 'starter-1',
          queueDepth: 3,
          user: 'pupil01',
          lastCaptureAt: null,
          sentAt: new Date().toISOString(),
        },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        policyVersion: (await h.app.policies.served(device.schoolId)).policy.version,
      });
      expect(await h.app.repos.devices.byId(device.deviceId)).toMatchObject({
        agentVersion: '0.2.0',
        queueDepth: 3,
        lastUser: 'pupil01',
      });
    });

    it('rejects a negative queue depth', async () => {
      const device = await enrolDevice(h.app, token);
      const res = await h.app.inject({
        method: 'POST',
        url: AGENT_API.heartbeat,
        headers: { authorization: device.auth },
        payload: {
          agentVersion: '0.2.0',
          policyVersion: 'x',
          queueDepth: -1,
          user: 'u',
          lastCaptureAt: null,
          sentAt: new Date().toISOString(),
        },
      });
      expect(res.statusCode).toBe(400);
    });
  });

  describe('policy', () => {
    it('serves the compiled lists with an ETag and answers 304 when unchanged', async () => {
      const device = await enrolDevice(h.app, token);
      const res = await h.app.inject({ method: 'GET', url: AGENT_API.policy, headers: { authorization: device.auth } });
      expect(res.statusCode).toBe(200);
      const policy = res.json<Policy>();
      // Vigil's curated lists, with the Scunthorpe exclusions that go with them.
      expect(policy.keywords.length).toBeGreaterThan(2500);
      expect(policy.keywords).toContainEqual(expect.objectContaining({ phrase: 'kill myself', severity: 5 }));
      expect(policy.exclusions).toContain('scunthorpe');
      const etag = res.headers.etag as string;
      expect(etag).toMatch(/^".+"$/);
      const again = await h.app.inject({
        method: 'GET',
        url: AGENT_API.policy,
        headers: { authorization: device.auth, 'if-none-match': etag },
      });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    });

    it('is only for enrolled devices', async () => {
      const res = await h.app.inject({ method: 'GET', url: AGENT_API.policy });
      expect(res.statusCode).toBe(401);
    });
  });
});
