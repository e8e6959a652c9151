import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startDesktop, type Desktop } from './support/desktop';
import { run, sleep, waitFor } from './support/processes';
import { enrolAgent, startConsole, type Agent, type ExportedCapture, type RunningConsole } from './support/vigil';

/**
 * The whole path once, with real parts: a real console on a free port, a real agent enrolled
 * with the school's token, real key events typed into a real xterm on a real X display, and
 * the capture read back through the console's export.
 */
describe('walking skeleton: keystroke to console', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-'));
  let desktop: Desktop;
  let server: RunningConsole;
  let agent: Agent | undefined;

  beforeAll(async () => {
    desktop = await startDesktop(1280, 800);
    server = await startConsole(path.join(work, 'console'));
  });

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    await desktop?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('a phrase typed in a terminal (half deleted and retyped) reaches the console once, with a screenshot of the screen', async () => {
    const school = await server.createSchool('Oak Academy');
    agent = await enrolAgent(path.join(work, 'agent'), server.url, school.enrolmentToken, { DISPLAY: desktop.display });
    await agent.start();
    // The console has the device's first heartbeat.
    await waitFor('the agent to report in', async () => {
      const devices = JSON.parse(await server.cli('list-devices', '--school', school.id, '--json')) as {
        policyVersion: string | null;
      }[];
      return devices.length === 1 && devices[0]!.policyVersion !== null ? true : undefined;
    });

    const terminal = await desktop.openTerminal('Vigil e2e terminal');
    // The phrase is completed, half deleted and retyped, as people correct themselves: the
    // matcher's stream follows the backspaces and the phrase is still seen once.
    await desktop.type(terminal, 'echo i want to kill myself ');
    await run('xdotool', ['key', '--delay', '40', '--repeat', '5', 'BackSpace'], { DISPLAY: desktop.display });
    await desktop.type(terminal, 'yself tonight\n');

    const exportCaptures = () => server.exportCaptures(school.id);
    const captures = await waitFor(
      'the capture to reach the console',
      async () => {
        const list = await exportCaptures();
        return list.length > 0 ? list : undefined;
      },
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nagent output:\n${agent?.process?.output() ?? ''}`);
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
