import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * A real S3 REST server for tests: s3rver (objects on disk in a temp dir) behind a small front
 * that does what s3rver does not: it checks each request's AWS Signature V4 against the secret key
 * (s3rver checks only the access key id), the payload's SHA-256 and Content-MD5, as S3 does, and
 * it asks a multi-object delete for Content-MD5, as stores that check no other digest do. The
 * front can be taken down and brought back on the same port (a store out of reach).
 */
export interface TestS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `VIGIL_S3_*` for loadConfig, pointing at this server. */
  env(overrides?: Record<string, string>): Record<string, string>;
  /** A client of its own (not the console's), for reading what the console stored. */
  readonly client: S3Client;
  keys(prefix?: string): Promise<string[]>;
  read(key: string): Promise<Buffer | undefined>;
  write(key: string, bytes: Buffer): Promise<void>;
  /** Requests the front refused (bad signature, digest), for assertions. */
  readonly refused: { code: string; method: string; path: string }[];
  /** Requests the front passed on to the store, in order. */
  readonly passed: { method: string; path: string }[];
  /** Until set back to null, PUTs of object paths matching this answer 500 InternalError (a failing store). */
  failPuts(pattern: RegExp | null): void;
  /** Connections refused from now on (open ones are cut) until `comeBack`. */
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  stop(): Promise<void>;
}

// s3rver knows one account, "S3RVER"; the front checks the secret that goes with it here.
const ACCESS_KEY_ID = 'S3RVER';
const SECRET = 'vigil-test-secret-2f8c1d';

const rfc3986 = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Why a request's SigV4 header does not hold for `secret`, or null when it does. */
export function sigV4Problem(req: http.IncomingMessage, body: Buffer, secret: string): string | null {
  const auth = req.headers.authorization;
  if (!auth) return null; // anonymous: s3rver answers as S3 does for an unsigned request
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return 'AuthorizationHeaderMalformed';
  const [, accessKeyId, day, region, signedHeaders, signature] = m as unknown as string[];
  if (accessKeyId !== ACCESS_KEY_ID) return 'InvalidAccessKeyId';
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  if (!amzDate.startsWith(day!) || !payloadHash) return 'AuthorizationHeaderMalformed';
  if (/^[0-9a-f]{64}$/.test(payloadHash) && sha256(body) !== payloadHash) return 'XAmzContentSHA256Mismatch';
  const url = new URL(req.url ?? '/', 'http://front');
  const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
  const query = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf('=');
      const k = decodeURIComponent(i < 0 ? pair : pair.slice(0, i));
      const v = i < 0 ? '' : decodeURIComponent(pair.slice(i + 1).replace(/\+/g, ' '));
      return `${rfc3986(k)}=${rfc3986(v)}`;
    })
    .sort()
    .join('&');
  const headers = signedHeaders!
    .split(';')
    .map(
      (h) =>
        `${h}:${String(req.headers[h] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonical = [req.method, url.pathname, query, headers, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day!), region!), 's3'), 'aws4_request');
  const expected = hmac(key, toSign);
  const given = Buffer.from(signature!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'SignatureDoesNotMatch';
}

function refuse(res: http.ServerResponse, req: http.IncomingMessage, code: string): void {
  const status =
    code === 'InternalError'
      ? 500
      : code === 'XAmzContentSHA256Mismatch' || code === 'BadDigest' || code === 'InvalidRequest'
        ? 400
        : 403;
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    req.method === 'HEAD'
      ? undefined
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>refused by the test front</Message></Error>`,
  );
}

export async function startTestS3(options: { bucket?: string } = {}): Promise<TestS3> {
  const bucket = options.bucket ?? 'vigil-screenshots';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-s3-test-'));
  const backend = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket }],
  });
  const backendPort = ((await backend.run()) as AddressInfo).port;
  const refused: TestS3['refused'] = [];
  const passed: TestS3['passed'] = [];
  let failing: RegExp | null = null;

  const front = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let problem = sigV4Problem(req, body, SECRET);
      const md5 = req.headers['content-md5'];
      if (!problem && md5 && createHash('md5').update(body).digest('base64') !== md5) problem = 'BadDigest';
      const multiDelete = req.method === 'POST' && /[?&]delete(=|&|$)/.test(req.url ?? '');
      if (!problem && multiDelete && !md5) problem = 'InvalidRequest';
      if (!problem && failing && req.method === 'PUT' && failing.test(req.url ?? '')) problem = 'InternalError';
      if (problem) {
        refused.push({ code: problem, method: req.method ?? '', path: req.url ?? '' });
        return refuse(res, req, problem);
      }
      passed.push({ method: req.method ?? '', path: req.url ?? '' });
      const forward = http.request(
        {
          host: '127.0.0.1',
          port: backendPort,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: `127.0.0.1:${backendPort}` },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      front.once('error', reject);
      front.listen(port, '127.0.0.1', () => {
        front.off('error', reject);
        resolve((front.address() as AddressInfo).port);
      });
    });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      front.close(() => resolve());
      front.closeAllConnections();
    });
  const port = await listen(0);
  const endpoint = `http://127.0.0.1:${port}`;
  let up = true;

  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
    maxAttempts: 1,
  });

  return {
    endpoint,
    bucket,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET,
    client,
    refused,
    passed,
    env: (overrides = {}) => ({
      VIGIL_S3_ENDPOINT: endpoint,
      VIGIL_S3_BUCKET: bucket,
      VIGIL_S3_ACCESS_KEY_ID: ACCESS_KEY_ID,
      VIGIL_S3_SECRET_ACCESS_KEY: SECRET,
      ...overrides,
    }),
    async keys(prefix = '') {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        out.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out.sort();
    },
    async read(key) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(await res.Body!.transformToByteArray());
      } catch (err) {
        if ((err as Error).name === 'NoSuchKey') return undefined;
        throw err;
      }
    },
    async write(key, bytes) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
    },
    failPuts(pattern) {
      failing = pattern;
    },
    async goDown() {
      if (!up) return;
      up = false;
      await close();
    },
    async comeBack() {
      if (up) return;
      await listen(port);
      up = true;
    },
    async stop() {
      client.destroy();
      if (up) await close();
      up = false;
      await backend.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
