import { errorCode } from '../errors';
import type { Clock, Logger, Timer } from './ports';

export interface PollerOptions {
  /** Names the source in logs: `window`, `clipboard`, `screen`. */
  name: string;
  clock: Clock;
  log: Logger;
  /** Time between the end of one run and the start of the next. */
  intervalMs: number;
  /**
   * One poll. It may resolve with the delay until the next run, when it knows better than the
   * interval (a budget not spent yet). A rejection counts as a failure of the source.
   */
  task: () => Promise<number | void>;
  /** First wait after a failure (default 1 s); doubles up to `restartMaxMs` (default 60 s). */
  restartMinMs?: number;
  restartMaxMs?: number;
}

/**
 * Runs a capture source's poll again and again on the injected clock. A failing poll is logged
 * (its code, never what it read) and retried with backoff; the source degrades, the agent does
 * not crash. One run at a time.
 */
export class Poller {
  private readonly options: PollerOptions;
  private timer: Timer | undefined;
  private dueAt = Number.POSITIVE_INFINITY;
  private running: Promise<void> | undefined;
  private failures = 0;
  private stopped = true;
  /** A wake that came during a run: when (clock time) the next run is wanted. */
  private wakeAt: number | undefined;

  constructor(options: PollerOptions) {
    this.options = options;
  }

  /** Starts polling; the first run is now. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  /** Changes the time between runs (from the next run on). */
  setIntervalMs(ms: number): void {
    this.options.intervalMs = ms;
  }

  /** Asks for a run within `delayMs` (sooner than planned). Ignored while failing: the backoff wins. */
  wake(delayMs = 0): void {
    if (this.stopped || this.failures > 0) return;
    const at = this.options.clock.now() + Math.max(0, delayMs);
    if (this.running) this.wakeAt = Math.min(this.wakeAt ?? at, at);
    else if (at < this.dueAt) this.schedule(delayMs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    const delay = Math.max(0, ms);
    this.dueAt = this.options.clock.now() + delay;
    this.timer = this.options.clock.setTimer(() => this.run(), delay);
  }

  private run(): void {
    if (this.stopped || this.running) return;
    this.timer = undefined;
    this.dueAt = Number.POSITIVE_INFINITY;
    const { name, log } = this.options;
    this.running = this.options
      .task()
      .then(
        (next) => {
          if (this.failures > 0) log.info('source.recovered', { source: name, failures: this.failures });
          this.failures = 0;
          const wanted = typeof next === 'number' ? next : this.options.intervalMs;
          const woken = this.wakeAt === undefined ? wanted : this.wakeAt - this.options.clock.now();
          return Math.min(wanted, woken);
        },
        (error: unknown) => {
          this.failures += 1;
          const min = this.options.restartMinMs ?? 1_000;
          const max = this.options.restartMaxMs ?? 60_000;
          const retryInMs = Math.min(max, min * 2 ** Math.min(this.failures - 1, 30));
          log.warn('source.failed', { source: name, code: errorCode(error), failures: this.failures, retryInMs });
          return retryInMs;
        },
      )
      .then((next) => {
        this.running = undefined;
        this.wakeAt = undefined;
        this.schedule(next);
      });
  }
}
