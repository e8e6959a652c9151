import type { Db } from './database';

interface Pending {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit. With `synchronous = FULL` every commit waits for an fsync (2–3 ms here), and
 * better-sqlite3 waits on the event loop, so one commit per request caps agents' writes at a few
 * hundred a second. Writes queued during one turn of the event loop run together in one
 * transaction, one fsync; each caller's promise settles when that transaction has committed, so an
 * agent is answered only once its write is durable. A write that throws is retried alone, so it
 * fails only its own request.
 */
export class WriteBatcher {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly db: Db) {}

  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs everything queued now (also on close). */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let results: unknown[] | undefined;
    try {
      results = this.db.transaction(() => batch.map((p) => p.fn()))();
    } catch {
      results = undefined;
    }
    if (results) {
      batch.forEach((p, i) => p.resolve(results[i]));
      return;
    }
    for (const p of batch) {
      try {
        p.resolve(this.db.transaction(p.fn)());
      } catch (err) {
        p.reject(err);
      }
    }
  }
}
