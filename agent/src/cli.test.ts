import { BUILTIN_POLICY_VERSION } from './core/builtin-list';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENT_API, EnrolRequestSchema } from '@vigil/shared';
import { Value } from '@sinclair/typebox/value';
import { main, parseArgs } from './cli';
import { startTestServer, type TestServer } from './test-support/test-server';

const TOKEN = 'good-token-123';
let server: TestServer;
let dir: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = await startTestServer((request) => {
    if (request.path !== AGENT_API.enrol) return { status: 404 };
    const body = JSON.parse(request.body.toString('utf8')) as { token: string };
    if (body.token !== TOKEN)
      return { status: 401, body: { code: 'CONSOLE_ERR_ENROLMENT_TOKEN_INVALID', message: 'Unknown token' } };
    return {
      status: 201,
      body: { deviceId: 'dev-9', deviceSecret: 'very-secret', schoolId: 'sch-1', schoolName: 'Hill School' },
    };
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-'));
  process.env.VIGIL_AGENT_DATA_DIR = path.join(dir, 'data');
  process.env.VIGIL_LOG_LEVEL = 'silent';
  server.requests.length = 0;
});
afterEach(() => {
  process.env = { ...savedEnv };
  rmSync(dir, { recursive: true, force: true });
  jest.restoreAllMocks();
});

/** Runs the CLI in-process; returns its exit code and what it printed. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const code = await main(argv);
  jest.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('agent CLI', () => {
  it('enrol stores the credentials (0600) and status --json reports them', async () => {
    const enrol = await cli('enrol', '--console', `${server.url}/`, '--token', TOKEN, '--json');
    expect(enrol.code).toBe(0);
    expect(JSON.parse(enrol.stdout)).toEqual({
      deviceId: 'dev-9',
      schoolId: 'sch-1',
      schoolName: 'Hill School',
      consoleUrl: server.url,
    });
    const sent: unknown = JSON.parse(server.requests[0]!.body.toString('utf8'));
    expect(Value.Check(EnrolRequestSchema, sent)).toBe(true);

    const file = path.join(dir, 'data', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'data')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      deviceId: 'dev-9',
      deviceSecret: 'very-secret',
      consoleUrl: server.url,
    });

    const status = await cli('status', '--json');
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      enrolled: true,
      deviceId: 'dev-9',
      schoolName: 'Hill School',
      consoleUrl: server.url,
      connection: { state: 'ok', call: 'enrol', code: null },
      policyVersion: BUILTIN_POLICY_VERSION,
      queueDepth: 0,
      setAside: 0,
      lastCaptureAt: null,
    });
    expect(status.stdout).not.toContain('very-secret');
  });

  it('refuses to enrol twice without --force', async () => {
    expect((await cli('enrol', '--console', server.url, '--token', TOKEN)).code).toBe(0);
    const again = await cli('enrol', '--console', server.url, '--token', TOKEN);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('AGENT_ERR_ALREADY_ENROLLED');
    expect((await cli('enrol', '--console', server.url, '--token', TOKEN, '--force')).code).toBe(0);
  });

  it('a refused token fails clearly and stores nothing', async () => {
    const result = await cli('enrol', '--console', server.url, '--token', 'wrong-token-1');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/AGENT_ERR_ENROLMENT_REJECTED.*HTTP 401.*CONSOLE_ERR_ENROLMENT_TOKEN_INVALID/);
    const status = JSON.parse((await cli('status', '--json')).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({
      enrolled: false,
      connection: { state: 'failing', code: 'AGENT_ERR_ENROLMENT_REJECTED', httpStatus: 401 },
    });
  });

  it('an unreachable console fails clearly', async () => {
    const result = await cli('enrol', '--console', 'http://127.0.0.1:1', '--token', TOKEN);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AGENT_ERR_CONSOLE_UNREACHABLE');
  });

  it.each([
    [process.pid, 'listening', { running: true, keyboard: 'listening' }],
    [process.pid, 'unavailable', { running: true, keyboard: 'unavailable' }],
    [2 ** 22 + 12345, 'listening', { running: false, keyboard: 'stopped' }], // no such process
  ] as const)('status reports the daemon (pid %i, %s) as %j', async (daemonPid, keyboard, expected) => {
    await cli('enrol', '--console', server.url, '--token', TOKEN);
    const file = path.join(dir, 'data', 'status.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), daemonPid, keyboard }));
    expect(JSON.parse((await cli('status', '--json')).stdout)).toMatchObject(expected);
  });

  it('status before enrolment says so', async () => {
    const result = await cli('status');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Enrolled: +no/);
  });

  it('test-capture before enrolment fails with a clear message', async () => {
    const result = await cli('test-capture', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ code: 'AGENT_ERR_NOT_ENROLLED' });
  });

  it.each([[['enrol', '--token', TOKEN]], [['status', '--token', 'x']], [['frobnicate']], [[]]])(
    'usage errors exit 2: %j',
    async (argv) => {
      expect((await cli(...argv)).code).toBe(2);
    },
  );

  it('parses --flag value and --flag=value', () => {
    expect(parseArgs(['enrol', '--console=http://x', '--token', 't']).flags).toEqual(
      new Map([
        ['console', 'http://x'],
        ['token', 't'],
      ]),
    );
  });
});
