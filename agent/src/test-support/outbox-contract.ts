import { uuidv7, type CaptureMetadata } from '@vigil/shared';
import type { CaptureUpload, Outbox } from '../core/ports';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

export function capture(at: number = T0, bytes: number[] = [1, 2, 3], severity = 3): CaptureUpload {
  const metadata: CaptureMetadata = {
    id: uuidv7(at),
    capturedAt: new Date(at).toISOString(),
    deviceId: 'device-1',
    user: 'pupil',
    source: 'typed',
    app: '',
    windowTitle: '',
    url: null,
    matches: [{ entryId: 'e', phrase: 'kys', category: 'bullying', severity, start: 0, end: 3 }],
    context: 'kys',
    severity,
    count: 1,
    policyVersion: 'builtin-1',
  };
  return { metadata, screenshot: Uint8Array.from(bytes), thumbnail: Uint8Array.from([9, ...bytes]) };
}

/** The Outbox port's contract: every adapter must pass it. */
export function outboxContract(name: string, open: () => Promise<Outbox>): void {
  describe(`Outbox contract: ${name}`, () => {
    let outbox: Outbox;
    beforeEach(async () => {
      outbox = await open();
    });
    afterEach(async () => {
      await outbox.close();
    });

    it('starts empty', async () => {
      expect(await outbox.depth()).toBe(0);
      expect(await outbox.peekReady(T0)).toBeUndefined();
      expect(await outbox.nextAttemptAt()).toBeUndefined();
    });

    it('gives back what was queued, bytes and all, ready at once', async () => {
      const c = capture();
      await outbox.enqueue(c, T0);
      const item = await outbox.peekReady(T0);
      expect(item).toMatchObject({
        id: c.metadata.id,
        metadata: c.metadata,
        attempts: 0,
        enqueuedAt: T0,
        nextAttemptAt: T0,
        lastError: null,
      });
      expect(new Uint8Array(item!.screenshot)).toEqual(c.screenshot);
      expect(new Uint8Array(item!.thumbnail)).toEqual(c.thumbnail);
      expect(await outbox.depth()).toBe(1);
      expect(await outbox.state(c.metadata.id)).toBe('pending');
    });

    it('peeking does not remove', async () => {
      await outbox.enqueue(capture(), T0);
      await outbox.peekReady(T0);
      expect(await outbox.depth()).toBe(1);
    });

    it('hands out the oldest first', async () => {
      const [a, b, c] = [capture(T0 + 2), capture(T0 + 1), capture(T0 + 3)];
      for (const x of [a!, b!, c!]) await outbox.enqueue(x, T0);
      expect((await outbox.peekReady(T0))!.id).toBe(a!.metadata.id);
      await outbox.ack(a!.metadata.id);
      expect((await outbox.peekReady(T0))!.id).toBe(b!.metadata.id);
    });

    it('hands out the highest severity first, then the oldest', async () => {
      const low = capture(T0, [1], 2);
      const highLater = capture(T0 + 1, [2], 5);
      const mid = capture(T0 + 2, [3], 3);
      const highLatest = capture(T0 + 3, [4], 5);
      for (const x of [low, highLater, mid, highLatest]) await outbox.enqueue(x, T0);
      const order: string[] = [];
      for (let item = await outbox.peekReady(T0); item; item = await outbox.peekReady(T0)) {
        order.push(item.id);
        await outbox.ack(item.id);
      }
      expect(order).toEqual([highLater, highLatest, mid, low].map((c) => c.metadata.id));
    });

    it('raises the count of a waiting capture, and says when it has already left', async () => {
      const c = capture();
      await outbox.enqueue(c, T0);
      expect(await outbox.bumpCount(c.metadata.id, 3)).toBe(true);
      expect((await outbox.get(c.metadata.id))!.metadata.count).toBe(3);
      await outbox.ack(c.metadata.id);
      expect(await outbox.bumpCount(c.metadata.id, 4)).toBe(false);
    });

    it('enqueuing the same id twice keeps one item', async () => {
      const c = capture();
      await outbox.enqueue(c, T0);
      await outbox.enqueue(c, T0 + 5);
      expect(await outbox.depth()).toBe(1);
    });

    it('ack deletes', async () => {
      const c = capture();
      await outbox.enqueue(c, T0);
      await outbox.ack(c.metadata.id);
      expect(await outbox.depth()).toBe(0);
      expect(await outbox.state(c.metadata.id)).toBe('absent');
      await outbox.ack(c.metadata.id); // twice is harmless
    });

    it('defer hides an item until its next attempt, counting the attempt', async () => {
      const [a, b] = [capture(T0), capture(T0 + 1)];
      await outbox.enqueue(a, T0);
      await outbox.enqueue(b, T0);
      await outbox.defer(a.metadata.id, T0 + 1000, 'AGENT_ERR_CONSOLE_FAILED');
      expect((await outbox.peekReady(T0 + 999))!.id).toBe(b.metadata.id);
      expect(await outbox.nextAttemptAt()).toBe(T0);
      await outbox.ack(b.metadata.id);
      expect(await outbox.peekReady(T0 + 999)).toBeUndefined();
      expect(await outbox.nextAttemptAt()).toBe(T0 + 1000);
      expect(await outbox.peekReady(T0 + 1000)).toMatchObject({
        id: a.metadata.id,
        attempts: 1,
        nextAttemptAt: T0 + 1000,
        lastError: 'AGENT_ERR_CONSOLE_FAILED',
      });
      expect(await outbox.get(a.metadata.id)).toMatchObject({ id: a.metadata.id, attempts: 1 });
    });

    it('set aside takes an item out of the queue but keeps it', async () => {
      const c = capture();
      await outbox.enqueue(c, T0);
      await outbox.setAside(
        c.metadata.id,
        { code: 'AGENT_ERR_REQUEST_REJECTED', httpStatus: 400, consoleCode: 'CONSOLE_ERR_X' },
        T0,
      );
      expect(await outbox.depth()).toBe(0);
      expect(await outbox.peekReady(T0 + 10_000)).toBeUndefined();
      expect(await outbox.get(c.metadata.id)).toBeUndefined();
      expect(await outbox.setAsideCount()).toBe(1);
      expect(await outbox.state(c.metadata.id)).toBe('set-aside');
    });
  });
}
