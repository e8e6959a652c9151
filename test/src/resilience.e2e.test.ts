import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CaptureMetadata } from '@vigil/shared';
import { startDesktop, type Desktop } from './support/desktop';
import { NetworkProxy } from './support/network-proxy';
import {
  AGENT_CLI,
  CONSOLE_CLI,
  background,
  freePort,
  run,
  sleep,
  waitFor,
  type Background,
} from './support/processes';

type ExportedCapture = CaptureMetadata & { screenshotPath: string };

const PHRASES = ['kill myself', 'want to die', 'end my life', 'cut myself', 'send nudes', 'going country'];

/**
 * Nothing lost, nothing doubled: captures made while the console is unreachable are queued and
 * arrive once when it is back, even when the agent is killed (kill -9) after the console stored
 * a capture but before the agent heard that it had.
 */
describe('offline, then back, with a kill -9 mid-upload', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-resilience-'));
  const consoleEnv = { VIGIL_DATA_DIR: path.join(work, 'console'), VIGIL_LOG_LEVEL: 'warn' };
  let desktop: Desktop;
  let consoleProcess: Background;
  let agentProcess: Background | undefined;
  let proxy: NetworkProxy;

  const consoleCli = async (...args: string[]) => (await run('node', [CONSOLE_CLI, ...args], consoleEnv)).stdout;

  beforeAll(async () => {
    desktop = await startDesktop(1280, 800);
    const port = await freePort();
    consoleProcess = background('node', [CONSOLE_CLI, 'serve'], {
      ...consoleEnv,
      PORT: String(port),
      VIGIL_HOST: '127.0.0.1',
    });
    await waitFor('the console /health', async () =>
      (await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined,
    );
    proxy = new NetworkProxy(new URL(`http://127.0.0.1:${port}`));
    await proxy.online();
  });

  afterAll(async () => {
    proxy?.release();
    await proxy?.offline();
    await agentProcess?.stop();
    await consoleProcess?.stop();
    await desktop?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('every capture arrives exactly once', async () => {
    const school = JSON.parse(await consoleCli('create-school', '--name', 'Beech Academy', '--json')) as {
      id: string;
      enrolmentToken: string;
    };
    const agentEnv = {
      VIGIL_AGENT_DATA_DIR: path.join(work, 'agent'),
      DISPLAY: desktop.display,
      VIGIL_RETRY_MAX_SECONDS: '2',
      VIGIL_OCR: 'off',
    };
    await run('node', [AGENT_CLI, 'enrol', '--console', proxy.url, '--token', school.enrolmentToken], agentEnv);
    const agentStatus = async () =>
      JSON.parse((await run('node', [AGENT_CLI, 'status', '--json'], agentEnv)).stdout) as {
        keyboard?: string;
        queueDepth: number;
        running?: boolean;
      };
    const startAgent = async () => {
      agentProcess = background('node', [AGENT_CLI, 'run'], agentEnv);
      await waitFor(
        'the agent keyboard',
        async () => {
          if (agentProcess!.child.exitCode !== null) throw new Error(`agent exited:\n${agentProcess!.output()}`);
          return (await agentStatus()).keyboard === 'listening' ? true : undefined;
        },
        30_000,
      );
    };
    const exportCaptures = async () =>
      JSON.parse(await consoleCli('export-captures', '--school', school.id, '--json')) as ExportedCapture[];

    await startAgent();
    await proxy.offline();

    const terminal = await desktop.openTerminal('Vigil resilience terminal');
    for (const phrase of PHRASES) await desktop.type(terminal, `echo i ${phrase}\n`);
    await waitFor('every capture to be queued while offline', async () => {
      const { queueDepth } = await agentStatus();
      if (queueDepth !== PHRASES.length) throw new Error(`${queueDepth} queued\n${agentProcess!.output()}`);
      return true;
    });
    expect(await exportCaptures()).toEqual([]);

    // Back online, but the console's answer to the first upload is held: the console has the
    // capture, the agent does not know it yet. Now kill the agent outright.
    proxy.holdUploadAnswers = true;
    await proxy.online();
    await proxy.nextHeldAnswer();
    agentProcess!.child.kill('SIGKILL');
    await agentProcess!.stop();
    expect(await exportCaptures()).toHaveLength(1);
    proxy.release();

    await startAgent();
    const captures = await waitFor(
      'every capture to arrive',
      async () => {
        const list = await exportCaptures();
        return list.length >= PHRASES.length && (await agentStatus()).queueDepth === 0 ? list : undefined;
      },
      60_000,
    );
    await sleep(3000); // a duplicate would have every chance to arrive
    const final = await exportCaptures();
    expect(final).toHaveLength(PHRASES.length);
    expect(new Set(final.map((c) => c.id)).size).toBe(PHRASES.length);
    // Each phrase is in exactly one capture (the list entry may be the phrase or a longer one around it).
    const capturesOf = (phrase: string) =>
      final.filter((c) => c.matches.some((m) => c.context.slice(m.start, m.end).toLowerCase().includes(phrase)));
    for (const phrase of PHRASES) expect([phrase, capturesOf(phrase).length]).toEqual([phrase, 1]);
    expect(captures.every((c) => fs.existsSync(c.screenshotPath))).toBe(true);
  });
});
