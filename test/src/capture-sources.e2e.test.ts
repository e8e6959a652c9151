import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
 * The capture sources besides the keyboard, end to end: a real console, a real agent on a real X
 * display, text put on screen, in a window title and on the clipboard by real programs, and a
 * password prompt whose typed text must never reach the console. One console, desktop and agent
 * for the file; each test uses its own phrase and looks only at the captures of that phrase.
 */
describe('capture sources: screen, title, clipboard, password prompt', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-sources-'));
  const consoleEnv = { VIGIL_DATA_DIR: path.join(work, 'console'), VIGIL_LOG_LEVEL: 'warn' };
  let desktop: Desktop;
  let consoleProcess: Background;
  let agentProcess: Background | undefined;
  let schoolId: string;

  const consoleCli = async (...args: string[]) => (await run('node', [CONSOLE_CLI, ...args], consoleEnv)).stdout;
  const exportCaptures = async () =>
    JSON.parse(await consoleCli('export-captures', '--school', schoolId, '--json')) as ExportedCapture[];
  /** Captures with a match on `phrase`: the list entry may be the phrase or a longer one around it. */
  const withPhrase = (captures: ExportedCapture[], phrase: string) =>
    captures.filter((c) =>
      c.matches.some(
        (m) =>
          m.phrase.toLowerCase().includes(phrase) || c.context.slice(m.start, m.end).toLowerCase().includes(phrase),
      ),
    );

  /** Waits until a capture of `phrase` from `source` reaches the console; returns every capture of the phrase. */
  const waitForCapture = (phrase: string, source: string, timeoutMs = 30_000) =>
    waitFor(
      `a ${source} capture of "${phrase}"`,
      async () => {
        const found = withPhrase(await exportCaptures(), phrase);
        return found.some((c) => c.source === source) ? found : undefined;
      },
      timeoutMs,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nagent output:\n${agentProcess?.output() ?? ''}`);
    });

  beforeAll(async () => {
    desktop = await startDesktop(1280, 800);
    const port = await freePort();
    const consoleUrl = `http://127.0.0.1:${port}`;
    consoleProcess = background('node', [CONSOLE_CLI, 'serve'], {
      ...consoleEnv,
      PORT: String(port),
      VIGIL_HOST: '127.0.0.1',
    });
    await waitFor('the console /health', async () => {
      const res = await fetch(`${consoleUrl}/health`);
      return res.ok ? true : undefined;
    });
    const school = JSON.parse(await consoleCli('create-school', '--name', 'Elm Academy', '--json')) as {
      id: string;
      enrolmentToken: string;
    };
    schoolId = school.id;
    const agentEnv = { VIGIL_AGENT_DATA_DIR: path.join(work, 'agent'), DISPLAY: desktop.display };
    await run('node', [AGENT_CLI, 'enrol', '--console', consoleUrl, '--token', school.enrolmentToken], agentEnv);
    agentProcess = background('node', [AGENT_CLI, 'run'], agentEnv);
    await waitFor(
      'the agent to listen',
      async () => {
        if (agentProcess!.child.exitCode !== null) throw new Error(`agent exited:\n${agentProcess!.output()}`);
        const status = JSON.parse((await run('node', [AGENT_CLI, 'status', '--json'], agentEnv)).stdout) as {
          keyboard?: string;
        };
        return status.keyboard === 'listening' ? true : undefined;
      },
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    await agentProcess?.stop();
    await consoleProcess?.stop();
    await desktop?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('a phrase shown on screen that was never typed is captured from the screen (OCR), once', async () => {
    await desktop.openTerminal(
      'Group chat',
      'printf "Sam: are you coming tonight?\\nAlex: no. honestly i want to end my life\\n"; sleep 120',
    );
    const found = await waitForCapture('end my life', 'screen');
    // Give a repeat capture of the same text every chance (two more OCR intervals), then check.
    await sleep(12_000);
    const all = withPhrase(await exportCaptures(), 'end my life');
    expect(all.map((c) => c.source)).toEqual(['screen']);
    expect(all[0]).toMatchObject({ app: 'XTerm', windowTitle: 'Group chat', severity: 5 });
    expect(all[0]!.context.toLowerCase()).toContain('end my life');
    expect(found).toHaveLength(1);
  });

  it('a phrase in a window title is captured from the title, once', async () => {
    await desktop.openTerminal('how to kill myself - Search');
    await waitForCapture('kill myself', 'title');
    await sleep(3_000);
    const all = withPhrase(await exportCaptures(), 'kill myself');
    expect(all.map((c) => c.source)).toEqual(['title']);
    expect(all[0]).toMatchObject({
      windowTitle: 'how to kill myself - Search',
      context: 'how to kill myself - Search',
    });
  });

  it('a phrase copied to the clipboard is captured from the clipboard, once', async () => {
    await desktop.openTerminal('Notes');
    await desktop.copy('everyone would be better off, i want to die');
    await waitForCapture('want to die', 'clipboard');
    await sleep(3_000);
    const all = withPhrase(await exportCaptures(), 'want to die');
    expect(all.map((c) => c.source)).toEqual(['clipboard']);
    expect(all[0]!.context).toBe('everyone would be better off, i want to die');
  });

  it('a phrase typed into a password prompt is never captured, while one typed elsewhere is', async () => {
    const prompt = await desktop.openTerminal('Enter password');
    await sleep(1_500); // the agent sees the prompt take focus
    await desktop.type(prompt, 'i will cut myself\n');
    // Something that IS captured, typed after it: once it is in, the prompt's phrase had every chance.
    const diary = await desktop.openTerminal('Diary');
    await sleep(1_500);
    await desktop.type(diary, 'echo nobody cares, unalive me\n');
    await waitForCapture('unalive', 'typed');
    await sleep(3_000);
    const captures = await exportCaptures();
    expect(withPhrase(captures, 'cut myself')).toEqual([]);
    expect(withPhrase(captures, 'unalive').map((c) => c.source)).toContain('typed');
    expect(JSON.stringify(captures)).not.toContain('cut myself');
  });
});
