import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import { CompiledQuery } from 'kysely';
import { AGENT_API, CAPTURE_PARTS, uuidv7, type CaptureMetadata, type EnrolResponse } from '@vigil/shared';
import { buildApp, type BuildOptions } from '../app';
import { createAccount } from '../services/user-accounts.service';
import { totpCode } from '../auth/totp';
import type { Role } from '../repositories/users.repository';
import type { School } from '../repositories/schools.repository';
import { loadConfig } from '../config';
import { startPostgres, type PostgresCluster } from './postgres';

export interface Harness {
  app: FastifyInstance;
  dataDir: string;
  /** The environment that selects the harness's database (VIGIL_DATABASE_URL on PostgreSQL): for CLI commands run beside it. */
  databaseEnv: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Which database the harness builds the app on: `VIGIL_TEST_DB=postgres` (the jest project
 * "console-server (PostgreSQL)" sets it) gives each harness a fresh database in a throwaway
 * PostgreSQL cluster; otherwise a SQLite file in the temp data dir.
 */
export const TEST_DB: 'sqlite' | 'postgres' = process.env.VIGIL_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
let ownCluster: Promise<PostgresCluster> | null = null;

/**
 * A fresh PostgreSQL database: in the cluster the PostgreSQL project's global setup started
 * (VIGIL_TEST_PG_ADMIN_URL, one cluster for the whole run), or else in one started for this test
 * file (stopped after it).
 */
export async function freshPostgresDatabase(): Promise<string> {
  const admin = process.env.VIGIL_TEST_PG_ADMIN_URL;
  if (admin) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      const name = `vigil_t${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
      await client.query(`CREATE DATABASE ${name}`);
      const url = new URL(admin);
      url.pathname = `/${name}`;
      return url.toString();
    } finally {
      await client.end();
    }
  }
  if (!ownCluster) {
    ownCluster = startPostgres().then((c) => {
      if (!c) throw new Error('VIGIL_TEST_DB=postgres but no PostgreSQL binaries under /usr/lib/postgresql');
      return c;
    });
    afterAll(async () => (await ownCluster)?.stop(), 60_000);
  }
  return (await ownCluster).createDatabase();
}

/** A real console on a temp data dir (real SQLite file or PostgreSQL database, real blobs on disk), driven through app.inject. */
export async function startHarness(env: NodeJS.ProcessEnv = {}, options: BuildOptions = {}): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-console-test-'));
  const databaseEnv: Record<string, string> =
    TEST_DB === 'postgres' ? { VIGIL_DATABASE_URL: await freshPostgresDatabase() } : {};
  const config = loadConfig({ VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'silent', ...databaseEnv, ...env }, dataDir);
  const app = await buildApp(config, options);
  return {
    app,
    dataDir,
    databaseEnv,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Raw SQL for tests that look inside the database, on either dialect: `?` placeholders (rewritten
 * to `$1…` on PostgreSQL). Rows as the driver gives them.
 */
export async function sqlAll<T = Record<string, unknown>>(
  app: FastifyInstance,
  text: string,
  ...params: unknown[]
): Promise<T[]> {
  const db = app.database.kysely;
  let n = 0;
  const q = app.database.dialect === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text;
  return (await db.executeQuery<T>(CompiledQuery.raw(q, params))).rows;
}

export async function sqlGet<T = Record<string, unknown>>(
  app: FastifyInstance,
  text: string,
  ...params: unknown[]
): Promise<T | undefined> {
  return (await sqlAll<T>(app, text, ...params))[0];
}

/** The message a promise rejects with ('resolved' if it does not). */
export const rejectionOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (err: unknown) => String((err as { message?: unknown }).message),
  );

export async function enrolDevice(app: FastifyInstance, token: string): Promise<EnrolResponse & { auth: string }> {
  const res = await app.inject({
    method: 'POST',
    url: AGENT_API.enrol,
    payload: { token, hostname: 'laptop-07', os: 'linux', agentVersion: '0.1.0' },
  });
  if (res.statusCode !== 201) throw new Error(`enrol failed: ${res.statusCode} ${res.body}`);
  const body = res.json<EnrolResponse>();
  return { ...body, auth: `Device ${body.deviceId}:${body.deviceSecret}` };
}

export function captureMetadata(deviceId: string, overrides: Partial<CaptureMetadata> = {}): CaptureMetadata {
  return {
    id: uuidv7(),
    capturedAt: new Date().toISOString(),
    deviceId,
    user: 'pupil01',
    source: 'typed',
    app: 'xterm',
    windowTitle: 'Terminal',
    url: null,
    matches: [
      { entryId: 'suicide.kill-myself', phrase: 'kill myself', category: 'suicide', severity: 5, start: 7, end: 18 },
    ],
    context: 'i want kill myself now',
    severity: 5,
    count: 1,
    policyVersion: 'starter-1',
    ...overrides,
  };
}

export const webpImage = (width = 640, height = 400): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: 30, g: 90, b: 160 } } })
    .webp()
    .toBuffer();

export interface MultipartBody {
  payload: Buffer;
  headers: Record<string, string>;
}

/** A multipart body built by the platform's own FormData, as the agent builds it. */
export async function multipart(parts: {
  metadata?: string;
  screenshot?: Buffer;
  thumbnail?: Buffer;
  extra?: Record<string, string>;
}): Promise<MultipartBody> {
  const form = new FormData();
  if (parts.metadata !== undefined) form.append(CAPTURE_PARTS.metadata, parts.metadata);
  if (parts.screenshot)
    form.append(CAPTURE_PARTS.screenshot, new Blob([parts.screenshot], { type: 'image/webp' }), 'shot.webp');
  if (parts.thumbnail)
    form.append(CAPTURE_PARTS.thumbnail, new Blob([parts.thumbnail], { type: 'image/webp' }), 'thumb.webp');
  for (const [k, v] of Object.entries(parts.extra ?? {})) form.append(k, v);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
  };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  totpSecret: string | null;
}

/**
 * A user made the way the CLI makes one (one-time password, TOTP secret for roles that need 2FA).
 * Unless `oneTimePassword` is set, the password counts as already changed, so the user signs
 * straight in (the change-password step has tests of its own).
 */
export async function createUser(
  app: FastifyInstance,
  email: string,
  role: Role,
  where: { schoolId: string } | { organisationId: string },
  options: { oneTimePassword?: boolean } = {},
): Promise<TestUser> {
  const account = await createAccount(app.repos, app.secrets, { email, grants: [{ role, ...where }] }, new Date());
  if (!options.oneTimePassword) await app.repos.users.setMustChangePassword(account.user.id, false);
  return { id: account.user.id, email: account.user.email, password: account.password, totpSecret: account.totpSecret };
}

export interface SignedIn {
  /** The Cookie header to send. */
  cookie: string;
  csrfToken: string;
  /** Headers for a safe request (GET). */
  get: Record<string, string>;
  /** Headers for a state-changing request (cookie + CSRF). */
  write: Record<string, string>;
}

export async function signIn(app: FastifyInstance, user: TestUser): Promise<SignedIn> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: {
      email: user.email,
      password: user.password,
      ...(user.totpSecret ? { totp: totpCode(user.totpSecret) } : {}),
    },
  });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const setCookie = String(res.headers['set-cookie'] ?? '');
  const cookie = setCookie.split(';')[0] ?? '';
  const csrfToken = res.json<{ csrfToken: string }>().csrfToken;
  return { cookie, csrfToken, get: { cookie }, write: { cookie, 'x-vigil-csrf': csrfToken } };
}

/**
 * Uploads a capture as the device would; returns its metadata once the console has also decided
 * on its alert (the school's alert threshold is read after the capture is stored and answered).
 */
export async function uploadCapture(
  app: FastifyInstance,
  device: { deviceId: string; auth: string },
  overrides: Partial<CaptureMetadata> = {},
): Promise<CaptureMetadata> {
  const meta = captureMetadata(device.deviceId, overrides);
  const body = await multipart({
    metadata: JSON.stringify(meta),
    screenshot: await webpImage(),
    thumbnail: await webpImage(320, 200),
  });
  const res = await app.inject({
    method: 'POST',
    url: AGENT_API.captures,
    headers: { ...body.headers, authorization: device.auth },
    payload: body.payload,
  });
  if (res.statusCode !== 201) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
  await app.alerts?.settled();
  return meta;
}

/**
 * The tenant-isolation suites' cast: school A (Oak Academy, in the default organisation) and
 * school B (Elm Primary, in another trust), with school B's DSL, school admin and trust admin
 * signed in and a device of school B enrolled: the people and the device who must never reach
 * anything of school A.
 */
export interface TwoSchools {
  a: School;
  b: School;
  /** School B's organisation (another trust). */
  otherOrg: string;
  dslB: SignedIn;
  adminB: SignedIn;
  /** An org_admin of school B's trust. */
  orgAdminB: SignedIn;
  deviceB: EnrolResponse & { auth: string };
}

export async function twoSchools(app: FastifyInstance): Promise<TwoSchools> {
  const a = await app.repos.schools.create('Oak Academy', new Date());
  const otherOrg = 'org-elm-trust';
  await sqlAll(
    app,
    'INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)',
    otherOrg,
    'Elm Trust',
    new Date().toISOString(),
  );
  const b = await app.repos.schools.create('Elm Primary', new Date(), otherOrg);
  const dslB = await signIn(app, await createUser(app, 'dsl@elm.sch.uk', 'dsl', { schoolId: b.id }));
  const adminB = await signIn(app, await createUser(app, 'it@elm.sch.uk', 'school_admin', { schoolId: b.id }));
  const orgAdminB = await signIn(
    app,
    await createUser(app, 'admin@elm-trust.org.uk', 'org_admin', { organisationId: otherOrg }),
  );
  const deviceB = await enrolDevice(app, b.enrolmentToken);
  return { a, b, otherOrg, dslB, adminB, orgAdminB, deviceB };
}
