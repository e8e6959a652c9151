/**
 * Where screenshots live. On disk by default; an S3-compatible store can implement the same
 * interface for a local authority with thousands of devices.
 */
export interface BlobStore {
  /** Writes `bytes` under `key` durably; resolves once the bytes are safe. Writing the same key again replaces it. */
  put(key: string, bytes: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
  /** A local file path for the key, when the store is on this machine (exports hand it to other tools). */
  localPath?(key: string): string;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Keys are relative paths of safe segments: no `..`, no absolute paths, no odd characters. */
export function assertValidKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((s) => s === '..' || s === '.')) {
    throw new Error(`invalid blob key: ${JSON.stringify(key)}`);
  }
}
