import { ConsoleError } from '../errors';

/**
 * Where screenshots live: on disk by default (`DiskBlobStore`), or in a bucket of an S3-compatible
 * store (`S3BlobStore`, `VIGIL_S3_*`) for a local authority with thousands of devices. Code that
 * reads blobs uses `get`, never a file path, so it works on both.
 */
export interface BlobStore {
  /** Writes `bytes` under `key` durably; resolves once the bytes are safe. Writing the same key again replaces it. */
  put(key: string, bytes: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
  /**
   * Deletes these blobs (a missing one counts as deleted), in as few requests as the store allows
   * (S3: 1,000 keys a request). Resolves with the keys the store refused to delete, none when all
   * went; throws BlobStoreUnavailableError when the store is out of reach (some may be gone).
   */
  deleteMany(keys: readonly string[]): Promise<string[]>;
  /** A local file path for the key, when the store is on this machine (exports hand it to other tools). */
  localPath?(key: string): string;
  /** Releases connections (S3); called when the app closes. */
  close?(): Promise<void>;
}

/** Where a store logs a failed operation (a pino logger fits): ids and codes only, never bytes. */
export interface BlobStoreLog {
  error(details: object, message: string): void;
}

/** The store could not do it now (unreachable, timed out, refused): a 503, so agents retry later. */
export class BlobStoreUnavailableError extends ConsoleError {
  constructor() {
    super('CONSOLE_ERR_STORAGE_UNAVAILABLE');
  }
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Keys are relative paths of safe segments: no `..`, no absolute paths, no odd characters. */
export function assertValidKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((s) => s === '..' || s === '.')) {
    throw new Error(`invalid blob key: ${JSON.stringify(key)}`);
  }
}
