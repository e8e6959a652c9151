import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDesktop, type Desktop } from './support/desktop';
import { sleep, waitFor } from './support/processes';
import { capturesOf, enrolAgent, startConsole, type Agent, type RunningConsole } from './support/vigil';

/**
 * The capture sources besides the keyboard, end to end: a real console, a real agent on a real X
 * display, text put on screen, in a window title and on the clipboard by real programs, and a
 * password prompt whose typed text must never reach the console. One console, desktop and agent
 * for the file; each test uses its own phrase and looks only at the captures of that phrase.
 */
describe('capture sources: screen, title, clipboard, password prompt', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-sources-'));
  let desktop: Desktop;
  let server: RunningConsole;
  let agent: Agent | undefined;
  let schoolId: string;

  const exportCaptures = () => server.exportCaptures(schoolId);

  /** Waits until a capture of `phrase` from `source` reaches the console; returns every capture of the phrase. */
  const waitForCapture = (phrase: string, source: string, timeoutMs = 30_000) =>
    waitFor(
      `a ${source} capture of "${phrase}"`,
      async () => {
        const found = capturesOf(await exportCaptures(), phrase);
        return found.some((c) => c.source === source) ? found : undefined;
      },
      timeoutMs,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nagent output:\n${agent?.process?.output() ?? ''}`);
    });

  beforeAll(async () => {
    desktop = await startDesktop(1280, 800);
    server = await startConsole(path.join(work, 'console'));
    const school = await server.createSchool('Elm Academy');
    schoolId = school.id;
    agent = await enrolAgent(path.join(work, 'agent'), server.url, school.enrolmentToken, { DISPLAY: desktop.display });
    await agent.start();
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
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
    const all = capturesOf(await exportCaptures(), 'end my life');
    if (all.length !== 1) {
      // What told the captures apart, for whoever reads a failure (never the captured context).
      const seen = all.map((c) => ({ source: c.source, app: c.app, windowTitle: c.windowTitle, at: c.capturedAt }));
      console.error(`captures of "end my life": ${JSON.stringify(seen)}`);
    }
    expect(all.map((c) => c.source)).toEqual(['screen']);
    expect(all[0]).toMatchObject({ app: 'XTerm', windowTitle: 'Group chat', severity: 5 });
    expect(all[0]!.context.toLowerCase()).toContain('end my life');
    expect(found).toHaveLength(1);
  });

  it('a phrase in a window title is captured from the title, once', async () => {
    await desktop.openTerminal('how to kill myself - Search');
    await waitForCapture('kill myself', 'title');
    await sleep(3_000);
    const all = capturesOf(await exportCaptures(), 'kill myself');
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
    const all = capturesOf(await exportCaptures(), 'want to die');
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
    expect(capturesOf(captures, 'cut myself')).toEqual([]);
    expect(capturesOf(captures, 'unalive').map((c) => c.source)).toContain('typed');
    expect(JSON.stringify(captures)).not.toContain('cut myself');
  });
});
