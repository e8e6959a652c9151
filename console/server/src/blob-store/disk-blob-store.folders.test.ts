import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiskBlobStore } from './disk-blob-store';

describe('disk blob store folders', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-blobs-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes into a folder it made before, and makes it again if it was removed meanwhile', async () => {
    const store = new DiskBlobStore(dir);
    await store.put('schools/s1/captures/2026/11/a.webp', Buffer.from('first'));
    await store.put('schools/s1/captures/2026/11/b.webp', Buffer.from('second'));
    fs.rmSync(path.join(dir, 'schools'), { recursive: true });
    await store.put('schools/s1/captures/2026/11/c.webp', Buffer.from('third'));
    expect((await store.get('schools/s1/captures/2026/11/c.webp'))?.toString()).toBe('third');
    expect(await store.get('schools/s1/captures/2026/11/a.webp')).toBeUndefined();
    // Temp files are renamed into place, none left behind.
    expect(fs.readdirSync(path.join(dir, 'schools/s1/captures/2026/11'))).toEqual(['c.webp']);
  });
});
