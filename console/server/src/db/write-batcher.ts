import fs from 'node:fs/promises';
import { openDatabase, type Db } from './database';
import { CapturesRepository } from '../repositories/captures.repository';
import { DevicesRepository } from '../repositories/devices.repository';
import { CaptureGroupsRepository } from '../repositories/capture-groups.repository';

/** The repositories a batched write may use (over the writer's own connection). */
export interface BatchRepos {
  captures: CapturesRepository;
  devices: DevicesRepository;
  groups: CaptureGroupsRepository;
}

interface Pending {
  fn: (repos: BatchRepos) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit of agents' writes (capture rows, heartbeats), durable before anyone is answered.
 *
 * With `synchronous = FULL` every commit waits for an fsync (2–3 ms on this VM) and better-sqlite3
 * waits on the event loop, so one commit per request capped writes at a few hundred a second and
 * stalled every other request meanwhile. Here, writes queued during one turn of the event loop run
 * in one transaction on a second connection with `synchronous = NORMAL` (the commit writes the WAL
 * without an fsync), then one fsync of the WAL file runs in the thread pool, off the event loop;
 * each caller's promise settles only after that fsync, so an agent's 201 still means "on disk".
 * fsync is per file, so it makes whatever this connection wrote to the WAL durable; a checkpoint in
 * between fsyncs the WAL itself first. Other writes (sign-in, audit) keep the main connection's
 * `synchronous = FULL`. A write that throws is retried alone, so it fails only its own request.
 */
export class WriteBatcher {
  readonly repos: BatchRepos;
  private readonly writer: Db;
  private readonly walPath: string | null;
  private wal: fs.FileHandle | null = null;
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(databasePath: string, main: Db) {
    const separate = databasePath !== ':memory:';
    this.writer = separate ? openDatabase(databasePath) : main;
    if (separate) this.writer.pragma('synchronous = NORMAL');
    this.walPath = separate ? `${databasePath}-wal` : null;
    this.repos = {
      captures: new CapturesRepository(this.writer),
      devices: new DevicesRepository(this.writer),
      groups: new CaptureGroupsRepository(this.writer),
    };
  }

  run<T>(fn: (repos: BatchRepos) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn: fn as (repos: BatchRepos) => unknown, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Commits everything queued now, then makes it durable and answers the callers. */
  async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      const values = this.writer.transaction(() => batch.map((p) => p.fn(this.repos)))();
      for (const value of values) outcomes.push({ ok: true, value });
    } catch {
      outcomes.length = 0;
      for (const p of batch) {
        try {
          outcomes.push({ ok: true, value: this.writer.transaction(() => p.fn(this.repos))() });
        } catch (err) {
          outcomes.push({ ok: false, value: err });
        }
      }
    }
    try {
      await this.durable();
    } catch (err) {
      batch.forEach((p) => p.reject(err));
      return;
    }
    batch.forEach((p, i) => (outcomes[i]!.ok ? p.resolve(outcomes[i]!.value) : p.reject(outcomes[i]!.value)));
  }

  /** An fsync of the WAL that starts after this call (joining one queued behind a running one). */
  private durable(): Promise<void> {
    if (!this.walPath) return Promise.resolve();
    if (!this.inFlight) {
      this.inFlight = this.syncWal().finally(() => {
        this.inFlight = null;
      });
      return this.inFlight;
    }
    // The running fsync may have started before this commit: one more after it covers every waiter.
    this.next ??= this.inFlight.then(() => {
      this.next = null;
      return this.durable();
    });
    return this.next;
  }

  private async syncWal(): Promise<void> {
    if (!this.wal) {
      try {
        this.wal = await fs.open(this.walPath!, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
    }
    await this.wal.sync();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.inFlight;
    await this.next;
    await this.wal?.close();
    this.wal = null;
    if (this.walPath) this.writer.close();
  }
}
