import type { Timers } from '../summary/alerts.service';
import type { CronScheduler } from '../summary/summary-scheduler';

/** Timers that fire only when the test says so (`scheduled[k].fn()`). */
export class FakeTimers implements Timers {
  readonly scheduled: { fn: () => void; ms: number; cleared: boolean }[] = [];
  set(fn: () => void, ms: number): unknown {
    const t = { fn, ms, cleared: false };
    this.scheduled.push(t);
    return t;
  }
  clear(handle: unknown): void {
    (handle as { cleared: boolean }).cleared = true;
  }
}

/** A cron that never fires: it records each job it was given, and whether it was stopped. */
export class FakeCron implements CronScheduler {
  readonly jobs: { pattern: string; timeZone: string; stopped: boolean }[] = [];
  schedule(pattern: string, timeZone: string) {
    const job = { pattern, timeZone, stopped: false };
    this.jobs.push(job);
    return { stop: () => void (job.stopped = true) };
  }
}
