import type { ActiveWindow, ClipboardSource, Clock, Logger } from './ports';
import { isExempt } from './password-exemption';
import { Poller } from './poller';
import { textKey } from './seen-set';
import type { TextSink } from './text-sink';

export interface ClipboardWatcherOptions {
  clipboard: ClipboardSource;
  sink: TextSink;
  /** The window the text was copied in, for the capture and the password rule. */
  activeWindow: ActiveWindow;
  clock: Clock;
  log: Logger;
  /** How often the clipboard is read (default 1 s). */
  intervalMs?: number;
  /** Longest text matched; the rest of a huge clipboard is ignored (default 20,000 characters). */
  maxLength?: number;
}

/**
 * Reads the clipboard about once a second and matches its text when it changes — once per
 * change. What was on the clipboard when the agent started is taken as already seen, so a
 * restart does not report it again. Only a fingerprint of the last text is kept.
 */
export class ClipboardWatcher {
  private readonly options: ClipboardWatcherOptions;
  private readonly poller: Poller;
  private lastKey: string | null | undefined;

  constructor(options: ClipboardWatcherOptions) {
    this.options = options;
    this.poller = new Poller({
      name: 'clipboard',
      clock: options.clock,
      log: options.log,
      intervalMs: options.intervalMs ?? 1_000,
      task: () => this.poll(),
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Polls within `delayMs` (sooner than the interval): the user is active. */
  wake(delayMs: number): void {
    this.poller.wake(delayMs);
  }

  async poll(): Promise<void> {
    const raw = await this.options.clipboard.readText();
    const text = raw === null ? null : raw.slice(0, this.options.maxLength ?? 20_000);
    const key = text === null ? null : textKey(text);
    const first = this.lastKey === undefined;
    if (key === this.lastKey) return;
    this.lastKey = key;
    if (first || text === null || text.trim() === '') return;
    const window = await this.options.activeWindow.current();
    if (isExempt('clipboard', window)) {
      this.options.log.info('clipboard.exempt', { reason: 'password-window' });
      return;
    }
    const matches = this.options.sink.match(text);
    if (matches.length > 0) this.options.sink.report('clipboard', { text, matches }, window);
  }
}
