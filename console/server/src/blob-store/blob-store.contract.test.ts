import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { BlobStore } from './blob-store';
import { DiskBlobStore } from './disk-blob-store';
import { S3BlobStore } from './s3-blob-store';
import { s3ConfigFrom } from './s3-config';
import { startTestS3, type TestS3 } from '../test-support/s3-server';

/** One adapter under test: the store, and a reader that does not go through it (files, or another S3 client). */
interface Subject {
  store: BlobStore;
  /** The bytes as stored, read without the store; undefined when absent. */
  readBehind(key: string): Promise<Buffer | undefined>;
  /** Everything stored, as the store's keys. */
  everything(): Promise<string[]>;
  close(): Promise<void>;
}

const diskSubject = async (): Promise<Subject> => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-blobs-'));
  return {
    store: new DiskBlobStore(root),
    readBehind: async (key) => fs.promises.readFile(path.join(root, ...key.split('/'))).catch(() => undefined),
    everything: async () =>
      (fs.readdirSync(root, { recursive: true }) as string[])
        .filter((f) => fs.statSync(path.join(root, f)).isFile())
        .map((f) => f.split(path.sep).join('/'))
        .sort(),
    close: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
};

const s3Subject = (prefix: string) => async (): Promise<Subject> => {
  const s3: TestS3 = await startTestS3();
  const store = new S3BlobStore(s3ConfigFrom(s3.env({ VIGIL_S3_PREFIX: prefix }))!);
  await store.checkReachable();
  const full = prefix ? `${prefix.replace(/\/$/, '')}/` : '';
  return {
    store,
    readBehind: (key) => s3.read(`${full}${key}`),
    everything: async () => (await s3.keys()).map((k) => k.slice(full.length)),
    close: async () => {
      await store.close();
      await s3.stop();
    },
  };
};

const pngImage = (): Promise<Buffer> =>
  sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 200, g: 30, b: 60, alpha: 0.5 } } })
    .png()
    .toBuffer();
const webpImage = (): Promise<Buffer> =>
  sharp({ create: { width: 1366, height: 768, channels: 3, background: { r: 30, g: 90, b: 160 } } })
    .composite([
      { input: Buffer.alloc(200 * 100 * 3, 255), raw: { width: 200, height: 100, channels: 3 }, left: 40, top: 60 },
    ])
    .webp()
    .toBuffer();

describe.each([
  ['disk', diskSubject],
  ['S3 (s3rver)', s3Subject('')],
  ['S3 with a key prefix', s3Subject('vigil/console-1/')],
])('blob store contract: %s', (_name, make) => {
  let s: Subject;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.close());

  const key = (name: string) => `schools/sch_1/captures/2026/11/${name}`;

  it('gives back what was put, byte for byte, for a real WebP and PNG and every byte value', async () => {
    const webp = await webpImage();
    const png = await pngImage();
    const everyByte = Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => i % 256));
    await s.store.put(key('a.webp'), webp);
    await s.store.put(key('a.thumb.png'), png);
    await s.store.put(key('bytes.bin'), everyByte);
    expect((await s.store.get(key('a.webp')))?.equals(webp)).toBe(true);
    expect((await s.store.get(key('a.thumb.png')))?.equals(png)).toBe(true);
    expect((await s.store.get(key('bytes.bin')))?.equals(everyByte)).toBe(true);
    const meta = await sharp((await s.store.get(key('a.webp')))!).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 1366, 768]);
  });

  it('has stored the bytes by the time put resolves (read without the store)', async () => {
    const png = await pngImage();
    await s.store.put(key('durable.png'), png);
    expect((await s.readBehind(key('durable.png')))?.equals(png)).toBe(true);
  });

  it('replaces a blob put again under the same key', async () => {
    await s.store.put(key('replace.webp'), Buffer.from('first version'));
    await s.store.put(key('replace.webp'), Buffer.from('second'));
    expect((await s.store.get(key('replace.webp')))?.toString()).toBe('second');
    expect((await s.readBehind(key('replace.webp')))?.toString()).toBe('second');
  });

  it('answers undefined for a key never stored', async () => {
    expect(await s.store.get(key('never.webp'))).toBeUndefined();
  });

  it('deletes a blob, and deleting a missing one is fine', async () => {
    await s.store.put(key('gone.webp'), Buffer.from('x'));
    await s.store.delete(key('gone.webp'));
    expect(await s.store.get(key('gone.webp'))).toBeUndefined();
    expect(await s.readBehind(key('gone.webp'))).toBeUndefined();
    await expect(s.store.delete(key('gone.webp'))).resolves.toBeUndefined();
    await expect(s.store.delete(key('never-was.webp'))).resolves.toBeUndefined();
  });

  it('deletes many blobs at once (missing ones too) and keeps the others', async () => {
    const many = Array.from({ length: 25 }, (_, i) => key(`many-${i}.webp`));
    for (const k of many) await s.store.put(k, Buffer.from(k));
    await s.store.put(key('stays.webp'), Buffer.from('stays'));
    await expect(s.store.deleteMany([...many, key('never-was-either.webp')])).resolves.toEqual([]);
    for (const k of many) expect(await s.readBehind(k)).toBeUndefined();
    expect((await s.store.get(key('stays.webp')))?.toString()).toBe('stays');
    await expect(s.store.deleteMany([])).resolves.toEqual([]);
    // A bad key among them: nothing is deleted.
    await expect(s.store.deleteMany([key('stays.webp'), 'schools/../x'])).rejects.toThrow(/invalid blob key/);
    expect((await s.readBehind(key('stays.webp')))?.toString()).toBe('stays');
  });

  it('stores an empty blob and a 5 MB one', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) % 251;
    await s.store.put(key('empty.bin'), Buffer.alloc(0));
    await s.store.put(key('big.bin'), big);
    expect((await s.store.get(key('empty.bin')))?.length).toBe(0);
    expect((await s.store.get(key('big.bin')))?.equals(big)).toBe(true);
  });

  it.each([
    ['a parent segment', 'schools/../secret.webp'],
    ['a leading parent', '../outside.webp'],
    ['an absolute path', '/etc/passwd'],
    ['an empty segment', 'schools//a.webp'],
    ['a dot segment', 'schools/./a.webp'],
    ['a space', 'schools/a b.webp'],
    ['a backslash', 'schools\\a.webp'],
    ['a trailing slash', 'schools/'],
    ['nothing', ''],
  ])('refuses a key with %s and stores nothing', async (_label, bad) => {
    const before = await s.everything();
    await expect(s.store.put(bad, Buffer.from('x'))).rejects.toThrow(/invalid blob key/);
    await expect(s.store.get(bad)).rejects.toThrow(/invalid blob key/);
    await expect(s.store.delete(bad)).rejects.toThrow(/invalid blob key/);
    expect(await s.everything()).toEqual(before);
  });

  it('keeps keys apart: one key is never another', async () => {
    await s.store.put(key('x.webp'), Buffer.from('x'));
    await s.store.put(key('x.webp.thumb'), Buffer.from('y'));
    await s.store.put('schools/sch_2/captures/2026/11/x.webp', Buffer.from('z'));
    expect((await s.store.get(key('x.webp')))?.toString()).toBe('x');
    expect((await s.store.get(key('x.webp.thumb')))?.toString()).toBe('y');
    expect((await s.store.get('schools/sch_2/captures/2026/11/x.webp'))?.toString()).toBe('z');
    expect(await s.everything()).toEqual(
      expect.arrayContaining([key('x.webp'), 'schools/sch_2/captures/2026/11/x.webp']),
    );
  });
});
