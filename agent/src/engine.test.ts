// The engine with the platform's fakes. It sits here, not beside core/engine.ts, because the
// core's lint fence keeps every file under core/ (tests too) from importing adapters.
import v8 from 'node:v8';
import vm from 'node:vm';
import { Value } from '@sinclair/typebox/value';
import {
  CaptureMetadataSchema,
  DEFAULT_POLICY_SETTINGS,
  uuidv7Time,
  type KeywordEntry,
  type PolicySettings,
} from '@vigil/shared';
import { BUILTIN_LIST, BUILTIN_POLICY_VERSION } from './core/builtin-list';
import { CaptureEngine, TYPING_PAUSE_MS } from './core/engine';
import { FakeKeyboard } from './platform/keyboard.fake';
import { MemoryOutbox } from './platform/outbox.memory';
import { FAKE_THUMBNAIL, FAKE_UNAVAILABLE, FAKE_WEBP, FakeScreenshot } from './platform/screenshot.fake';
import { ManualClock } from './test-support/manual-clock';
import { MemoryLogger } from './test-support/memory-logger';

const DEVICE_ID = 'device-0001';

/** A full garbage collection, without starting Node with --expose-gc. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

async function setup(keywords: readonly KeywordEntry[] = BUILTIN_LIST, settings: Partial<PolicySettings> = {}) {
  const keyboard = new FakeKeyboard();
  const screenshot = new FakeScreenshot();
  const outbox = new MemoryOutbox();
  const clock = new ManualClock();
  const log = new MemoryLogger();
  const queued: string[] = [];
  const focus = { window: { app: 'Notes', title: 'Untitled', url: null as string | null } };
  const engine = new CaptureEngine({
    keywords,
    policyVersion: BUILTIN_POLICY_VERSION,
    settings: { ...DEFAULT_POLICY_SETTINGS, ...settings },
    deviceId: DEVICE_ID,
    user: 'pupil1',
    keyboard,
    screenshot,
    activeWindow: { current: () => Promise.resolve({ ...focus.window }) },
    outbox,
    clock,
    log,
    onQueued: (m) => queued.push(m.id),
  });
  await engine.start();
  return { keyboard, screenshot, outbox, clock, log, engine, queued, focus };
}

describe('CaptureEngine', () => {
  it('typing a phrase queues exactly one capture with its metadata and screenshot', async () => {
    const { keyboard, outbox, clock, engine, queued, screenshot } = await setup();

    keyboard.type('I want to kill myself and more words after it\n');
    await engine.idle();

    expect(await outbox.depth()).toBe(1);
    const item = await outbox.peekReady(clock.now());
    expect(item).toBeDefined();
    const metadata = item!.metadata;
    expect(Value.Check(CaptureMetadataSchema, metadata)).toBe(true);
    expect(metadata).toMatchObject({
      capturedAt: new Date(clock.now()).toISOString(),
      deviceId: DEVICE_ID,
      user: 'pupil1',
      source: 'typed',
      app: 'Notes',
      windowTitle: 'Untitled',
      url: null,
      severity: 5,
      count: 1,
      policyVersion: BUILTIN_POLICY_VERSION,
      context: 'I want to kill myself ',
    });
    expect(metadata.matches).toEqual([
      { entryId: 'suicide.kill-myself', phrase: 'kill myself', category: 'suicide', severity: 5, start: 10, end: 21 },
    ]);
    expect(metadata.context.slice(10, 21)).toBe('kill myself');
    expect(uuidv7Time(metadata.id)).toBe(clock.now());
    expect(item!.screenshot).toEqual(FAKE_WEBP);
    expect(item!.thumbnail).toEqual(FAKE_THUMBNAIL);
    // The banner on the screenshot carries the capture's own time, the device and the user.
    expect(screenshot.stamps).toEqual([{ at: clock.now(), device: DEVICE_ID, user: 'pupil1' }]);
    expect(queued).toEqual([metadata.id]);
  });

  it('severity is the highest of the matches a word completes', async () => {
    const { keyboard, outbox, clock, engine } = await setup([
      { id: 'a', phrase: 'want to die', category: 'suicide', severity: 5, match: 'word' },
      { id: 'b', phrase: 'die', category: 'other', severity: 2, match: 'word' },
    ]);
    keyboard.type('i want to die ');
    await engine.idle();
    expect(await outbox.depth()).toBe(1);
    const item = await outbox.peekReady(clock.now());
    expect(item!.metadata.matches.map((m) => [m.entryId, m.severity])).toEqual([
      ['a', 5],
      ['b', 2],
    ]);
    expect(item!.metadata.severity).toBe(5);
  });

  it('captures nothing for ordinary typing', async () => {
    const { keyboard, outbox, engine, screenshot } = await setup();
    keyboard.type('What a skill, I will die laughing at this country song\n');
    await engine.idle();
    expect(await outbox.depth()).toBe(0);
    expect(screenshot.calls).toBe(0);
  });

  it('still queues the capture, with a placeholder image, when the screenshot fails', async () => {
    const { keyboard, outbox, clock, engine, screenshot, log } = await setup();
    screenshot.failing = true;
    keyboard.type('send nudes ');
    await engine.idle();
    const item = await outbox.peekReady(clock.now());
    expect(item!.screenshot).toEqual(FAKE_UNAVAILABLE);
    expect(log.events()).toContain('screenshot.failed');
  });

  it('never logs what was typed', async () => {
    const { keyboard, engine, log } = await setup();
    keyboard.type('my secret diary says i want to die\n');
    await engine.idle();
    expect(log.events()).toContain('capture.queued');
    expect(log.text()).not.toMatch(/secret|diary|want|die/);
  });

  it('stops listening when stopped', async () => {
    const { keyboard, outbox, engine } = await setup();
    await engine.stop();
    keyboard.type('kys kys kys\n');
    await engine.idle();
    expect(await outbox.depth()).toBe(0);
  });

  it('a test capture has source "test", no matches and a real screenshot', async () => {
    const { outbox, clock, engine, screenshot } = await setup();
    const metadata = await engine.captureTest();
    expect(metadata).toMatchObject({ source: 'test', matches: [], severity: 1, deviceId: DEVICE_ID });
    expect(Value.Check(CaptureMetadataSchema, metadata)).toBe(true);
    expect((await outbox.peekReady(clock.now()))!.id).toBe(metadata.id);
    screenshot.failing = true;
    await expect(engine.captureTest()).rejects.toMatchObject({ code: 'AGENT_ERR_SCREENSHOT_FAILED' });
  });

  describe('capture policy', () => {
    it("does not capture matches below the school's minimum severity", async () => {
      const { keyboard, outbox, engine, screenshot } = await setup(BUILTIN_LIST, { minSeverity: 3 });
      keyboard.type('a new casino opened\n'); // gambling, severity 2
      await engine.idle();
      expect(await outbox.depth()).toBe(0);
      expect(screenshot.calls).toBe(0);
      keyboard.type('kys\n'); // bullying, severity 3
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
    });

    it('does not capture outside monitored hours (school time)', async () => {
      const { keyboard, outbox, engine, clock } = await setup(BUILTIN_LIST, {
        monitoredHours: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '16:00' }],
      });
      // The clock starts on Monday 6 January 2025, 09:00 UTC (09:00 in London).
      keyboard.type('i want to kill myself\n');
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
      await clock.advance(5 * 86_400_000); // Saturday
      keyboard.type('i want to kill myself tonight\n');
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
    });

    it('the same phrase in the same window within 60 s adds to the count, without a new screenshot', async () => {
      const { keyboard, outbox, engine, clock, screenshot } = await setup();
      keyboard.type('i want to kill myself\n');
      await engine.idle();
      await clock.advance(20_000);
      keyboard.type('KILL MYSELF\n');
      await clock.advance(20_000);
      keyboard.type('kill myself\n');
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
      expect(screenshot.calls).toBe(1);
      expect((await outbox.peekReady(clock.now()))!.metadata.count).toBe(3);
      await clock.advance(61_000);
      keyboard.type('kill myself\n');
      await engine.idle();
      expect(await outbox.depth()).toBe(2);
    });

    it('a new policy applies at once and keeps the line being typed', async () => {
      const { keyboard, outbox, engine } = await setup([
        { id: 'x.one', phrase: 'alpha', category: 'test', severity: 4, match: 'word' },
      ]);
      keyboard.type('my secret word is ');
      engine.setPolicy({
        version: 'v2',
        keywords: [{ id: 'x.two', phrase: 'secret word is bravo', category: 'test', severity: 4, match: 'word' }],
        settings: DEFAULT_POLICY_SETTINGS,
      });
      keyboard.type('bravo\n');
      await engine.idle();
      const item = await outbox.peekReady(Number.MAX_SAFE_INTEGER);
      expect(item?.metadata).toMatchObject({ policyVersion: 'v2', matches: [{ entryId: 'x.two' }] });
    });
  });

  it('a hot swap lets the old lists go (nothing keeps the replaced matcher alive)', async () => {
    const { keyboard, engine } = await setup();
    keyboard.type('half a line before the swap ');
    const replaced = new WeakRef((engine as unknown as { matcher: object }).matcher);
    for (let v = 2; v <= 4; v++) {
      engine.setPolicy({ version: `v${v}`, keywords: BUILTIN_LIST, settings: DEFAULT_POLICY_SETTINGS });
      keyboard.type('and more ');
    }
    await engine.idle();
    await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds its target until the turn ends
    collectGarbage();
    expect(replaced.deref()).toBeUndefined();
  });

  describe('typed text through the stream', () => {
    it('a phrase typed, half deleted and retyped is one capture, seen once (count 1)', async () => {
      const { keyboard, outbox, engine, clock, screenshot } = await setup();
      keyboard.type('i want to kill myself \b\b\b\b\byself and more\n');
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
      expect((await outbox.peekReady(clock.now()))!.metadata.count).toBe(1);
      expect(screenshot.calls).toBe(1);
    });

    it('the same phrase typed twice in separate words is one capture with count 2 (the throttle)', async () => {
      const { keyboard, outbox, engine, clock } = await setup();
      keyboard.type('i want to kill myself, i really want to kill myself\n');
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
      expect((await outbox.peekReady(clock.now()))!.metadata.count).toBe(2);
    });

    it('new lists find a phrase the line already holds, and do not capture again what was captured', async () => {
      const first: KeywordEntry = { id: 'x.one', phrase: 'kill myself', category: 'test', severity: 5, match: 'word' };
      const { keyboard, outbox, engine, clock } = await setup([first]);
      keyboard.type('kill myself and the purple giraffe parade');
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
      engine.setPolicy({
        version: 'v2',
        keywords: [first, { id: 'x.two', phrase: 'purple giraffe', category: 'test', severity: 4, match: 'word' }],
        settings: DEFAULT_POLICY_SETTINGS,
      });
      keyboard.type(' ok\n');
      await engine.idle();
      expect(await outbox.depth()).toBe(2);
      const seen: string[][] = [];
      for (let item = await outbox.peekReady(clock.now()); item; item = await outbox.peekReady(clock.now())) {
        seen.push(item.metadata.matches.map((m) => m.entryId));
        await outbox.ack(item.id);
      }
      expect(seen).toEqual([['x.one'], ['x.two']]);
    });
  });

  describe('a phrase an allow-listed phrase could still extend', () => {
    const lists = {
      version: 'v-ex',
      keywords: [{ id: 'x.die', phrase: 'i want to die', category: 'suicide', severity: 5, match: 'word' } as const],
      exclusions: ['i want to die of embarrassment'],
      settings: DEFAULT_POLICY_SETTINGS,
    };

    it('is captured after a pause in typing', async () => {
      const { keyboard, outbox, engine, clock } = await setup();
      engine.setPolicy(lists);
      keyboard.type('i want to die ');
      await engine.idle();
      await clock.advance(TYPING_PAUSE_MS - 1);
      expect(await outbox.depth()).toBe(0);
      await clock.advance(1);
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
      keyboard.type('tonight\n');
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
    });

    it('is captured at once when the next letter rules the allow-listed phrase out', async () => {
      const { keyboard, outbox, engine, clock } = await setup();
      engine.setPolicy(lists);
      keyboard.type('i want to die ');
      await engine.idle();
      expect(await outbox.depth()).toBe(0);
      keyboard.type('t'); // "i want to die t…" can no longer become "… die of embarrassment"
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
      await clock.advance(TYPING_PAUSE_MS);
      keyboard.type('onight\n');
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
    });

    it('is not captured when the allow-listed phrase follows without a pause', async () => {
      const { keyboard, outbox, engine, clock } = await setup();
      engine.setPolicy(lists);
      keyboard.type('i want to die of embarrassment\n');
      await clock.advance(5_000);
      await engine.idle();
      expect(await outbox.depth()).toBe(0);
    });

    it('a focus change reports it in the window it was typed in', async () => {
      const { keyboard, outbox, engine, clock, focus } = await setup();
      engine.setPolicy(lists);
      keyboard.type('i want to die ');
      const typedIn = { app: 'Chat', title: 'Sam', url: null };
      focus.window = { app: 'Files', title: 'Home', url: null };
      engine.focusChanged(focus.window, clock.now(), typedIn);
      await engine.idle();
      const item = await outbox.peekReady(clock.now());
      expect(item?.metadata).toMatchObject({ source: 'typed', app: 'Chat', windowTitle: 'Sam' });
    });

    it('focus moving to a password prompt while keys were typed drops the line unreported', async () => {
      const { keyboard, outbox, engine, clock } = await setup();
      engine.setPolicy(lists);
      const before = clock.now();
      await clock.advance(100);
      keyboard.type('i want to die ');
      engine.focusChanged({ app: 'pinentry', title: 'Enter passphrase', url: null }, before, {
        app: 'Chat',
        title: 'Sam',
        url: null,
      });
      await clock.advance(5_000);
      await engine.idle();
      expect(await outbox.depth()).toBe(0);
    });

    it('stopping the engine reports it', async () => {
      const { keyboard, outbox, engine } = await setup();
      engine.setPolicy(lists);
      keyboard.type('i want to die ');
      await engine.stop();
      expect(await outbox.depth()).toBe(1);
    });
  });

  describe('matching', () => {
    it.each([
      ['leetspeak', 'i want to k1ll mys3lf\n', 'suicide.kill-myself'],
      ['stretched letters', 'i want to killlll myselfff\n', 'suicide.kill-myself'],
      ['spaced letters', 'ur so annoying k y s\n', 'bullying.kys'],
      ['dotted letters', 'just k.y.s\n', 'bullying.kys'],
    ])('sees a phrase written with %s', async (_label, typed, entryId) => {
      const { keyboard, outbox, engine, clock } = await setup();
      keyboard.type(typed);
      await engine.idle();
      expect((await outbox.peekReady(clock.now()))?.metadata.matches[0]).toMatchObject({ entryId });
    });

    it('does not fire inside an allow-listed word (the Scunthorpe problem)', async () => {
      const keywords: KeywordEntry[] = [
        { id: 'p.c', phrase: 'cunt', category: 'profanity', severity: 3, match: 'substring' },
      ];
      const { keyboard, outbox, engine } = await setup(keywords);
      engine.setPolicy({ version: 'v2', keywords, exclusions: ['Scunthorpe'], settings: DEFAULT_POLICY_SETTINGS });
      keyboard.type('the train to scunthorpe\n');
      await engine.idle();
      expect(await outbox.depth()).toBe(0);
    });

    it('keeps its lists when a new policy cannot be compiled', async () => {
      const { keyboard, outbox, engine } = await setup();
      expect(() =>
        engine.setPolicy({
          version: 'broken',
          keywords: [{ id: 'z', phrase: '\u200b', category: 'test', severity: 5, match: 'word' }],
          settings: DEFAULT_POLICY_SETTINGS,
        }),
      ).toThrow();
      expect(engine.currentPolicyVersion).toBe(BUILTIN_POLICY_VERSION);
      keyboard.type('i want to kill myself\n');
      await engine.idle();
      expect(await outbox.depth()).toBe(1);
    });
  });

  describe('the tray: report a concern, captured events', () => {
    it("a report carries the evidence taken before the window opened, the pupil's words and severity 4", async () => {
      const { outbox, clock, engine, screenshot, focus, queued } = await setup();
      focus.window = { app: 'Chromium', title: 'Chat - Friends', url: 'https://chat.example/room/7' };
      const evidence = await engine.takeEvidence();
      const evidenceAt = clock.now();
      expect(evidence.takenAt).toBe(new Date(evidenceAt).toISOString());
      // The report window opens: it has focus while the pupil types.
      focus.window = { app: 'Vigil', title: 'Report a concern', url: null };
      await clock.advance(45_000);

      const { id } = await engine.reportConcern('  Someone in this chat keeps asking for photos of me.\n ', evidence);

      expect(queued).toEqual([id]);
      const item = await outbox.get(id);
      const metadata = item!.metadata;
      expect(Value.Check(CaptureMetadataSchema, metadata)).toBe(true);
      expect(metadata).toMatchObject({
        id,
        source: 'report',
        severity: 4,
        context: 'Someone in this chat keeps asking for photos of me.',
        app: 'Chromium',
        windowTitle: 'Chat - Friends',
        url: 'https://chat.example/room/7',
        capturedAt: new Date(clock.now()).toISOString(),
        count: 1,
      });
      // One match, category "report", spanning the words: what the console files and alerts on
      // (it refuses a severity that is not the highest of the matches, or a match outside its context).
      expect(metadata.matches).toEqual([
        { entryId: 'report', phrase: 'Report a concern', category: 'report', severity: 4, start: 0, end: 51 },
      ]);
      expect(metadata.context.length).toBe(51);
      // The screenshot is the one taken before the window opened, stamped with that moment.
      expect(screenshot.calls).toBe(1);
      expect(screenshot.stamps).toEqual([{ at: evidenceAt, device: DEVICE_ID, user: 'pupil1' }]);
      expect(item!.screenshot).toEqual(FAKE_WEBP);
    });

    it('without evidence, a report takes a fresh screenshot (the "unavailable" image when that fails)', async () => {
      const { outbox, clock, engine, screenshot } = await setup();
      const first = await engine.reportConcern('I am being bullied', null);
      expect(screenshot.stamps).toEqual([{ at: clock.now(), device: DEVICE_ID, user: 'pupil1' }]);
      expect((await outbox.get(first.id))!.screenshot).toEqual(FAKE_WEBP);

      screenshot.failing = true;
      await clock.advance(1_000);
      const second = await engine.reportConcern('', null);
      const item = await outbox.get(second.id);
      expect(item!.screenshot).toEqual(FAKE_UNAVAILABLE);
      // Nothing written is still a report: an empty context, a match of nothing, severity 4.
      expect(item!.metadata).toMatchObject({ source: 'report', severity: 4, context: '' });
      expect(item!.metadata.matches[0]).toMatchObject({ category: 'report', start: 0, end: 0 });
      expect(Value.Check(CaptureMetadataSchema, item!.metadata)).toBe(true);
    });

    it('a failed evidence screenshot still gives evidence: the report goes with the "unavailable" image', async () => {
      const { outbox, engine, screenshot } = await setup();
      screenshot.failing = true;
      const evidence = await engine.takeEvidence();
      screenshot.failing = false;
      const { id } = await engine.reportConcern('help', evidence);
      expect((await outbox.get(id))!.screenshot).toEqual(FAKE_UNAVAILABLE);
      expect(screenshot.calls).toBe(1);
    });

    it('keeps at most 2,000 characters of the words', async () => {
      const { outbox, engine } = await setup();
      const words = 'a'.repeat(1_990) + ' ' + 'b'.repeat(50);
      const { id } = await engine.reportConcern(words, null);
      const metadata = (await outbox.get(id))!.metadata;
      expect(metadata.context).toBe(words.slice(0, 2_000));
      expect(metadata.matches[0]!.end).toBe(2_000);
    });

    it('is queued whatever the minimum severity, the monitored hours or the throttle say', async () => {
      const { outbox, engine } = await setup(BUILTIN_LIST, {
        minSeverity: 5,
        monitoredHours: [{ days: [0], start: '03:00', end: '03:01' }], // the clock says Monday 09:00
      });
      await engine.reportConcern('please help', null);
      await engine.reportConcern('please help', null);
      expect(await outbox.depth()).toBe(2);
    });

    it('refuses evidence it did not take, and words that are not text, queuing nothing', async () => {
      const { outbox, engine } = await setup();
      const other = await setup();
      const foreign = await other.engine.takeEvidence();
      await expect(engine.reportConcern('help', foreign)).rejects.toMatchObject({ code: 'AGENT_ERR_CAPTURE_FAILED' });
      await expect(engine.reportConcern('help', { takenAt: foreign.takenAt })).rejects.toMatchObject({
        code: 'AGENT_ERR_CAPTURE_FAILED',
      });
      await expect(engine.reportConcern(42 as unknown as string, null)).rejects.toMatchObject({
        code: 'AGENT_ERR_CAPTURE_FAILED',
      });
      expect(await outbox.depth()).toBe(0);
    });

    it('evidence is used once', async () => {
      const { outbox, engine } = await setup();
      const evidence = await engine.takeEvidence();
      await engine.reportConcern('first', evidence);
      await expect(engine.reportConcern('again', evidence)).rejects.toMatchObject({ code: 'AGENT_ERR_CAPTURE_FAILED' });
      expect(await outbox.depth()).toBe(1);
    });

    it('onCaptured hears each capture once it is in the outbox, without its text, until unsubscribed', async () => {
      const { keyboard, outbox, engine, clock, log } = await setup();
      const heard: unknown[] = [];
      const depths: number[] = [];
      const unsubscribe = engine.onCaptured((c) => {
        heard.push(c);
        void outbox.depth().then((d) => depths.push(d));
      });
      engine.onCaptured(() => {
        throw new Error('a broken listener');
      });

      keyboard.type('i want to kill myself ');
      await engine.idle();
      const { id } = await engine.reportConcern('my secret worry', null);

      const typed = (await outbox.peekReady(clock.now()))!.metadata;
      expect(heard).toEqual([
        { id: typed.id, source: 'typed', categories: ['suicide'], maxSeverity: 5, at: typed.capturedAt },
        { id, source: 'report', categories: ['report'], maxSeverity: 4, at: new Date(clock.now()).toISOString() },
      ]);
      expect(JSON.stringify(heard)).not.toMatch(/kill|myself|secret|worry/);
      expect(depths).toEqual([1, 2]);
      expect(log.events()).toContain('engine.listener_failed');

      unsubscribe();
      await engine.captureTest();
      expect(heard).toHaveLength(2);
    });
  });
});
