import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDesktop, type Desktop } from './support/desktop';
import { NetworkProxy } from './support/network-proxy';
import { sleep, waitFor } from './support/processes';
import { capturesOf, enrolAgent, startConsole, type Agent, type RunningConsole } from './support/vigil';

/** Running (not zombie) X11KeyServer processes whose parent is `parent`. */
function keyHelpersOf(parent: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [, comm = '', rest = ''] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? [];
        const [state, ppid] = rest.split(' ');
        return comm === 'X11KeyServer' && state !== 'Z' && Number(ppid) === parent;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const PHRASES = ['kill myself', 'want to die', 'end my life', 'cut myself', 'send nudes', 'going country'];

/**
 * Nothing lost, nothing doubled: captures made while the console is unreachable are queued and
 * arrive once when it is back, even when the agent is killed (kill -9) after the console stored
 * a capture but before the agent heard that it had.
 */
describe('offline, then back, with a kill -9 mid-upload', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-resilience-'));
  let desktop: Desktop;
  let server: RunningConsole;
  let agent: Agent | undefined;
  let proxy: NetworkProxy;

  beforeAll(async () => {
    desktop = await startDesktop(1280, 800);
    server = await startConsole(path.join(work, 'console'));
    // The agent reaches the console through a network the test controls.
    proxy = new NetworkProxy(new URL(server.url));
    await proxy.online();
  });

  afterAll(async () => {
    proxy?.release();
    await proxy?.offline();
    await agent?.stop();
    await server?.stop();
    await desktop?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('every capture arrives exactly once', async () => {
    const school = await server.createSchool('Beech Academy');
    const a = await enrolAgent(path.join(work, 'agent'), proxy.url, school.enrolmentToken, {
      DISPLAY: desktop.display,
      VIGIL_RETRY_MAX_SECONDS: '2',
      VIGIL_OCR: 'off',
    });
    agent = a;
    const exportCaptures = () => server.exportCaptures(school.id);

    await a.start();
    await proxy.offline();

    const terminal = await desktop.openTerminal('Vigil resilience terminal');
    for (const phrase of PHRASES) await desktop.type(terminal, `echo i ${phrase}\n`);
    await waitFor('every capture to be queued while offline', async () => {
      const { queueDepth } = await a.status();
      if (queueDepth !== PHRASES.length) throw new Error(`${queueDepth} queued\n${a.process?.output() ?? ''}`);
      return true;
    });
    expect(await exportCaptures()).toEqual([]);

    // Back online, but the console's answer to the first upload is held: the console has the
    // capture, the agent does not know it yet. Now kill the agent outright.
    proxy.holdUploadAnswers = true;
    await proxy.online();
    await proxy.nextHeldAnswer();
    const keyHelpers = keyHelpersOf(a.process!.child.pid!);
    expect(keyHelpers).toHaveLength(1);
    a.process!.child.kill('SIGKILL');
    await a.stop();
    expect(await exportCaptures()).toHaveLength(1);
    // The killed agent's X11 key helper goes at the next key press (its pipe is gone), so a
    // restarted agent does not share the keyboard with a leftover one.
    await desktop.type(terminal, ' ');
    await waitFor("the killed agent's key helper to exit", async () =>
      keyHelpers.every((pid) => !isRunning(pid)) ? true : undefined,
    );
    proxy.release();

    await a.start();
    const captures = await waitFor(
      'every capture to arrive',
      async () => {
        const list = await exportCaptures();
        return list.length >= PHRASES.length && (await a.status()).queueDepth === 0 ? list : undefined;
      },
      60_000,
    );
    await sleep(3000); // a duplicate would have every chance to arrive
    const final = await exportCaptures();
    expect(final).toHaveLength(PHRASES.length);
    expect(new Set(final.map((c) => c.id)).size).toBe(PHRASES.length);
    // Each phrase is in exactly one capture.
    for (const phrase of PHRASES) expect([phrase, capturesOf(final, phrase).length]).toEqual([phrase, 1]);
    expect(captures.every((c) => fs.existsSync(c.screenshotPath))).toBe(true);
  });
});
