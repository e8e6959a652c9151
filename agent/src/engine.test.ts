// The engine with the platform's fakes. It sits here, not beside core/engine.ts, because the
// core's lint fence keeps every file under core/ (tests too) from importing adapters.
import { Value } from '@sinclair/typebox/value';
import { CaptureMetadataSchema, uuidv7Time, type KeywordEntry } from '@vigil/shared';
import { BUILTIN_LIST, BUILTIN_POLICY_VERSION } from './core/builtin-list';
import { CaptureEngine } from './core/engine';
import { FakeKeyboard } from './platform/keyboard.fake';
import { MemoryOutbox } from './platform/outbox.memory';
import { FAKE_THUMBNAIL, FAKE_UNAVAILABLE, FAKE_WEBP, FakeScreenshot } from './platform/screenshot.fake';
import { ManualClock } from './test-support/manual-clock';
import { MemoryLogger } from './test-support/memory-logger';

const DEVICE_ID = 'device-0001';

async function setup(keywords: readonly KeywordEntry[] = BUILTIN_LIST) {
  const keyboard = new FakeKeyboard();
  const screenshot = new FakeScreenshot();
  const outbox = new MemoryOutbox();
  const clock = new ManualClock();
  const log = new MemoryLogger();
  const queued: string[] = [];
  const engine = new CaptureEngine({
    keywords,
    policyVersion: BUILTIN_POLICY_VERSION,
    deviceId: DEVICE_ID,
    user: 'pupil1',
    keyboard,
    screenshot,
    activeWindow: { current: () => Promise.resolve({ app: 'Notes', title: 'Untitled', url: null }) },
    outbox,
    clock,
    log,
    onQueued: (m) => queued.push(m.id),
  });
  await engine.start();
  return { keyboard, screenshot, outbox, clock, log, engine, queued };
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
});
