import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { CaptureMetadata } from '@vigil/shared';
import { startDesktop, type Desktop } from './support/desktop';
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

/**
 * The whole path once, with real parts: a real console on a free port, a real agent enrolled
 * with the school's token, real key events typed into a real xterm on a real X display, and
 * the capture read back through the console's export.
 */
describe('walking skeleton: keystroke to console', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-'));
  const consoleEnv = { VIGIL_DATA_DIR: path.join(work, 'console'), VIGIL_LOG_LEVEL: 'warn' };
  let desktop: Desktop;
  let consoleProcess: Background;
  let agentProcess: Background | undefined;
  let consoleUrl: string;

  const consoleCli = async (...args: string[]) => (await run('node', [CONSOLE_CLI, ...args], consoleEnv)).stdout;

  beforeAll(async () => {
    desktop = await startDesktop(1280, 800);
    const port = await freePort();
    consoleUrl = `http://127.0.0.1:${port}`;
    consoleProcess = background('node', [CONSOLE_CLI, 'serve'], {
      ...consoleEnv,
      PORT: String(port),
      VIGIL_HOST: '127.0.0.1',
    });
    await waitFor('the console /health', async () => {
      const res = await fetch(`${consoleUrl}/health`);
      return res.ok ? ((await res.json()) as { status: string }) : undefined;
    });
  });

  afterAll(async () => {
    await agentProcess?.stop();
    await consoleProcess?.stop();
    await desktop?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('a phrase typed in a terminal reaches the console once, with a screenshot of the screen', async () => {
    const school = JSON.parse(await consoleCli('create-school', '--name', 'Oak Academy', '--json')) as {
      id: string;
      enrolmentToken: string;
    };
    const agentEnv = { VIGIL_AGENT_DATA_DIR: path.join(work, 'agent'), DISPLAY: desktop.display };
    await run('node', [AGENT_CLI, 'enrol', '--console', consoleUrl, '--token', school.enrolmentToken], agentEnv);

    agentProcess = background('node', [AGENT_CLI, 'run'], agentEnv);
    // The agent is up when the console has its first heartbeat and its keyboard listener is on.
    await waitFor(
      'the agent to report in',
      async () => {
        if (agentProcess!.child.exitCode !== null) throw new Error(`agent exited:\n${agentProcess!.output()}`);
        const devices = JSON.parse(await consoleCli('list-devices', '--school', school.id, '--json')) as {
          policyVersion: string | null;
        }[];
        const status = JSON.parse((await run('node', [AGENT_CLI, 'status', '--json'], agentEnv)).stdout) as {
          keyboard?: string;
        };
        return devices.length === 1 && devices[0]!.policyVersion !== null && status.keyboard === 'listening'
          ? true
          : undefined;
      },
      30_000,
    );

    const terminal = await desktop.openTerminal('Vigil e2e terminal');
    await desktop.type(terminal, 'echo i want to kill myself tonight\n');

    const exportCaptures = async () =>
      JSON.parse(await consoleCli('export-captures', '--school', school.id, '--json')) as ExportedCapture[];
    const captures = await waitFor(
      'the capture to reach the console',
      async () => {
        const list = await exportCaptures();
        return list.length > 0 ? list : undefined;
      },
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nagent output:\n${agentProcess!.output()}`);
    });
    // Give a duplicate upload every chance to arrive, then check there is still exactly one.
    await sleep(3000);
    expect(await exportCaptures()).toHaveLength(1);

    const [capture] = captures as [ExportedCapture];
    expect(capture.source).toBe('typed');
    expect(capture.severity).toBe(5);
    // The match points at the typed words in the capture's context.
    const matched = capture.matches.map((m) => capture.context.slice(m.start, m.end).toLowerCase());
    expect(matched.some((text) => text.includes('kill myself'))).toBe(true);

    const image = sharp(fs.readFileSync(capture.screenshotPath));
    const meta = await image.metadata();
    expect(['webp', 'png']).toContain(meta.format);
    // The whole screen, with the evidence banner (time, device, user) added below it.
    expect(meta.width).toBe(desktop.width);
    expect(meta.height).toBeGreaterThan(desktop.height);
    expect(meta.height).toBeLessThan(desktop.height + 60);
    // Not blank, and a picture of this screen: the white terminal on the black desktop, with
    // the typed line in dark text along its top.
    const stats = await image.stats();
    expect(Math.max(...stats.channels.map((c) => c.stdev))).toBeGreaterThan(10);
    const meanOf = async (left: number, top: number, width: number, height: number) => {
      const pixels = await sharp(fs.readFileSync(capture.screenshotPath))
        .extract({ left, top, width, height })
        .greyscale()
        .png()
        .toBuffer();
      const region = await sharp(pixels).stats();
      return { mean: region.channels[0]!.mean, min: region.channels[0]!.min };
    };
    expect((await meanOf(200, 300, 800, 300)).mean).toBeGreaterThan(230); // terminal body
    expect((await meanOf(0, 0, 30, 30)).mean).toBeLessThan(40); // desktop corner
    const banner = await meanOf(0, desktop.height, desktop.width, meta.height! - desktop.height);
    expect(banner.mean).toBeLessThan(80);
    const typedLine = await meanOf(45, 62, 600, 24);
    expect(typedLine.min).toBeLessThan(60); // dark glyphs
    expect(typedLine.mean).toBeLessThan(235);
  });
});
