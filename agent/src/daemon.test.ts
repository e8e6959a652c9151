import { BUILTIN_POLICY_VERSION } from './core/builtin-list';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENT_API, DEFAULT_POLICY_SETTINGS, type Policy } from '@vigil/shared';
import type { PolicyResult, Transport, UploadResult } from './core/ports';
import { startDaemon, type DaemonHandle } from './daemon';
import { agentPaths, loadConfig, type AgentConfig } from './platform/config';
import { FileCredentialsStore } from './platform/credentials.file';
import { FakeKeyboard } from './platform/keyboard.fake';
import { FakeScreenshot } from './platform/screenshot.fake';
import { SqliteOutbox } from './platform/outbox.sqlite';
import { MemoryLogger } from './test-support/memory-logger';
import { formDataOf, startTestServer, type TestServer } from './test-support/test-server';

let dir: string;
let server: TestServer;
let daemon: DaemonHandle | undefined;

beforeAll(async () => {
  server = await startTestServer(async (request) => {
    if (request.path === AGENT_API.heartbeat) {
      return { status: 200, body: { serverTime: new Date().toISOString(), policyVersion: 'starter-1' } };
    }
    const metadata = JSON.parse(String((await formDataOf(request)).get('metadata'))) as { id: string };
    return { status: 201, body: { id: metadata.id, duplicate: false } };
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-daemon-'));
  server.requests.length = 0;
});
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const config = (): AgentConfig => loadConfig({ VIGIL_AGENT_DATA_DIR: dir, VIGIL_LOG_LEVEL: 'silent' });

async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function enrol(): Promise<void> {
  await new FileCredentialsStore(path.join(dir, 'credentials.json')).write({
    deviceId: 'dev-1',
    deviceSecret: 'secret',
    schoolId: 's1',
    schoolName: 'Hill School',
    consoleUrl: server.url,
    enrolledAt: new Date().toISOString(),
  });
}

/** A console that is reachable or not, as the test says. */
function switchableConsole(schoolPolicy: Policy) {
  const state = { online: false, uploads: [] as string[] };
  const offline = {
    kind: 'retryable',
    code: 'AGENT_ERR_CONSOLE_UNREACHABLE',
    httpStatus: null,
    retryAfterMs: null,
  } as const;
  const transport: Transport = {
    enrol: () => Promise.resolve(offline),
    uploadCapture: (capture): Promise<UploadResult> => {
      if (!state.online) return Promise.resolve(offline);
      state.uploads.push(capture.metadata.id);
      return Promise.resolve({ kind: 'ok', id: capture.metadata.id });
    },
    heartbeat: () =>
      Promise.resolve(
        state.online
          ? { kind: 'ok', value: { serverTime: new Date().toISOString(), policyVersion: schoolPolicy.version } }
          : offline,
      ),
    fetchPolicy: (): Promise<PolicyResult> =>
      Promise.resolve(state.online ? { kind: 'ok', value: { policy: schoolPolicy, etag: '"p1"' } } : offline),
  };
  return { state, transport };
}

describe('startDaemon', () => {
  it('refuses to start before enrolment', async () => {
    await expect(startDaemon(config(), { log: new MemoryLogger() })).rejects.toMatchObject({
      code: 'AGENT_ERR_NOT_ENROLLED',
    });
  });

  it('types → capture → SQLite outbox → console, then records the state for `status`', async () => {
    await enrol();
    const keyboard = new FakeKeyboard();
    daemon = await startDaemon(config(), { keyboard, screenshot: new FakeScreenshot(), log: new MemoryLogger() });
    expect(keyboard.started).toBe(true);
    const readStatus = (): Record<string, unknown> =>
      JSON.parse(readFileSync(path.join(dir, 'status.json'), 'utf8')) as Record<string, unknown>;
    await eventually(() => readStatus().keyboard === 'listening');
    expect(readStatus().daemonPid).toBe(process.pid);

    keyboard.type('i want to kill myself ');
    await eventually(() => server.requests.some((r) => r.path === AGENT_API.captures));
    const upload = server.requests.find((r) => r.path === AGENT_API.captures)!;
    expect(upload.headers.authorization).toBe('Device dev-1:secret');
    const metadata = JSON.parse(String((await formDataOf(upload)).get('metadata'))) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      deviceId: 'dev-1',
      source: 'typed',
      severity: 5,
      policyVersion: BUILTIN_POLICY_VERSION,
    });
    expect(server.requests.some((r) => r.path === AGENT_API.heartbeat)).toBe(true);

    await daemon.stop();
    daemon = undefined;
    expect(existsSync(agentPaths(dir).outbox)).toBe(true);
    const outbox = SqliteOutbox.open(agentPaths(dir).outbox);
    expect(await outbox.depth()).toBe(0);
    await outbox.close();
    const status = readStatus();
    expect(status).toMatchObject({
      keyboard: 'stopped',
      daemonPid: null,
      lastAttempt: { ok: true },
      consolePolicyVersion: 'starter-1',
      lastCaptureAt: metadata.capturedAt,
    });
  });

  it('keeps a snapshot for the tray: connection, queue, last upload, policy, and tells when it changes', async () => {
    await enrol();
    const schoolPolicy: Policy = {
      version: 'hill-7',
      keywords: [{ id: 'x', phrase: 'going country', category: 'county-lines', severity: 4, match: 'word' }],
      exclusions: [],
      settings: { ...DEFAULT_POLICY_SETTINGS, minSeverity: 3, trayHidden: true },
    };
    const consoleSide = switchableConsole(schoolPolicy);
    const keyboard = new FakeKeyboard();
    daemon = await startDaemon(config(), {
      keyboard,
      screenshot: new FakeScreenshot(),
      transport: consoleSide.transport,
      clipboard: null,
      screenText: null,
      log: new MemoryLogger(),
    });
    const running = daemon;
    let changes = 0;
    const unsubscribe = running.onSnapshot(() => {
      changes += 1;
    });
    await eventually(() => running.snapshot().connection === 'offline');
    expect(running.snapshot()).toEqual({
      enrolled: true,
      connection: 'offline',
      lastUploadAt: null,
      queueDepth: 0,
      policyVersion: null,
      settings: DEFAULT_POLICY_SETTINGS,
    });
    const offlineChanges = changes;
    expect(offlineChanges).toBeGreaterThan(0);

    keyboard.type('i want to kill myself ');
    await eventually(() => running.snapshot().queueDepth === 1);
    expect(changes).toBeGreaterThan(offlineChanges);
    // Nothing captured travels in the snapshot.
    expect(JSON.stringify(running.snapshot())).not.toMatch(/kill|myself/);

    consoleSide.state.online = true;
    await running.policySync.sync();
    await eventually(() => running.snapshot().queueDepth === 0, 5_000);
    const snap = running.snapshot();
    expect(snap).toMatchObject({ enrolled: true, connection: 'online', policyVersion: 'hill-7' });
    expect(snap.settings).toEqual(schoolPolicy.settings);
    expect(consoleSide.state.uploads).toHaveLength(1);
    expect(Date.parse(snap.lastUploadAt!)).not.toBeNaN();

    unsubscribe();
    const before = changes;
    consoleSide.state.online = false;
    await running.engine.reportConcern('help', null);
    await eventually(() => running.snapshot().queueDepth === 1);
    expect(changes).toBe(before);
  });
});
