import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BlobStore } from './blob-store';

/**
 * Where `export-captures` puts screenshots as files: the store's own files when it has them and no
 * `out` is asked for (disk), otherwise copies fetched with `get` into `out` (made 0700 if missing)
 * or a new private temp folder (S3 has no local files).
 */
export class BlobFileExport {
  private constructor(
    private readonly blobs: BlobStore,
    /** null: paths point into the disk store itself. */
    readonly dir: string | null,
  ) {}

  static async open(blobs: BlobStore, out: string | undefined): Promise<BlobFileExport> {
    if (!out && blobs.localPath) return new BlobFileExport(blobs, null);
    let dir: string;
    if (out) {
      dir = path.resolve(out);
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } else {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-export-'));
    }
    return new BlobFileExport(blobs, dir);
  }

  /** A readable file with the blob's bytes (named `name`), or null when the blob is gone. */
  async file(key: string, name: string): Promise<string | null> {
    if (this.dir === null) {
      const file = this.blobs.localPath!(key);
      return (await fs.stat(file).catch(() => null)) ? file : null;
    }
    const bytes = await this.blobs.get(key);
    if (!bytes) return null;
    const file = path.join(this.dir, name);
    await fs.writeFile(file, bytes, { mode: 0o600 });
    return file;
  }
}

/** `<capture id>.<format>` or `<capture id>.thumb.<format>`: the key's last segment. */
export function exportName(key: string): string {
  return key.split('/').at(-1) ?? key;
}
