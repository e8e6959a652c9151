import { errorCode } from '../errors';
import type { ConnectionAttempt } from './agent-status.schema';
import type { Clock, Logger, Outbox, OutboxItem, Random, Timer, Transport, UploadResult } from './ports';

export interface BackoffSettings {
  /** Delay after the first failure. */
  baseMs: number;
  /** The delay never grows beyond this (nor does a `Retry-After` stretch it further than an hour). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 1_000, maxMs: 5 * 60_000 };

const MAX_RETRY_AFTER_MS = 60 * 60_000;
/** While idle, look at the outbox now and then: another process (test-capture) may have queued. */
const IDLE_POLL_MS = 60_000;

/**
 * Exponential backoff with "equal jitter": after n consecutive failures, wait between half and
 * all of min(max, base·2^(n-1)).
 */
export function backoffDelay(failures: number, settings: BackoffSettings, random: Random): number {
  const exp = settings.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30));
  const ceiling = Math.min(settings.maxMs, exp);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export type SendOutcome =
  | { kind: 'acked'; duplicate: boolean }
  | { kind: 'set-aside'; code: string }
  | { kind: 'deferred'; code: string; until: number }
  | { kind: 'paused'; code: string; until: number };

export interface DrainReport {
  acked: number;
  setAside: number;
  /** Set when a failure paused the uploader: nothing more is sent before this time. */
  pausedUntil: number | null;
}

export interface UploaderOptions {
  outbox: Outbox;
  transport: Transport;
  clock: Clock;
  random: Random;
  log: Logger;
  backoff?: BackoffSettings;
  /** Told about every upload attempt (for `status`). */
  onAttempt?: (attempt: ConnectionAttempt) => void;
}

/**
 * Drains the outbox oldest first. An item is deleted only after the console acknowledged it
 * (201 stored, 200 duplicate). Network errors, 429 and 5xx are retried with backoff; other 4xx
 * set the item aside (kept, never retried); 401 pauses the uploader and leaves the item alone.
 */
export class Uploader {
  private readonly options: UploaderOptions;
  private readonly backoff: BackoffSettings;
  private failures = 0;
  private pausedUntil = 0;
  private timer: Timer | undefined;
  private draining: Promise<DrainReport> | undefined;
  private again = false;
  private started = false;

  constructor(options: UploaderOptions) {
    this.options = options;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.draining;
  }

  /** Something was queued: send it now, unless a failure asked us to wait. */
  kick(): void {
    if (!this.started) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    const wait = this.pausedUntil - this.options.clock.now();
    if (wait <= 0) this.schedule(0);
  }

  /**
   * Sends every ready item, oldest first, until the outbox has none ready or a failure says
   * "not now". Never throws.
   */
  drain(): Promise<DrainReport> {
    if (this.draining) return this.draining;
    const run = this.drainOnce().finally(() => {
      this.draining = undefined;
    });
    this.draining = run;
    return run;
  }

  /** Sends one item and settles it in the outbox according to the console's answer. */
  async send(item: OutboxItem): Promise<SendOutcome> {
    const { outbox, transport, clock, log } = this.options;
    let result: UploadResult;
    try {
      result = await transport.uploadCapture(item);
    } catch (error) {
      result = { kind: 'retryable', code: errorCode(error), httpStatus: null, retryAfterMs: null };
    }
    const now = clock.now();
    switch (result.kind) {
      case 'ok':
      case 'duplicate': {
        await outbox.ack(item.id);
        this.failures = 0;
        this.pausedUntil = 0;
        this.attempt(now, true, null, result.kind === 'ok' ? 201 : 200);
        log.info('upload.acked', { id: item.id, duplicate: result.kind === 'duplicate' });
        return { kind: 'acked', duplicate: result.kind === 'duplicate' };
      }
      case 'permanent': {
        await outbox.setAside(
          item.id,
          { code: result.code, httpStatus: result.httpStatus, consoleCode: result.consoleCode },
          now,
        );
        this.attempt(now, false, result.code, result.httpStatus);
        log.warn('upload.set_aside', {
          id: item.id,
          code: result.code,
          httpStatus: result.httpStatus,
          consoleCode: result.consoleCode,
        });
        return { kind: 'set-aside', code: result.code };
      }
      case 'retryable': {
        this.failures += 1;
        const delay = Math.max(
          backoffDelay(this.failures, this.backoff, this.options.random),
          Math.min(result.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS),
        );
        const until = now + delay;
        await outbox.defer(item.id, until, result.code);
        this.pausedUntil = until;
        this.attempt(now, false, result.code, result.httpStatus);
        log.warn('upload.retry_later', {
          id: item.id,
          code: result.code,
          httpStatus: result.httpStatus,
          attempt: item.attempts + 1,
          delayMs: delay,
        });
        return { kind: 'deferred', code: result.code, until };
      }
      case 'unauthorised': {
        this.failures += 1;
        const until = now + this.backoff.maxMs;
        this.pausedUntil = until;
        this.attempt(now, false, result.code, result.httpStatus);
        log.error('upload.device_unauthorised', { code: result.code, httpStatus: result.httpStatus });
        return { kind: 'paused', code: result.code, until };
      }
    }
  }

  private async drainOnce(): Promise<DrainReport> {
    const { outbox, clock, log } = this.options;
    const report: DrainReport = { acked: 0, setAside: 0, pausedUntil: null };
    try {
      for (;;) {
        const item = await outbox.peekReady(clock.now());
        if (!item) break;
        const outcome = await this.send(item);
        if (outcome.kind === 'acked') report.acked += 1;
        else if (outcome.kind === 'set-aside') report.setAside += 1;
        else {
          report.pausedUntil = outcome.until;
          break;
        }
      }
    } catch (error) {
      // The outbox itself failed: try again after a pause rather than spinning.
      this.failures += 1;
      report.pausedUntil = clock.now() + backoffDelay(this.failures, this.backoff, this.options.random);
      this.pausedUntil = report.pausedUntil;
      log.error('upload.outbox_failed', { code: errorCode(error) });
    }
    return report;
  }

  private schedule(ms: number): void {
    this.timer?.cancel();
    this.timer = this.options.clock.setTimer(
      () => {
        this.timer = undefined;
        void this.loop();
      },
      Math.max(0, ms),
    );
  }

  private async loop(): Promise<void> {
    if (!this.started) return;
    this.again = false;
    const report = await this.drain();
    if (!this.started) return;
    const now = this.options.clock.now();
    if (report.pausedUntil !== null) {
      this.schedule(report.pausedUntil - now);
      return;
    }
    if (this.again) {
      this.schedule(0);
      return;
    }
    let next: number | undefined;
    try {
      next = await this.options.outbox.nextAttemptAt();
    } catch {
      next = undefined;
    }
    if (!this.started) return;
    this.schedule(next === undefined ? IDLE_POLL_MS : Math.min(IDLE_POLL_MS, Math.max(0, next - now)));
  }

  private attempt(now: number, ok: boolean, code: string | null, httpStatus: number | null): void {
    this.options.onAttempt?.({ at: new Date(now).toISOString(), call: 'upload', ok, code, httpStatus });
  }
}
