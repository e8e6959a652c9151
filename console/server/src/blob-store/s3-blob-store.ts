import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ConfigError } from '../config';
import { assertValidKey, BlobStoreUnavailableError, type BlobStore, type BlobStoreLog } from './blob-store';
import { describeS3, type S3BlobStoreConfig } from './s3-config';

/** Keys a DeleteObjects request may carry (S3's limit). */
const DELETE_BATCH = 1000;

const CONTENT_TYPES: Record<string, string> = {
  webp: 'image/webp',
  png: 'image/png',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
};

/** What went wrong, for logs and messages: the error's name, HTTP status and code; never a body or a key's content. */
export function s3Failure(err: unknown): { name: string; status: number | null; code: string | null } {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  // A network error from another realm (as under jest) reaches us wrapped, its code only in the message.
  const code = typeof e.code === 'string' ? e.code : (/\b(E[A-Z]{3,})\b/.exec(e.message ?? '')?.[1] ?? null);
  return { name: e.name ?? 'Error', status: e.$metadata?.httpStatusCode ?? null, code };
}

function isMissing(err: unknown): boolean {
  return (
    (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound')) ||
    s3Failure(err).status === 404
  );
}

/**
 * Screenshots as objects in one bucket of an S3-compatible store (AWS S3, MinIO, Ceph RGW, Garage,
 * …), under an optional key prefix. `put` resolves when the store has answered 200 to a PutObject
 * carrying Content-MD5 (so a damaged upload is refused by the store, not stored); the SDK retries
 * network failures, throttling and 5xx with backoff, each attempt bounded by the configured timeout.
 * A failure that outlasts the retries is logged (operation, key, status: never bytes) and thrown
 * as `BlobStoreUnavailableError` (503: agents retry their upload later).
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(
    readonly config: S3BlobStoreConfig,
    private readonly log?: BlobStoreLog,
  ) {
    const agent = { keepAlive: true, maxSockets: 64 };
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      ...(config.credentials ? { credentials: config.credentials } : {}),
      maxAttempts: config.maxAttempts,
      retryMode: 'standard',
      requestHandler: {
        connectionTimeout: Math.min(5_000, config.timeoutMs),
        requestTimeout: config.timeoutMs,
        httpAgent: new http.Agent(agent),
        httpsAgent: new https.Agent(agent),
      },
      // Content-MD5 instead of the SDK's newer default checksums (CRC32 headers and trailers):
      // every S3-compatible store checks Content-MD5; several self-hosted ones refuse the others.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    // DeleteObjects must carry a digest of its body. The SDK sends a CRC32 one; stores that check
    // only Content-MD5 refuse that, so the request carries Content-MD5 as well.
    this.client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { headers?: Record<string, string>; body?: unknown };
        if (context.commandName === 'DeleteObjectsCommand' && request.headers && typeof request.body === 'string') {
          request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
        }
        return next(args);
      },
      { step: 'build', name: 'vigilDeleteObjectsContentMd5' },
    );
  }

  private objectKey(key: string): string {
    assertValidKey(key);
    return `${this.config.prefix}${key}`;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const Key = this.objectKey(key);
    const ext = key.split('.').at(-1) ?? '';
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.config.bucket,
          Key,
          Body: bytes,
          ContentLength: bytes.length,
          ContentMD5: createHash('md5').update(bytes).digest('base64'),
          ContentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
          ...(this.config.serverSideEncryption ? { ServerSideEncryption: this.config.serverSideEncryption } : {}),
          ...(this.config.kmsKeyId ? { SSEKMSKeyId: this.config.kmsKeyId } : {}),
        }),
      );
    } catch (err) {
      throw this.unavailable('put', Key, err);
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    const Key = this.objectKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key }));
      if (!res.Body) throw new Error('the store answered without a body');
      const bytes = Buffer.from(await res.Body.transformToByteArray());
      if (res.ContentLength !== undefined && res.ContentLength !== bytes.length) {
        throw new Error(`the store sent ${bytes.length} of ${res.ContentLength} bytes`);
      }
      return bytes;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw this.unavailable('get', Key, err);
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key }));
    } catch (err) {
      if (isMissing(err)) return;
      throw this.unavailable('delete', Key, err);
    }
  }

  async deleteMany(keys: readonly string[]): Promise<string[]> {
    // Every key is checked before anything is deleted.
    const objects = keys.map((k) => [this.objectKey(k), k] as const);
    const refused: string[] = [];
    for (let at = 0; at < objects.length; at += DELETE_BATCH) {
      const byObject = new Map(objects.slice(at, at + DELETE_BATCH));
      let errors: { Key?: string; Code?: string }[];
      try {
        const res = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.config.bucket,
            Delete: { Objects: [...byObject.keys()].map((Key) => ({ Key })), Quiet: true },
          }),
        );
        errors = res.Errors ?? [];
      } catch (err) {
        throw this.unavailable('deleteMany', `${byObject.size} objects from ${[...byObject.keys()][0] ?? ''}`, err);
      }
      for (const e of errors) {
        if (e.Code === 'NoSuchKey') continue;
        this.log?.error(
          {
            blobStore: 's3',
            op: 'deleteMany',
            key: e.Key,
            err: { name: e.Code ?? 'Error', status: null, code: e.Code ?? null },
          },
          'blob store operation failed',
        );
        refused.push(byObject.get(e.Key ?? '') ?? e.Key ?? '');
      }
    }
    return refused;
  }

  /**
   * At start: the bucket must answer HeadBucket with these credentials. Throws a ConfigError naming
   * the endpoint and bucket (never the keys) and what the store said.
   */
  async checkReachable(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.config.bucket }), {
        abortSignal: AbortSignal.timeout(this.config.timeoutMs * this.config.maxAttempts + 5_000),
      });
    } catch (err) {
      const { name, status, code } = s3Failure(err);
      const why =
        status === 403 || status === 401
          ? `access denied (HTTP ${status}): check VIGIL_S3_ACCESS_KEY_ID and VIGIL_S3_SECRET_ACCESS_KEY (or the AWS credentials in use) and the bucket's policy`
          : status === 404
            ? 'no such bucket (HTTP 404): create it first, or check VIGIL_S3_BUCKET'
            : status === 301 || status === 400
              ? `the store refused the request (HTTP ${status}): check VIGIL_S3_REGION and VIGIL_S3_FORCE_PATH_STYLE`
              : status !== null
                ? `the store answered HTTP ${status} (${name})`
                : `could not connect (${code ?? name}): check VIGIL_S3_ENDPOINT and the network`;
      throw new ConfigError(`Screenshot storage: the S3 ${describeS3(this.config)} is not usable: ${why}`);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private unavailable(op: string, key: string, err: unknown): BlobStoreUnavailableError {
    // Ids and status only: the key is schools/<id>/captures/<month>/<capture id>.<format>.
    this.log?.error({ blobStore: 's3', op, key, err: s3Failure(err) }, 'blob store operation failed');
    return new BlobStoreUnavailableError();
  }
}
