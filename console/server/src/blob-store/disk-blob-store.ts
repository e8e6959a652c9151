import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { assertValidKey, type BlobStore } from './blob-store';

/**
 * Blobs as files under one folder; each write goes to a temp file, is fsynced, then renamed into
 * place. Folders this store has made are not made again (each step is a trip to the thread pool,
 * and every capture writes two blobs).
 */
export class DiskBlobStore implements BlobStore {
  private readonly folders = new Set<string>();
  private tmpCounter = 0;
  private readonly tmpPrefix = randomBytes(4).toString('hex');

  constructor(private readonly root: string) {}

  localPath(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const file = this.localPath(key);
    const folder = path.dirname(file);
    if (!this.folders.has(folder)) {
      await fs.mkdir(folder, { recursive: true });
      this.folders.add(folder);
    }
    const tmp = `${file}.${this.tmpPrefix}${(this.tmpCounter++).toString(36)}.tmp`;
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(tmp, 'w', 0o640);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // The folder went away since (removed by hand): make it again.
      await fs.mkdir(folder, { recursive: true });
      handle = await fs.open(tmp, 'w', 0o640);
    }
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.localPath(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.localPath(key), { force: true });
  }

  async deleteMany(keys: readonly string[]): Promise<string[]> {
    for (const key of keys) assertValidKey(key);
    for (const key of keys) await this.delete(key);
    return [];
  }
}
