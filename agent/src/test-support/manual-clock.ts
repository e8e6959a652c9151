import type { Clock, Timer } from '../core/ports';

interface Pending {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/** A clock the test moves: timers fire, in order, only inside `advance`. */
export class ManualClock implements Clock {
  private seq = 0;
  private timers: Pending[] = [];

  constructor(private time: number = Date.UTC(2025, 0, 6, 9, 0, 0)) {}

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): Timer {
    const timer: Pending = { at: this.time + Math.max(0, ms), seq: ++this.seq, callback, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Timers still waiting, soonest first. */
  pending(): number[] {
    return this.live().map((t) => t.at - this.time);
  }

  /** Moves time forward by `ms`, firing due timers and letting the promises they start settle. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const next = this.live().find((t) => t.at <= target);
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      next.cancelled = true;
      next.callback();
      await settle();
    }
    this.time = target;
  }

  private live(): Pending[] {
    this.timers = this.timers.filter((t) => !t.cancelled);
    return [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
}

/** Lets pending promise chains (and a little real I/O) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
