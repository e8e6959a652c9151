// The capture sources with the platform's fakes and the real engine. It sits here, not beside
// core/, because the core's lint fence keeps files under core/ from importing adapters.
import { BUILTIN_LIST, BUILTIN_POLICY_VERSION } from './core/builtin-list';
import { startCaptureSources, type CaptureSources } from './core/capture-sources';
import { CaptureEngine } from './core/engine';
import type { OutboxItem } from './core/ports';
import { FakeClipboard } from './platform/clipboard.fake';
import { FakeKeyboard } from './platform/keyboard.fake';
import { MemoryOutbox } from './platform/outbox.memory';
import { FakeScreenText } from './platform/screen-text.fake';
import { FakeScreenshot } from './platform/screenshot.fake';
import { FakeWindow } from './platform/window.fake';
import { ManualClock } from './test-support/manual-clock';
import { MemoryLogger } from './test-support/memory-logger';

interface Rig {
  keyboard: FakeKeyboard;
  window: FakeWindow;
  clipboard: FakeClipboard;
  screen: FakeScreenText;
  outbox: MemoryOutbox;
  clock: ManualClock;
  log: MemoryLogger;
  engine: CaptureEngine;
  sources: CaptureSources;
  /** Every queued capture, oldest first. */
  captures(): Promise<OutboxItem['metadata'][]>;
}

let rig: Rig | undefined;

async function setup(
  options: { ocr?: { intervalMs: number; budgetMs: number }; windowPollMs?: number } = {},
): Promise<Rig> {
  const keyboard = new FakeKeyboard();
  const window = new FakeWindow();
  const clipboard = new FakeClipboard();
  const screen = new FakeScreenText();
  const outbox = new MemoryOutbox();
  const clock = new ManualClock();
  const log = new MemoryLogger();
  const engine = new CaptureEngine({
    keywords: BUILTIN_LIST,
    policyVersion: BUILTIN_POLICY_VERSION,
    deviceId: 'device-1',
    user: 'pupil1',
    keyboard,
    screenshot: new FakeScreenshot(),
    activeWindow: window,
    outbox,
    clock,
    log,
  });
  await engine.start();
  const sources = startCaptureSources({
    sink: engine,
    window,
    clipboard,
    screen,
    clock,
    log,
    screenText: options.ocr ?? { intervalMs: 10_000, budgetMs: 5_000 },
    windowPollMs: options.windowPollMs,
  });
  const captures = async () => {
    await engine.idle();
    const items: OutboxItem['metadata'][] = [];
    for (let item = await outbox.peekReady(clock.now()); item; item = await outbox.peekReady(clock.now())) {
      items.push(item.metadata);
      await outbox.ack(item.id);
    }
    return items;
  };
  rig = { keyboard, window, clipboard, screen, outbox, clock, log, engine, sources, captures };
  await clock.advance(0);
  return rig;
}

afterEach(async () => {
  await rig?.sources.stop();
  await rig?.engine.stop();
  rig = undefined;
});

const phrases = (captures: { matches: { phrase: string }[] }[]) => captures.map((c) => c.matches.map((m) => m.phrase));

describe('window watcher', () => {
  it('a focus change starts the typed line afresh: half a phrase in one window and half in another is no match', async () => {
    const { keyboard, window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'Notes', title: 'Homework' });
    await clock.advance(1_000);
    keyboard.type('i want to kill ');
    await clock.advance(1_000); // a poll still sees Notes focused after those keys
    window.focus({ id: '2', app: 'Chat', title: 'Friends' });
    await clock.advance(1_000);
    keyboard.type('myself\n');
    expect(await captures()).toEqual([]);
  });

  it("keys typed after focus moved but before the poll saw it stay in the new window's line", async () => {
    const { keyboard, window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'Notes', title: 'Homework' });
    await clock.advance(1_000);
    window.focus({ id: '2', app: 'Chat', title: 'Friends' });
    await clock.advance(300);
    keyboard.type('i want to kill ');
    await clock.advance(700); // the poll sees Chat now, after keys it cannot place
    keyboard.type('myself\n');
    expect(await captures()).toMatchObject([{ source: 'typed', app: 'Chat', windowTitle: 'Friends' }]);
  });

  it('typed text in the same window is kept while its title changes', async () => {
    const { keyboard, window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'Chat', title: 'Friends' });
    await clock.advance(1_000);
    keyboard.type('i want to kill ');
    window.focus({ id: '1', app: 'Chat', title: '(1) Friends' });
    await clock.advance(1_000);
    keyboard.type('myself\n');
    const [capture, ...rest] = await captures();
    expect(rest).toEqual([]);
    expect(capture).toMatchObject({ source: 'typed', app: 'Chat', windowTitle: '(1) Friends' });
  });

  it('a title that matches is captured once, not at every poll', async () => {
    const { window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'Firefox', title: 'how to kill myself - Google Search' });
    await clock.advance(10_000);
    const found = await captures();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      source: 'title',
      app: 'Firefox',
      windowTitle: 'how to kill myself - Google Search',
      context: 'how to kill myself - Google Search',
    });
    expect(phrases(found)).toEqual([['kill myself']]);
    // Away and back again: the same title is not a new capture.
    window.focus({ id: '2', app: 'Notes', title: 'Homework' });
    await clock.advance(2_000);
    window.focus({ id: '1', app: 'Firefox', title: 'how to kill myself - Google Search' });
    await clock.advance(2_000);
    expect(await captures()).toEqual([]);
  });

  it('a URL that matches is captured with source url', async () => {
    const { window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'Safari', title: 'Search', url: 'https://search.example/?q=i+want+to+die' });
    await clock.advance(1_000);
    expect(await captures()).toMatchObject([{ source: 'url', url: 'https://search.example/?q=i+want+to+die' }]);
  });

  it('a still laptop is polled slowly, and a key brings the next look within a second', async () => {
    const { window, keyboard, clock, captures } = await setup({ windowPollMs: 5_000 });
    window.focus({ id: '1', app: 'Browser', title: 'Homework' });
    await clock.advance(6_000);
    window.focus({ id: '1', app: 'Browser', title: 'how to kill myself - Search' });
    await clock.advance(1_000);
    expect(await captures()).toEqual([]); // not looked at yet: the next poll is up to 5 s away
    rig!.sources.inputSeen();
    keyboard.type('x');
    await clock.advance(1_000);
    expect(await captures()).toMatchObject([{ source: 'title' }]);
  });

  it('titles that match nothing are not captured', async () => {
    const { window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'Firefox', title: 'Photosynthesis - BBC Bitesize' });
    await clock.advance(3_000);
    expect(await captures()).toEqual([]);
  });

  it('a failing window source is logged by code and restarted with backoff, then works again', async () => {
    const { window, clock, log, captures } = await setup();
    window.fail(3);
    await clock.advance(1_000 + 1_000 + 2_000 + 4_000); // fails at 1 s, 2 s, 4 s; works at 8 s
    expect(log.entries.filter((e) => e.event === 'source.failed').map((e) => e.fields)).toEqual([
      { source: 'window', code: 'AGENT_ERR_WINDOW_UNAVAILABLE', failures: 1, retryInMs: 1_000 },
      { source: 'window', code: 'AGENT_ERR_WINDOW_UNAVAILABLE', failures: 2, retryInMs: 2_000 },
      { source: 'window', code: 'AGENT_ERR_WINDOW_UNAVAILABLE', failures: 3, retryInMs: 4_000 },
    ]);
    expect(log.events()).toContain('source.recovered');
    window.focus({ id: '9', app: 'Firefox', title: 'i want to die' });
    await clock.advance(1_000);
    expect(await captures()).toMatchObject([{ source: 'title' }]);
  });
});

describe('password exemption', () => {
  it('keys typed in a password prompt are neither matched nor captured', async () => {
    const { keyboard, window, clock, captures, log } = await setup();
    window.focus({ id: '1', app: 'Firefox', title: 'Enter your password' });
    await clock.advance(1_000);
    keyboard.type('i want to kill myself\n');
    expect(await captures()).toEqual([]);
    window.focus({ id: '2', app: 'Notes', title: 'Diary' });
    await clock.advance(1_000);
    keyboard.type('i want to kill myself\n');
    expect(await captures()).toMatchObject([{ source: 'typed', windowTitle: 'Diary' }]);
    expect(log.text()).not.toContain('myself');
  });

  it('keys typed just after focus left a password prompt are matched before the next poll sees it', async () => {
    const { keyboard, window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'Firefox', title: 'Enter your password' });
    await clock.advance(1_000);
    window.focus({ id: '2', app: 'Notes', title: 'Diary' });
    await clock.advance(100);
    keyboard.type('x'); // ignored, but makes the engine look at the window of the moment
    await clock.advance(100);
    keyboard.type('i want to kill myself ');
    expect(await captures()).toMatchObject([{ source: 'typed', windowTitle: 'Diary' }]);
  });

  it('a typed match is dropped when the window of the moment is a password prompt, even before the poll saw it', async () => {
    const { keyboard, window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'Notes', title: 'Diary' });
    await clock.advance(1_000);
    window.focus({ id: '2', app: 'pinentry', title: 'Passphrase' });
    keyboard.type('kill myself\n');
    expect(await captures()).toEqual([]);
  });

  it('clipboard text copied in a password prompt is not matched', async () => {
    const { clipboard, window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'KeePassXC', title: 'Passwords.kdbx' });
    await clock.advance(1_000);
    clipboard.copy('kill myself');
    await clock.advance(1_000);
    expect(await captures()).toEqual([]);
  });
});

describe('clipboard watcher', () => {
  it('text copied to the clipboard is matched once per change', async () => {
    const { clipboard, window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'Chat', title: 'Friends' });
    await clock.advance(1_000);
    clipboard.copy('honestly i want to kill myself tonight');
    await clock.advance(5_000);
    const found = await captures();
    expect(found).toMatchObject([
      { source: 'clipboard', app: 'Chat', windowTitle: 'Friends', context: 'honestly i want to kill myself tonight' },
    ]);
    expect(phrases(found)).toEqual([['kill myself']]);
  });

  it('what was on the clipboard when the agent started is not reported again', async () => {
    const { clipboard, clock, captures, screen } = await setup();
    await rig!.sources.stop();
    clipboard.copy('kill myself');
    screen.show('');
    const again = startCaptureSources({
      sink: rig!.engine,
      window: rig!.window,
      clipboard,
      screen: null,
      clock,
      log: rig!.log,
    });
    rig!.sources = again;
    await clock.advance(5_000);
    expect(await captures()).toEqual([]);
  });

  it('a clipboard that fails is retried and does not stop the other sources', async () => {
    const { clipboard, window, clock, captures, log } = await setup();
    clipboard.fail(2);
    window.focus({ id: '1', app: 'Firefox', title: 'i want to die' });
    await clock.advance(5_000);
    expect(await captures()).toMatchObject([{ source: 'title' }]);
    expect(log.entries.filter((e) => e.event === 'source.failed').map((e) => e.fields.source)).toEqual([
      'clipboard',
      'clipboard',
    ]);
  });
});

describe('screen text watcher', () => {
  it('text on screen that was never typed is captured with source screen', async () => {
    const { screen, window, clock, captures } = await setup();
    screen.show('Alex: honestly\ni want to kill myself');
    window.focus({ id: '1', app: 'Chat', title: 'Friends', bounds: { x: 10, y: 20, width: 300, height: 200 } });
    await clock.advance(5_000); // the screen was read at start: the budget allows the next read 5 s later
    const found = await captures();
    expect(found).toMatchObject([
      { source: 'screen', app: 'Chat', windowTitle: 'Friends', context: 'Alex: honestly i want to kill myself' },
    ]);
    // The active window's region is read, not the whole screen.
    expect(screen.grabs.at(-1)).toEqual({ x: 10, y: 20, width: 300, height: 200 });
  });

  it('with no window focused the screen is not read; once one has focus, text on screen is captured once, keyed to it', async () => {
    const { screen, window, clock, captures } = await setup();
    window.blur();
    screen.show('Alex: no. honestly i want to kill myself');
    await clock.advance(10_000);
    expect(await captures()).toEqual([]);
    window.focus({ id: '7', app: 'XTerm', title: 'Group chat' });
    await clock.advance(20_000);
    expect(await captures()).toMatchObject([{ source: 'screen', app: 'XTerm', windowTitle: 'Group chat' }]);
  });

  it('an unchanged frame is not read again, and a phrase still on screen is not captured again', async () => {
    const { screen, window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'Chat', title: 'Friends' });
    screen.show('i want to kill myself');
    await clock.advance(5_000);
    expect(await captures()).toHaveLength(1);
    const read = screen.recognitions;
    await clock.advance(60_000);
    expect(screen.recognitions).toBe(read); // same hash: no OCR
    expect(rig!.sources.screen!.stats.unchanged).toBeGreaterThan(0);
    // The frame changes (a new message) but the phrase is the same one, once: no new capture.
    screen.show('i want to kill myself\nSam: what?');
    await clock.advance(10_000);
    expect(screen.recognitions).toBe(read + 1);
    await clock.advance(60_000);
    expect(await captures()).toEqual([]);
    // The phrase said again in a new message is a new capture.
    screen.show('i want to kill myself\nSam: what?\nAlex: i said i want to kill myself');
    await clock.advance(10_000);
    expect(await captures()).toMatchObject([{ source: 'screen' }]);
  });

  it('a still screen is looked at less and less often, and a window change looks again at once', async () => {
    const { screen, window, clock } = await setup({ ocr: { intervalMs: 10_000, budgetMs: 5_000 } });
    window.focus({ id: '1', app: 'Reader', title: 'A long article' });
    screen.show('a still page');
    await clock.advance(10 * 60_000);
    // Every 10 s would be 60 grabs; doubling up to once a minute is about a dozen.
    const grabs = rig!.sources.screen!.stats.grabs;
    expect(grabs).toBeLessThanOrEqual(15);
    expect(grabs).toBeGreaterThanOrEqual(9);
    window.focus({ id: '2', app: 'Chat', title: 'Friends' });
    screen.show('a new window');
    await clock.advance(2_000);
    expect(rig!.sources.screen!.stats.grabs).toBe(grabs + 1);
  });

  it('where the platform has a cheap probe, an unchanged screen is probed, not grabbed', async () => {
    const { screen, window, clock, captures } = await setup({ ocr: { intervalMs: 10_000, budgetMs: 5_000 } });
    screen.probing = true;
    window.focus({ id: '1', app: 'Chat', title: 'Friends' });
    screen.show('hello');
    await clock.advance(10_000);
    const grabbed = screen.grabs.length;
    await clock.advance(10 * 60_000);
    expect(screen.grabs).toHaveLength(grabbed);
    expect(screen.probes).toBeGreaterThan(5);
    // A new message changes the probe: the frame is grabbed and read.
    screen.show('hello\nAlex: i want to kill myself');
    await clock.advance(3 * 60_000);
    expect(screen.grabs).toHaveLength(grabbed + 1);
    expect(await captures()).toMatchObject([{ source: 'screen' }]);
  });

  it('text on screen is keyed to the window of the moment, not the last (slow) window poll', async () => {
    const { screen, window, clock, captures } = await setup({ windowPollMs: 60_000 });
    window.focus({ id: '1', app: 'Notes', title: 'Homework' });
    screen.show('homework notes');
    await clock.advance(11_000);
    window.focus({ id: '2', app: 'Chat', title: 'Group chat' });
    screen.show('Alex: i want to end my life');
    await clock.advance(25_000); // the OCR looks again before the next window poll
    expect(await captures()).toMatchObject([{ source: 'screen', app: 'Chat', windowTitle: 'Group chat' }]);
  });

  it('at most one OCR per budget, however often the window changes', async () => {
    const { screen, window, clock } = await setup({ ocr: { intervalMs: 10_000, budgetMs: 5_000 } });
    const t0 = clock.now();
    const readAt: number[] = [];
    const recognise = screen.recognise.bind(screen);
    screen.recognise = (frame) => {
      readAt.push(clock.now() - t0);
      return recognise(frame);
    };
    for (let i = 0; i < 20; i++) {
      window.focus({ id: String(i), app: 'Browser', title: `Page ${i}` });
      screen.show(`page ${i}`);
      await clock.advance(1_000);
    }
    expect(readAt.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < readAt.length; i++) expect(readAt[i]! - readAt[i - 1]!).toBeGreaterThanOrEqual(5_000);
  });

  it("the school's budget, when its policy changes it, holds from then on", async () => {
    const { screen, window, clock, sources } = await setup({ ocr: { intervalMs: 10_000, budgetMs: 5_000 } });
    sources.screen!.setBudgetMs(20_000);
    const t0 = clock.now();
    const readAt: number[] = [];
    const recognise = screen.recognise.bind(screen);
    screen.recognise = (frame) => {
      readAt.push(clock.now() - t0);
      return recognise(frame);
    };
    for (let i = 0; i < 60; i++) {
      window.focus({ id: String(i), app: 'Browser', title: `Page ${i}` });
      screen.show(`page ${i}`);
      await clock.advance(1_000);
    }
    expect(readAt.length).toBeGreaterThanOrEqual(2);
    expect(readAt.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < readAt.length; i++) expect(readAt[i]! - readAt[i - 1]!).toBeGreaterThanOrEqual(20_000);
  });

  it('a new window is read as soon as the budget allows, not at the next interval', async () => {
    const { screen, window, clock } = await setup({ ocr: { intervalMs: 60_000, budgetMs: 5_000 } });
    window.focus({ id: '1', app: 'Chat', title: 'A' });
    screen.show('first');
    await clock.advance(5_000);
    const read = screen.recognitions;
    await clock.advance(10_000);
    window.focus({ id: '2', app: 'Chat', title: 'B' });
    screen.show('second');
    await clock.advance(1_000);
    expect(screen.recognitions).toBe(read + 1);
  });

  it('a password prompt is not read at all', async () => {
    const { screen, window, clock, captures } = await setup();
    window.focus({ id: '1', app: 'polkit-gnome-authentication-agent-1', title: 'Authenticate' });
    screen.show('kill myself');
    const before = screen.grabs.length;
    await clock.advance(30_000);
    expect(screen.grabs.length).toBe(before);
    expect(await captures()).toEqual([]);
  });

  it('a failing OCR is logged by code and retried with backoff', async () => {
    const { screen, window, clock, log, captures } = await setup();
    screen.fail(1);
    window.focus({ id: '1', app: 'Chat', title: 'Friends' });
    screen.show('i want to die');
    await clock.advance(10_000);
    expect(log.entries.find((e) => e.event === 'source.failed')?.fields).toEqual({
      source: 'screen',
      code: 'AGENT_ERR_SCREEN_TEXT_FAILED',
      failures: 1,
      retryInMs: 5_000,
    });
    expect(await captures()).toMatchObject([{ source: 'screen' }]);
    expect(log.text()).not.toContain('want to die');
  });

  it('stopping the sources frees the OCR worker', async () => {
    const { screen, sources } = await setup();
    await sources.stop();
    expect(screen.closed).toBe(1);
  });
});
