/**
 * The tray wired to the real daemon, as main.ts and engine-process.ts wire them, minus Electron:
 * the daemon (real engine, real SQLite outbox, real HTTP to a test console; fake keyboard and
 * screen) serves the tray over the message protocol, the TrayShell drives a recording view.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENT_API } from '@vigil/shared';
import { startDaemon, type DaemonHandle } from '../daemon';
import { loadConfig } from '../platform/config';
import { FileCredentialsStore } from '../platform/credentials.file';
import { FakeKeyboard } from '../platform/keyboard.fake';
import { FakeScreenshot } from '../platform/screenshot.fake';
import { MemoryLogger } from '../test-support/memory-logger';
import { formDataOf, startTestServer, type TestServer } from '../test-support/test-server';
import { trayPortOf } from './engine-host';
import { RemoteEngine, serveEngine, type MessageLink } from './engine-rpc';
import { TrayShell, type ShellView } from './tray-shell';
import type { TrayMenuModel } from './tray-menu';
import type { PageName } from './window-security';

function linkPair(): [MessageLink, MessageLink] {
  const listeners: [Set<(m: unknown) => void>, Set<(m: unknown) => void>] = [new Set(), new Set()];
  const end = (mine: 0 | 1): MessageLink => ({
    post: (message) => {
      const copy = structuredClone(message);
      setImmediate(() => listeners[mine === 0 ? 1 : 0].forEach((l) => l(copy)));
    },
    onMessage: (listener) => {
      listeners[mine].add(listener);
      return () => listeners[mine].delete(listener);
    },
  });
  return [end(0), end(1)];
}

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the tray on the real daemon', () => {
  let dir: string;
  let server: TestServer;
  let daemon: DaemonHandle;
  let shell: TrayShell;
  const uploads: { source: string; severity: number; context: string; matches: { category: string }[] }[] = [];
  const view: ShellView & { tray: TrayMenuModel | null; opened: PageName[] } = {
    tray: null,
    opened: [],
    setTray(model) {
      view.tray = model;
    },
    openWindow(page) {
      view.opened.push(page);
    },
    closeWindow: () => undefined,
  };
  const label = (id: string) => {
    const item = view.tray?.items.find((i) => i.id === id);
    return item && 'label' in item ? item.label : undefined;
  };
  const keyboard = new FakeKeyboard();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-tray-'));
    server = await startTestServer(async (request) => {
      if (request.path === AGENT_API.heartbeat) {
        return { status: 200, body: { serverTime: new Date().toISOString(), policyVersion: 'starter-1' } };
      }
      if (request.path === AGENT_API.captures) {
        const metadata = JSON.parse(String((await formDataOf(request)).get('metadata'))) as (typeof uploads)[number] & {
          id: string;
        };
        uploads.push(metadata);
        return { status: 201, body: { id: metadata.id, duplicate: false } };
      }
      return { status: 304 };
    });
    await new FileCredentialsStore(path.join(dir, 'credentials.json')).write({
      deviceId: 'dev-1',
      deviceSecret: 'secret',
      schoolId: 's1',
      schoolName: 'Hill School',
      consoleUrl: server.url,
      enrolledAt: new Date().toISOString(),
    });
    daemon = await startDaemon(loadConfig({ VIGIL_AGENT_DATA_DIR: dir, VIGIL_LOG_LEVEL: 'silent' }), {
      keyboard,
      screenshot: new FakeScreenshot(),
      clipboard: null,
      screenText: null,
      log: new MemoryLogger(),
    });
    const [engineEnd, trayEnd] = linkPair();
    serveEngine(trayPortOf(daemon), engineEnd);
    const remote = new RemoteEngine();
    remote.attach(trayEnd);
    shell = new TrayShell({ engine: remote, view, now: () => Date.now(), log: new MemoryLogger() });
    shell.start();
  });

  afterAll(async () => {
    shell?.stop();
    await daemon?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the menu shows the daemon’s connection', async () => {
    await eventually(() => label('connection') === 'Connected to your school');
    expect(label('monitored')).toMatch(/monitored for safeguarding/);
  });

  it('Report a concern reaches the console as a report capture with the pupil’s words', async () => {
    await shell.action('report');
    expect(view.opened).toContain('report');
    await expect(shell.submitReport('  A boy in a game keeps asking where I live  ')).resolves.toMatchObject({
      ok: true,
    });
    await eventually(() => uploads.some((u) => u.source === 'report'));
    const report = uploads.find((u) => u.source === 'report')!;
    expect(report.severity).toBe(4);
    expect(report.context).toBe('A boy in a game keeps asking where I live');
    await eventually(() => label('last-upload') === 'Last sent: just now');
  });

  it('a serious self-harm or suicide capture shows the support card once', async () => {
    keyboard.type('i want to kill myself ');
    await eventually(() => view.opened.includes('support'));
    keyboard.type('i want to kill myself again ');
    await eventually(() => uploads.filter((u) => u.source === 'typed').length >= 1);
    expect(view.opened.filter((p) => p === 'support')).toHaveLength(1);
  });
});
