import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AGENT_API } from '@vigil/shared';
import { buildApp } from './app';
import { loadConfig } from './config';
import { captureMetadata, enrolDevice, multipart, webpImage } from './test-support/harness';
import { postgresBinDir, startPostgres } from './test-support/postgres';

const run = promisify(execFile);
const CLI = path.join(__dirname, '..', 'dist', 'cli.js');

/**
 * Each test starts several node processes (about a second each on a loaded 2-core machine), so
 * jest's 5 s default is too short; this is a hang guard, not a speed assertion.
 */
jest.setTimeout(60_000);

/** The CLI as scripts use it: the built entry point, in its own process, on a data dir. */
describe('console CLI', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-'));
  const cli = (...args: string[]) => run('node', [CLI, ...args], { env: { ...process.env, VIGIL_DATA_DIR: dataDir } });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('create-school --json prints the id, name and enrolment token', async () => {
    const { stdout } = await cli('create-school', '--name', 'Oak Academy', '--json');
    const school = JSON.parse(stdout) as { id: string; name: string; enrolmentToken: string };
    expect(Object.keys(school).sort()).toEqual(['enrolmentToken', 'id', 'name']);
    expect(school.name).toBe('Oak Academy');
    expect(school.enrolmentToken.length).toBeGreaterThan(20);
  });

  it('export-captures --json prints every capture of the school with a readable screenshot', async () => {
    const { stdout } = await cli('create-school', '--name', 'Elm Primary', '--json');
    const school = JSON.parse(stdout) as { id: string; enrolmentToken: string };
    const app = await buildApp(loadConfig({ VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'silent' }));
    const device = await enrolDevice(app, school.enrolmentToken);
    const meta = captureMetadata(device.deviceId);
    const body = await multipart({ metadata: JSON.stringify(meta), screenshot: await webpImage() });
    const res = await app.inject({
      method: 'POST',
      url: AGENT_API.captures,
      headers: { ...body.headers, authorization: device.auth },
      payload: body.payload,
    });
    expect(res.statusCode).toBe(201);
    await app.close();

    const exported = JSON.parse(
      (await cli('export-captures', '--school', school.id, '--json')).stdout,
    ) as (typeof meta & { screenshotPath: string })[];
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ ...meta });
    expect(fs.readFileSync(exported[0]!.screenshotPath).subarray(8, 12).toString()).toBe('WEBP');

    const later = JSON.parse(
      (await cli('export-captures', '--school', school.id, '--since', '2999-01-01', '--json')).stdout,
    );
    expect(later).toEqual([]);
  });

  it('refuses an unknown school with a clear message and exit code 2', async () => {
    await expect(cli('export-captures', '--school', 'nope', '--json')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('No school with id nope'),
    });
  });

  it('refuses an unknown command', async () => {
    await expect(cli('frobnicate')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Unknown command'),
    });
  });

  it('create-user prints a one-time password that is stored only as an argon2id hash', async () => {
    const { stdout } = await cli('create-school', '--name', 'Ash High', '--json');
    const school = JSON.parse(stdout) as { id: string };
    const user = JSON.parse(
      (await cli('create-user', '--email', 'dsl@ash.sch.uk', '--role', 'dsl', '--school', school.id, '--json')).stdout,
    ) as { id: string; email: string; password: string; totpSecret: string | null };
    expect(Object.keys(user).sort()).toEqual(['email', 'id', 'password', 'totpSecret']);
    expect(user.password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(user.totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
    const app = await buildApp(loadConfig({ VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'silent' }));
    const stored = (await app.repos.users.byEmail('dsl@ash.sch.uk'))!;
    await app.close();
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored.passwordHash).not.toContain(user.password);
    expect(stored.totpSecretSealed).toMatch(/^v1:/);
    expect(stored.totpSecretSealed).not.toContain(user.totpSecret!);
  });

  it('create-user gives no TOTP secret to a role that cannot see captures', async () => {
    const { stdout } = await cli('create-school', '--name', 'Birch Primary', '--json');
    const school = JSON.parse(stdout) as { id: string };
    const user = JSON.parse(
      (
        await cli(
          'create-user',
          '--email',
          'it@birch.sch.uk',
          '--role',
          'school_admin',
          '--school',
          school.id,
          '--json',
        )
      ).stdout,
    ) as { totpSecret: string | null };
    expect(user.totpSecret).toBeNull();
  });

  it('reset-password prints a new one-time password that signs in, and ends old sessions', async () => {
    const reset = JSON.parse((await cli('reset-password', '--email', 'dsl@ash.sch.uk', '--json')).stdout) as {
      password: string;
      totpSecret: string | null;
    };
    expect(reset.password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(reset.totpSecret).toBeNull();
    const app = await buildApp(loadConfig({ VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'silent' }));
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'dsl@ash.sch.uk', password: reset.password },
      });
      expect(res.json()).toMatchObject({ code: 'CONSOLE_ERR_TOTP_REQUIRED' });
    } finally {
      await app.close();
    }
    const again = JSON.parse(
      (await cli('reset-password', '--email', 'dsl@ash.sch.uk', '--new-totp', '--json')).stdout,
    ) as { totpSecret: string | null };
    expect(again.totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
  });

  it('rotate-token, revoke-device and purge act on the data dir and print JSON', async () => {
    const school = JSON.parse((await cli('create-school', '--name', 'Yew College', '--json')).stdout) as {
      id: string;
      enrolmentToken: string;
    };
    const app = await buildApp(loadConfig({ VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'silent' }));
    const device = await enrolDevice(app, school.enrolmentToken);
    const meta = captureMetadata(device.deviceId, {
      capturedAt: new Date(Date.now() - 200 * 86_400_000).toISOString(),
    });
    const body = await multipart({ metadata: JSON.stringify(meta), screenshot: await webpImage() });
    const res = await app.inject({
      method: 'POST',
      url: AGENT_API.captures,
      headers: { ...body.headers, authorization: device.auth },
      payload: body.payload,
    });
    expect(res.statusCode).toBe(201);
    const screenshotPath = app.blobs.localPath!((await app.repos.captures.byId(meta.id))!.screenshot.key);
    await app.close();

    const rotated = JSON.parse((await cli('rotate-token', '--school', school.id, '--json')).stdout) as {
      enrolmentToken: string;
    };
    expect(rotated.enrolmentToken).not.toBe(school.enrolmentToken);
    const revoked = JSON.parse((await cli('revoke-device', '--device', device.deviceId, '--json')).stdout) as {
      revokedAt: string | null;
    };
    expect(revoked.revokedAt).toEqual(expect.any(String));

    const dry = JSON.parse((await cli('purge', '--school', school.id, '--dry-run', '--json')).stdout) as {
      deleted: number;
      schools: { captureIds: string[] }[];
    };
    expect(dry).toMatchObject({ deleted: 0, schools: [{ captureIds: [meta.id] }] });
    expect(fs.existsSync(screenshotPath)).toBe(true);
    const done = JSON.parse((await cli('purge', '--school', school.id, '--json')).stdout) as { deleted: number };
    expect(done.deleted).toBe(1);
    expect(fs.existsSync(screenshotPath)).toBe(false);
  });

  it('serve: the first start prints the admin password and enrolment token, later starts do not', async () => {
    const serveDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-serve-'));
    const serveOnce = async () => {
      const child = spawn('node', [CLI, 'serve'], {
        env: { ...process.env, VIGIL_DATA_DIR: serveDir, PORT: '0', VIGIL_HOST: '127.0.0.1', VIGIL_LOG_LEVEL: 'warn' },
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      try {
        const port = await new Promise<string>((resolve, reject) => {
          child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
          child.stdout.on('data', () => {
            const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
            if (m) resolve(m[1]!);
          });
        });
        const health = await fetch(`http://127.0.0.1:${port}/health`);
        expect(await health.json()).toEqual({ status: 'ok' });
        return out;
      } finally {
        await new Promise((r) => {
          child.once('exit', r);
          child.kill('SIGTERM');
        });
      }
    };
    try {
      const first = await serveOnce();
      const token = /Enrolment token:\s+(\S+)/.exec(first)?.[1];
      const password = /One-time password:\s+(\S+)/.exec(first)?.[1];
      expect(password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
      expect(first).toMatch(/TOTP secret:\s+[A-Z2-7]{16,}/);
      const schools = JSON.parse(
        (await run('node', [CLI, 'list-schools', '--json'], { env: { ...process.env, VIGIL_DATA_DIR: serveDir } }))
          .stdout,
      );
      expect(schools).toEqual([expect.objectContaining({ enrolmentToken: token })]);
      const second = await serveOnce();
      expect(second).not.toMatch(/One-time password|Enrolment token/);
    } finally {
      fs.rmSync(serveDir, { recursive: true, force: true });
    }
  });
  (postgresBinDir() ? it : it.skip)(
    'serve with VIGIL_DATABASE_URL runs on PostgreSQL: an agent enrols and uploads, and the capture is listed',
    async () => {
      const cluster = (await startPostgres())!;
      const serveDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-serve-pg-'));
      const env = { ...process.env, VIGIL_DATA_DIR: serveDir, VIGIL_DATABASE_URL: await cluster.createDatabase() };
      const child = spawn('node', [CLI, 'serve'], {
        env: { ...env, PORT: '0', VIGIL_HOST: '127.0.0.1', VIGIL_LOG_LEVEL: 'warn' },
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      try {
        const port = await new Promise<string>((resolve, reject) => {
          child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
          child.stdout.on('data', () => {
            const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
            if (m) resolve(m[1]!);
          });
        });
        const base = `http://127.0.0.1:${port}`;
        expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
        const token = /Enrolment token:\s+(\S+)/.exec(out)?.[1];
        const enrol = await fetch(`${base}${AGENT_API.enrol}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token, hostname: 'laptop-07', os: 'linux', agentVersion: '0.1.0' }),
        });
        expect(enrol.status).toBe(201);
        const device = (await enrol.json()) as { deviceId: string; deviceSecret: string };
        const meta = captureMetadata(device.deviceId);
        const body = await multipart({ metadata: JSON.stringify(meta), screenshot: await webpImage() });
        const upload = await fetch(`${base}${AGENT_API.captures}`, {
          method: 'POST',
          headers: { ...body.headers, authorization: `Device ${device.deviceId}:${device.deviceSecret}` },
          body: body.payload,
        });
        expect(upload.status).toBe(201);

        // The CLI, on the same database, lists the school and the capture the server stored there.
        const [school] = JSON.parse((await run('node', [CLI, 'list-schools', '--json'], { env })).stdout) as {
          id: string;
        }[];
        const exported = JSON.parse(
          (await run('node', [CLI, 'export-captures', '--school', school!.id, '--json'], { env })).stdout,
        ) as { id: string }[];
        expect(exported.map((c) => c.id)).toEqual([meta.id]);
        // No SQLite file was made: the data dir holds the blobs (and the secret key) only.
        expect(fs.existsSync(path.join(serveDir, 'vigil.sqlite'))).toBe(false);
      } finally {
        if (child.exitCode === null) {
          await new Promise((r) => {
            child.once('exit', r);
            child.kill('SIGTERM');
          });
        }
        await cluster.stop();
        fs.rmSync(serveDir, { recursive: true, force: true });
      }
    },
  );
});
