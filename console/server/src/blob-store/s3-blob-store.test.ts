import net from 'node:net';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { ConfigError } from '../config';
import { BlobStoreUnavailableError } from './blob-store';
import { openBlobStore } from './open-blob-store';
import { S3BlobStore } from './s3-blob-store';
import { s3ConfigFrom } from './s3-config';
import { startTestS3, type TestS3 } from '../test-support/s3-server';
import { loadConfig } from '../config';

describe('S3BlobStore on a real S3 protocol server', () => {
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startTestS3();
  });
  afterAll(() => s3.stop());

  const storeWith = (env: Record<string, string> = {}, log?: { error: jest.Mock }) =>
    new S3BlobStore(s3ConfigFrom(s3.env(env))!, log);

  it('stores objects under the key prefix, typed by their format', async () => {
    const store = storeWith({ VIGIL_S3_PREFIX: 'trust-7/' });
    await store.put('schools/s1/captures/2026/11/c1.webp', Buffer.from('RIFF....WEBP'));
    await store.put('schools/s1/captures/2026/11/c1.thumb.png', Buffer.from('png'));
    expect(await s3.keys('trust-7/')).toEqual([
      'trust-7/schools/s1/captures/2026/11/c1.thumb.png',
      'trust-7/schools/s1/captures/2026/11/c1.webp',
    ]);
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: s3.bucket, Key: 'trust-7/schools/s1/captures/2026/11/c1.webp' }),
    );
    expect(head.ContentType).toBe('image/webp');
    await store.close();
  });

  it('deletes 1,001 objects in two DeleteObjects requests that carry Content-MD5, under the prefix only', async () => {
    const store = storeWith({ VIGIL_S3_PREFIX: 'purge-test/' });
    const keys = Array.from({ length: 1001 }, (_, i) => `schools/s1/captures/2026/11/p${i}.webp`);
    // Written straight to the bucket, 20 at a time (through the store would only be slower).
    for (let at = 0; at < keys.length; at += 20) {
      await Promise.all(keys.slice(at, at + 20).map((k) => s3.write(`purge-test/${k}`, Buffer.from('x'))));
    }
    await s3.write('schools/s1/captures/2026/11/p0.webp', Buffer.from('no prefix: not the store’s'));
    await s3.write('purge-test/schools/s1/captures/2026/11/kept.webp', Buffer.from('kept'));
    const before = s3.passed.length;
    const refusedBefore = s3.refused.length;
    await expect(store.deleteMany(keys)).resolves.toEqual([]);
    const deletes = s3.passed.slice(before).filter((r) => r.method === 'POST' && /[?&]delete/.test(r.path));
    expect(deletes).toHaveLength(2);
    expect(s3.refused.length).toBe(refusedBefore);
    expect(await s3.keys('purge-test/')).toEqual(['purge-test/schools/s1/captures/2026/11/kept.webp']);
    expect(await s3.keys('schools/')).toEqual(['schools/s1/captures/2026/11/p0.webp']);
    await store.close();
  });

  describe('the start-up check', () => {
    it('passes with the right credentials and bucket', async () => {
      const config = loadConfig({ VIGIL_DATA_DIR: '/nonexistent', ...s3.env() });
      const store = await openBlobStore(config);
      expect(store).toBeInstanceOf(S3BlobStore);
      await store.close?.();
    });

    it.each([
      ['a wrong secret key', { VIGIL_S3_SECRET_ACCESS_KEY: 'not-the-secret' }, 'SignatureDoesNotMatch'],
      ['an unknown access key', { VIGIL_S3_ACCESS_KEY_ID: 'AKIAWRONG' }, 'InvalidAccessKeyId'],
    ])('fails with %s, naming endpoint and bucket but no secret', async (_label, env, refusal) => {
      const refusedBefore = s3.refused.length;
      const config = loadConfig({ VIGIL_DATA_DIR: '/nonexistent', ...s3.env(env) });
      const err = (await openBlobStore(config).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toContain(`bucket "${s3.bucket}"`);
      expect(err.message).toContain(s3.endpoint);
      expect(err.message).toMatch(/access denied \(HTTP 403\)/);
      expect(err.message).not.toContain(s3.secretAccessKey);
      expect(err.message).not.toContain('not-the-secret');
      expect(s3.refused.slice(refusedBefore).map((r) => r.code)).toContain(refusal);
    });

    it('fails when the bucket does not exist', async () => {
      const config = loadConfig({ VIGIL_DATA_DIR: '/nonexistent', ...s3.env({ VIGIL_S3_BUCKET: 'no-such-bucket' }) });
      await expect(openBlobStore(config)).rejects.toThrow(
        `the S3 bucket "no-such-bucket" at ${s3.endpoint} is not usable: no such bucket (HTTP 404)`,
      );
    });

    it('fails when nothing answers at the endpoint', async () => {
      const closed = await new Promise<number>((resolve) => {
        const server = net.createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as net.AddressInfo;
          server.close(() => resolve(port));
        });
      });
      const config = loadConfig({
        VIGIL_DATA_DIR: '/nonexistent',
        ...s3.env({ VIGIL_S3_ENDPOINT: `http://127.0.0.1:${closed}`, VIGIL_S3_MAX_ATTEMPTS: '1' }),
      });
      await expect(openBlobStore(config)).rejects.toThrow(
        new RegExp(`at http://127\\.0\\.0\\.1:${closed} is not usable: could not connect \\(ECONNREFUSED\\)`),
      );
    });
  });

  describe('when the store goes out of reach', () => {
    afterEach(() => s3.comeBack());

    it('rejects put, get and delete with a 503 error, logs ids and status only, and works again after', async () => {
      const log = { error: jest.fn() };
      const store = storeWith({ VIGIL_S3_MAX_ATTEMPTS: '2', VIGIL_S3_TIMEOUT_SECONDS: '2' }, log);
      const key = 'schools/s1/captures/2026/11/outage.webp';
      await store.put(key, Buffer.from('before'));
      await s3.goDown();
      const secretPixels = Buffer.from('PIXELS-OF-A-PUPILS-SCREEN');
      const failure = await store.put(key, secretPixels).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(BlobStoreUnavailableError);
      expect(failure).toMatchObject({ statusCode: 503, code: 'CONSOLE_ERR_STORAGE_UNAVAILABLE' });
      await expect(store.get(key)).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(store.deleteMany([key])).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      expect(log.error).toHaveBeenCalledTimes(4);
      expect(log.error.mock.calls[0]).toEqual([
        { blobStore: 's3', op: 'put', key, err: expect.objectContaining({ name: expect.any(String) }) },
        'blob store operation failed',
      ]);
      const logged = JSON.stringify(log.error.mock.calls);
      expect(logged).not.toContain('PIXELS');
      expect(logged).not.toContain(secretPixels.toString('base64'));
      expect(logged).not.toContain(s3.secretAccessKey);

      await s3.comeBack();
      expect((await store.get(key))?.toString()).toBe('before');
      await store.put(key, Buffer.from('after'));
      expect((await s3.read(key))?.toString()).toBe('after');
      await store.close();
    });
  });
});
