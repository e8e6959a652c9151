import type { ConsoleConfig } from '../config';
import type { BlobStore, BlobStoreLog } from './blob-store';
import { DiskBlobStore } from './disk-blob-store';
import type * as S3Module from './s3-blob-store';

/**
 * The blob store the config names: S3 when `VIGIL_S3_BUCKET` is set (checked reachable with these
 * credentials first: a ConfigError naming endpoint and bucket if not), else files under the data
 * directory. The server and the CLI commands that touch screenshots all open it here.
 */
export async function openBlobStore(config: ConsoleConfig, log?: BlobStoreLog): Promise<BlobStore> {
  if (!config.s3) return new DiskBlobStore(config.blobDir);
  // Loaded only when asked for: the AWS SDK would add about 0.2 s to every start and CLI command.
  // (A CommonJS build: `import()` here would stay a native ESM import needing a file extension.)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { S3BlobStore } = require('./s3-blob-store') as typeof S3Module;
  const store = new S3BlobStore(config.s3, log);
  try {
    await store.checkReachable();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** A CLI command's failed store operations, on stderr for the operator (ids and status only). */
const stderrLog: BlobStoreLog = {
  error: (details, message) => process.stderr.write(`${message}: ${JSON.stringify(details)}\n`),
};

/** Runs `fn` with the configured blob store (CLI commands), then releases it. */
export async function withBlobStore<T>(config: ConsoleConfig, fn: (blobs: BlobStore) => Promise<T>): Promise<T> {
  const blobs = await openBlobStore(config, stderrLog);
  try {
    return await fn(blobs);
  } finally {
    await blobs.close?.();
  }
}
