/**
 * Keeps the engine process running: starts it, and when it exits (a crash, a native module
 * failing, killed from Task Manager) starts it again after a pause that doubles from 1 s to a
 * minute, back to 1 s once it has stayed up for a minute.
 */
import type { MessageLink } from './engine-rpc';

export interface EngineChild {
  link: MessageLink;
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

export interface SupervisorTimer {
  set(fn: () => void, ms: number): { cancel(): void };
  now(): number;
}

export interface EngineSupervisorOptions {
  fork: () => EngineChild;
  timer: SupervisorTimer;
  onStarted: (link: MessageLink) => void;
  onExited: (code: number, restartInMs: number) => void;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Up this long: the next crash restarts at the minimum delay again. */
  healthyAfterMs?: number;
}

export class EngineSupervisor {
  private child: EngineChild | null = null;
  private restart: { cancel(): void } | null = null;
  private delayMs: number;
  private startedAt = 0;
  private stopped = false;
  restarts = 0;

  constructor(private readonly options: EngineSupervisorOptions) {
    this.delayMs = options.minDelayMs ?? 1_000;
  }

  start(): void {
    this.stopped = false;
    this.spawn();
  }

  stop(): void {
    this.stopped = true;
    this.restart?.cancel();
    this.restart = null;
    this.child?.kill();
    this.child = null;
  }

  private spawn(): void {
    const child = this.options.fork();
    this.child = child;
    this.startedAt = this.options.timer.now();
    child.onExit((code) => {
      if (this.child !== child) return;
      this.child = null;
      if (this.stopped) return;
      const min = this.options.minDelayMs ?? 1_000;
      const max = this.options.maxDelayMs ?? 60_000;
      if (this.options.timer.now() - this.startedAt >= (this.options.healthyAfterMs ?? 60_000)) this.delayMs = min;
      const wait = this.delayMs;
      this.delayMs = Math.min(this.delayMs * 2, max);
      this.options.onExited(code, wait);
      this.restart = this.options.timer.set(() => {
        this.restart = null;
        this.restarts++;
        if (!this.stopped) this.spawn();
      }, wait);
    });
    this.options.onStarted(child.link);
  }
}
