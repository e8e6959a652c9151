// The uploader against a real HTTP server (node:http on port 0) through the real transport.
// It sits here, not beside core/uploader.ts, because the core's lint fence keeps every file
// under core/ (tests too) from importing adapters.
import { AGENT_API } from '@vigil/shared';
import type { ConnectionAttempt } from './core/agent-status.schema';
import type { Outbox } from './core/ports';
import { Uploader, backoffDelay } from './core/uploader';
import { MemoryOutbox } from './platform/outbox.memory';
import { HttpTransport } from './platform/transport.http';
import { ManualClock } from './test-support/manual-clock';
import { MemoryLogger } from './test-support/memory-logger';
import { capture } from './test-support/outbox-contract';
import {
  formDataOf,
  startTestServer,
  type RecordedRequest,
  type ScriptedResponse,
  type TestServer,
} from './test-support/test-server';

const BACKOFF = { baseMs: 1_000, maxMs: 60_000 };
/** With random() = 0.5 the jittered delay is ¾ of the ceiling. */
const HALF = (): number => 0.5;

let server: TestServer;
/** Answers, in order; the last one repeats. */
let script: Array<(id: string) => ScriptedResponse>;

const stored = (id: string): ScriptedResponse => ({ status: 201, body: { id, duplicate: false } });
const duplicate = (id: string): ScriptedResponse => ({ status: 200, body: { id, duplicate: true } });
const status = (code: number, consoleCode?: string) => (): ScriptedResponse => ({
  status: code,
  body: consoleCode ? { code: consoleCode, message: 'x' } : undefined,
});

async function idOf(request: RecordedRequest): Promise<string> {
  const form = await formDataOf(request);
  return (JSON.parse(String(form.get('metadata'))) as { id: string }).id;
}

beforeAll(async () => {
  server = await startTestServer(async (request) => {
    const id = await idOf(request);
    const next = script.length > 1 ? script.shift()! : script[0]!;
    return next(id);
  });
});
afterAll(async () => {
  await server.close();
});

interface Setup {
  outbox: Outbox;
  clock: ManualClock;
  uploader: Uploader;
  attempts: ConnectionAttempt[];
  log: MemoryLogger;
}

function setup(consoleUrl: string = server.url): Setup {
  server.requests.length = 0;
  const outbox = new MemoryOutbox();
  const clock = new ManualClock();
  const attempts: ConnectionAttempt[] = [];
  const log = new MemoryLogger();
  const uploader = new Uploader({
    outbox,
    transport: new HttpTransport({ consoleUrl, device: { deviceId: 'd', deviceSecret: 's' }, timeoutMs: 2_000 }),
    clock,
    random: HALF,
    log,
    backoff: BACKOFF,
    onAttempt: (a) => attempts.push(a),
  });
  return { outbox, clock, uploader, attempts, log };
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('Uploader', () => {
  it('uploads oldest first and deletes each item the console stored (201)', async () => {
    script = [stored];
    const { outbox, clock, uploader, attempts } = setup();
    const [a, b] = [capture(clock.now() - 2), capture(clock.now() - 1)];
    await outbox.enqueue(b, clock.now()); // queued first: oldest in the queue
    await outbox.enqueue(a, clock.now());

    expect(await uploader.drain()).toEqual({ acked: 2, setAside: 0, pausedUntil: null });
    expect(await outbox.depth()).toBe(0);
    expect(await Promise.all(server.requests.map(idOf))).toEqual([b.metadata.id, a.metadata.id]);
    expect(server.requests.every((r) => r.path === AGENT_API.captures)).toBe(true);
    expect(attempts.map((x) => x.ok)).toEqual([true, true]);
  });

  it('deletes an item the console already had (200 duplicate)', async () => {
    script = [duplicate];
    const { outbox, clock, uploader } = setup();
    await outbox.enqueue(capture(), clock.now());
    expect(await uploader.drain()).toMatchObject({ acked: 1 });
    expect(await outbox.depth()).toBe(0);
  });

  it('keeps an item through 5xx and retries it after the backoff', async () => {
    script = [status(503), stored];
    const { outbox, clock, uploader } = setup();
    const c = capture();
    await outbox.enqueue(c, clock.now());

    const first = await uploader.drain();
    expect(first.pausedUntil).toBe(clock.now() + 750);
    expect(await outbox.get(c.metadata.id)).toMatchObject({ attempts: 1, lastError: 'AGENT_ERR_CONSOLE_FAILED' });

    expect(await uploader.drain()).toMatchObject({ acked: 0 }); // not due yet: nothing sent
    expect(server.requests).toHaveLength(1);

    await clock.advance(750);
    expect(await uploader.drain()).toMatchObject({ acked: 1, pausedUntil: null });
    expect(await outbox.depth()).toBe(0);
    expect(server.requests).toHaveLength(2);
  });

  it('keeps an item when the console cannot be reached', async () => {
    const { outbox, clock, uploader, attempts } = setup('http://127.0.0.1:1');
    await outbox.enqueue(capture(), clock.now());
    expect((await uploader.drain()).pausedUntil).not.toBeNull();
    expect(await outbox.depth()).toBe(1);
    expect(attempts).toEqual([
      expect.objectContaining({ ok: false, code: 'AGENT_ERR_CONSOLE_UNREACHABLE', call: 'upload' }),
    ]);
  });

  it('sets a 400 aside, never retries it, and carries on with the rest', async () => {
    script = [status(400, 'CONSOLE_ERR_VALIDATION'), stored];
    const { outbox, clock, uploader, log } = setup();
    const [bad, good] = [capture(clock.now() - 2), capture(clock.now() - 1)];
    await outbox.enqueue(bad, clock.now());
    await outbox.enqueue(good, clock.now());

    expect(await uploader.drain()).toEqual({ acked: 1, setAside: 1, pausedUntil: null });
    expect(await outbox.state(bad.metadata.id)).toBe('set-aside');
    expect(await outbox.state(good.metadata.id)).toBe('absent');
    expect(log.entries.find((e) => e.event === 'upload.set_aside')?.fields).toMatchObject({
      code: 'AGENT_ERR_REQUEST_REJECTED',
      httpStatus: 400,
      consoleCode: 'CONSOLE_ERR_VALIDATION',
    });

    await clock.advance(24 * 3600_000);
    await uploader.drain();
    expect(server.requests).toHaveLength(2);
  });

  it('on 401 leaves the item alone and pauses', async () => {
    script = [status(401, 'CONSOLE_ERR_DEVICE_UNAUTHORISED')];
    const { outbox, clock, uploader } = setup();
    const c = capture();
    await outbox.enqueue(c, clock.now());
    expect(await uploader.drain()).toMatchObject({ pausedUntil: clock.now() + BACKOFF.maxMs });
    expect(await outbox.get(c.metadata.id)).toMatchObject({ attempts: 0 });
    expect(await outbox.setAsideCount()).toBe(0);
  });

  it('running: uploads what is kicked, and backs off exponentially through failures', async () => {
    script = [status(500), status(502), status(503), stored];
    const { outbox, clock, uploader } = setup();
    uploader.start();
    await clock.advance(0);
    await outbox.enqueue(capture(), clock.now());
    uploader.kick();

    const sentAt: number[] = [];
    for (const wait of [0, 750, 1_500, 3_000]) {
      await clock.advance(wait);
      await eventually(() => server.requests.length === sentAt.length + 1);
      sentAt.push(clock.now());
      await eventually(() => clock.pending().some((ms) => ms > 0)); // the uploader has planned its next move
    }
    await eventually(async () => (await outbox.depth()) === 0);
    expect(sentAt.map((t) => t - sentAt[0]!)).toEqual([0, 750, 2_250, 5_250]);
    await uploader.stop();
    expect(clock.pending()).toEqual([]);
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 0, 500],
    [1, 0.999_999, 1_000],
    [2, 0.5, 1_500],
    [3, 0.5, 3_000],
    [7, 0.5, 45_000],
    [8, 0.5, 45_000], // ceiling reached: 60 s
    [50, 0, 30_000],
  ])('failure %i, random %d → %i ms', (failures, r, ms) => {
    expect(backoffDelay(failures, BACKOFF, () => r)).toBe(ms);
  });
});
