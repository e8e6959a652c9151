import type { HeartbeatResponse } from '@vigil/shared';
import { errorCode } from '../errors';
import type { ConnectionAttempt } from './agent-status.schema';
import type { Clock, Logger, Outbox, Timer, Transport, TransportResult } from './ports';

export interface HeartbeatOptions {
  transport: Pick<Transport, 'heartbeat'>;
  outbox: Pick<Outbox, 'depth'>;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  agentVersion: string;
  user: string;
  /** The policy version the engine matches with now. */
  policyVersion: () => string;
  /** When the last capture was queued, as an ISO instant. */
  lastCaptureAt: () => string | null;
  onAttempt?: (attempt: ConnectionAttempt) => void;
  /** The console answered: it carries the console's current policy version. */
  onResponse?: (response: HeartbeatResponse) => void;
}

/** Tells the console the device is alive, how deep its queue is and which policy it runs; once now, then periodically. */
export class Heartbeat {
  private readonly options: HeartbeatOptions;
  private timer: Timer | undefined;
  private started = false;
  private inFlight: Promise<unknown> | undefined;

  private intervalMs: number;

  constructor(options: HeartbeatOptions) {
    this.options = options;
    this.intervalMs = options.intervalMs;
  }

  /** The school's policy changed the interval: the next beat after the one planned uses it. */
  setIntervalMs(ms: number): void {
    this.intervalMs = ms;
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
    await this.inFlight;
  }

  /** Sends one heartbeat. Never throws. */
  async beat(): Promise<TransportResult<HeartbeatResponse>> {
    const { transport, outbox, clock, log } = this.options;
    let result: TransportResult<HeartbeatResponse>;
    try {
      const queueDepth = await outbox.depth();
      result = await transport.heartbeat({
        agentVersion: this.options.agentVersion,
        policyVersion: this.options.policyVersion(),
        queueDepth,
        user: this.options.user,
        lastCaptureAt: this.options.lastCaptureAt(),
        sentAt: new Date(clock.now()).toISOString(),
      });
    } catch (error) {
      result = { kind: 'retryable', code: errorCode(error), httpStatus: null, retryAfterMs: null };
    }
    const at = new Date(clock.now()).toISOString();
    if (result.kind === 'ok') {
      this.options.onAttempt?.({ at, call: 'heartbeat', ok: true, code: null, httpStatus: 200 });
      this.options.onResponse?.(result.value);
      log.debug('heartbeat.ok', { consolePolicyVersion: result.value.policyVersion });
    } else {
      this.options.onAttempt?.({ at, call: 'heartbeat', ok: false, code: result.code, httpStatus: result.httpStatus });
      log.warn('heartbeat.failed', { code: result.code, httpStatus: result.httpStatus });
    }
    return result;
  }

  private schedule(ms: number): void {
    this.timer = this.options.clock.setTimer(() => {
      this.timer = undefined;
      const beat = this.beat();
      this.inFlight = beat;
      void beat.finally(() => {
        this.inFlight = undefined;
        if (this.started) this.schedule(this.intervalMs);
      });
    }, ms);
  }
}
