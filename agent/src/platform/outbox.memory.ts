import type { CaptureUpload, Outbox, OutboxItem, OutboxItemState, SetAsideReason } from '../core/ports';

interface Entry {
  seq: number;
  item: OutboxItem;
}

const copy = (item: OutboxItem): OutboxItem => ({
  ...item,
  metadata: structuredClone(item.metadata),
  screenshot: new Uint8Array(item.screenshot),
  thumbnail: new Uint8Array(item.thumbnail),
});

/** An outbox in memory, for tests and for hosts that cannot keep files. Same contract as SQLite. */
export class MemoryOutbox implements Outbox {
  private seq = 0;
  private readonly pending = new Map<string, Entry>();
  private readonly aside = new Map<string, { item: OutboxItem; reason: SetAsideReason; at: number }>();

  enqueue(capture: CaptureUpload, now: number): Promise<void> {
    const id = capture.metadata.id;
    if (!this.pending.has(id)) {
      this.seq += 1;
      const item: OutboxItem = {
        id,
        metadata: capture.metadata,
        screenshot: capture.screenshot,
        thumbnail: capture.thumbnail,
        enqueuedAt: now,
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
      };
      this.pending.set(id, { seq: this.seq, item: copy(item) });
    }
    return Promise.resolve();
  }

  peekReady(now: number): Promise<OutboxItem | undefined> {
    let next: Entry | undefined;
    for (const entry of this.pending.values()) {
      if (entry.item.nextAttemptAt > now) continue;
      const severity = entry.item.metadata.severity;
      if (
        !next ||
        severity > next.item.metadata.severity ||
        (severity === next.item.metadata.severity && entry.seq < next.seq)
      ) {
        next = entry;
      }
    }
    return Promise.resolve(next ? copy(next.item) : undefined);
  }

  bumpCount(id: string, count: number): Promise<boolean> {
    const entry = this.pending.get(id);
    if (entry) entry.item.metadata.count = Math.max(entry.item.metadata.count, count);
    return Promise.resolve(entry !== undefined);
  }

  get(id: string): Promise<OutboxItem | undefined> {
    const entry = this.pending.get(id);
    return Promise.resolve(entry ? copy(entry.item) : undefined);
  }

  ack(id: string): Promise<void> {
    this.pending.delete(id);
    return Promise.resolve();
  }

  defer(id: string, nextAttemptAt: number, errorCode: string): Promise<void> {
    const entry = this.pending.get(id);
    if (entry) {
      entry.item.attempts += 1;
      entry.item.nextAttemptAt = nextAttemptAt;
      entry.item.lastError = errorCode;
    }
    return Promise.resolve();
  }

  setAside(id: string, reason: SetAsideReason, now: number): Promise<void> {
    const entry = this.pending.get(id);
    if (entry) {
      this.pending.delete(id);
      this.aside.set(id, { item: { ...entry.item, attempts: entry.item.attempts + 1 }, reason, at: now });
    }
    return Promise.resolve();
  }

  state(id: string): Promise<OutboxItemState> {
    return Promise.resolve(this.pending.has(id) ? 'pending' : this.aside.has(id) ? 'set-aside' : 'absent');
  }

  depth(): Promise<number> {
    return Promise.resolve(this.pending.size);
  }

  setAsideCount(): Promise<number> {
    return Promise.resolve(this.aside.size);
  }

  nextAttemptAt(): Promise<number | undefined> {
    let next: number | undefined;
    for (const { item } of this.pending.values()) {
      if (next === undefined || item.nextAttemptAt < next) next = item.nextAttemptAt;
    }
    return Promise.resolve(next);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
