import { ConfigError } from '../config';
import { assertValidKey } from './blob-store';

/** Where screenshots go on an S3-compatible object store (AWS S3, MinIO, Ceph RGW, Garage, …). */
export interface S3BlobStoreConfig {
  /** `VIGIL_S3_ENDPOINT`, e.g. `https://minio.example.org:9000`; null for AWS S3 itself. */
  endpoint: string | null;
  region: string;
  bucket: string;
  /** Prepended to every key (`VIGIL_S3_PREFIX`, e.g. `vigil/`), so one bucket can hold several consoles. */
  prefix: string;
  /** Path-style addresses (`endpoint/bucket/key`) rather than `bucket.endpoint/key`: most self-hosted stores need them. */
  forcePathStyle: boolean;
  /** From `VIGIL_S3_ACCESS_KEY_ID` and `VIGIL_S3_SECRET_ACCESS_KEY`; null: the AWS SDK's own chain (AWS_* variables, profiles, instance roles). */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
  /** Server-side encryption asked of the store for every object; null: the bucket's default. */
  serverSideEncryption: 'AES256' | 'aws:kms' | null;
  kmsKeyId: string | null;
  /** One attempt gives up after this long without progress (connecting is capped at 5 s of it). */
  timeoutMs: number;
  /** Attempts per operation, the first included (retries use the SDK's backoff with jitter). */
  maxAttempts: number;
}

/** Every variable this reads, so a stray one without `VIGIL_S3_BUCKET` is a clear error rather than ignored. */
export const S3_ENV = [
  'VIGIL_S3_BUCKET',
  'VIGIL_S3_ENDPOINT',
  'VIGIL_S3_REGION',
  'VIGIL_S3_PREFIX',
  'VIGIL_S3_FORCE_PATH_STYLE',
  'VIGIL_S3_ACCESS_KEY_ID',
  'VIGIL_S3_SECRET_ACCESS_KEY',
  'VIGIL_S3_SESSION_TOKEN',
  'VIGIL_S3_SSE',
  'VIGIL_S3_SSE_KMS_KEY_ID',
  'VIGIL_S3_TIMEOUT_SECONDS',
  'VIGIL_S3_MAX_ATTEMPTS',
] as const;

// S3's bucket naming rules (3-63 characters: lower-case letters, digits, dots, hyphens).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(value)) return true;
  if (['0', 'false', 'off', 'no'].includes(value)) return false;
  throw new ConfigError(`${name} must be "true" or "false", not "${raw}"`);
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

/**
 * The S3 settings from `VIGIL_S3_*`, or null when `VIGIL_S3_BUCKET` is unset (screenshots stay on
 * disk). A bad value is a ConfigError naming the variable; secrets never appear in a message.
 */
export function s3ConfigFrom(env: NodeJS.ProcessEnv): S3BlobStoreConfig | null {
  const bucket = env.VIGIL_S3_BUCKET;
  if (!bucket) {
    const stray = S3_ENV.find((name) => env[name]);
    if (stray)
      throw new ConfigError(`${stray} is set but VIGIL_S3_BUCKET is not: set the bucket to store screenshots on S3`);
    return null;
  }
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new ConfigError(
      `VIGIL_S3_BUCKET must be an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens), not "${bucket}"`,
    );
  }

  let endpoint: string | null = null;
  if (env.VIGIL_S3_ENDPOINT) {
    let url: URL;
    try {
      url = new URL(env.VIGIL_S3_ENDPOINT);
    } catch {
      throw new ConfigError('VIGIL_S3_ENDPOINT must be a URL such as https://minio.example.org:9000');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError('VIGIL_S3_ENDPOINT must start with https:// (or http:// on a private network)');
    }
    if (url.username || url.password) {
      throw new ConfigError(
        'VIGIL_S3_ENDPOINT must not carry credentials: use VIGIL_S3_ACCESS_KEY_ID and VIGIL_S3_SECRET_ACCESS_KEY',
      );
    }
    if (url.pathname !== '/' || url.search || url.hash) {
      throw new ConfigError(
        "VIGIL_S3_ENDPOINT must be the store's address only (no path): the bucket is VIGIL_S3_BUCKET",
      );
    }
    endpoint = url.origin;
  }

  const region = env.VIGIL_S3_REGION || env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? 'us-east-1' : '');
  if (!region) throw new ConfigError('VIGIL_S3_REGION is required for AWS S3 (e.g. eu-west-2)');
  if (!/^[a-z0-9-]{1,64}$/i.test(region)) throw new ConfigError(`VIGIL_S3_REGION is not a region name: "${region}"`);

  let prefix = (env.VIGIL_S3_PREFIX ?? '').replace(/\/+$/, '');
  if (prefix) {
    try {
      assertValidKey(prefix);
    } catch {
      throw new ConfigError(
        `VIGIL_S3_PREFIX must be path segments of letters, digits, ".", "_" and "-" (e.g. vigil/), not "${env.VIGIL_S3_PREFIX}"`,
      );
    }
    prefix += '/';
  }

  const accessKeyId = env.VIGIL_S3_ACCESS_KEY_ID;
  const secretAccessKey = env.VIGIL_S3_SECRET_ACCESS_KEY;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new ConfigError(
      'Set both VIGIL_S3_ACCESS_KEY_ID and VIGIL_S3_SECRET_ACCESS_KEY, or neither (then the AWS_* variables, profile or instance role are used)',
    );
  }
  if (env.VIGIL_S3_SESSION_TOKEN && !accessKeyId) {
    throw new ConfigError('VIGIL_S3_SESSION_TOKEN needs VIGIL_S3_ACCESS_KEY_ID and VIGIL_S3_SECRET_ACCESS_KEY');
  }

  const sse = (env.VIGIL_S3_SSE || 'off').toLowerCase();
  let serverSideEncryption: S3BlobStoreConfig['serverSideEncryption'];
  if (sse === 'off') serverSideEncryption = null;
  else if (sse === 'aes256') serverSideEncryption = 'AES256';
  else if (sse === 'aws:kms') serverSideEncryption = 'aws:kms';
  else throw new ConfigError(`VIGIL_S3_SSE must be "off", "AES256" or "aws:kms", not "${env.VIGIL_S3_SSE}"`);
  const kmsKeyId = env.VIGIL_S3_SSE_KMS_KEY_ID || null;
  if (kmsKeyId && serverSideEncryption !== 'aws:kms') {
    throw new ConfigError('VIGIL_S3_SSE_KMS_KEY_ID needs VIGIL_S3_SSE=aws:kms');
  }

  return {
    endpoint,
    region,
    bucket,
    prefix,
    // Self-hosted stores rarely have wildcard DNS for bucket names; AWS prefers virtual-hosted style.
    forcePathStyle: flag(env, 'VIGIL_S3_FORCE_PATH_STYLE', endpoint !== null),
    credentials:
      accessKeyId && secretAccessKey
        ? {
            accessKeyId,
            secretAccessKey,
            ...(env.VIGIL_S3_SESSION_TOKEN ? { sessionToken: env.VIGIL_S3_SESSION_TOKEN } : {}),
          }
        : null,
    serverSideEncryption,
    kmsKeyId,
    timeoutMs: whole(env, 'VIGIL_S3_TIMEOUT_SECONDS', 20, 1, 600) * 1000,
    maxAttempts: whole(env, 'VIGIL_S3_MAX_ATTEMPTS', 3, 1, 10),
  };
}

/** The endpoint and bucket for messages and logs (never the keys). */
export function describeS3(config: S3BlobStoreConfig): string {
  const where = config.endpoint ?? `AWS S3 (${config.region})`;
  return `bucket "${config.bucket}"${config.prefix ? ` (prefix "${config.prefix}")` : ''} at ${where}`;
}
