import type { ActiveWindow, Clock, FocusedWindow, Logger, WindowInfo, WindowSource } from './ports';
import { Poller } from './poller';
import { SeenCounts, textKey } from './seen-set';
import { windowInfo, type TextSink } from './text-sink';

/** What changed at a poll: another window took focus, or the focused one's title or URL changed. */
export interface WindowChange {
  window: FocusedWindow | null;
  focusChanged: boolean;
}

export type WindowListener = (change: WindowChange) => void;

export interface WindowWatcherOptions {
  source: WindowSource;
  sink: TextSink;
  clock: Clock;
  log: Logger;
  /** How often the focused window is read (default 1 s). */
  intervalMs?: number;
  /** How long a title or URL, once matched, is not matched again (default 30 minutes). */
  rememberMs?: number;
}

/**
 * Polls the focused window. When another window takes focus, typed text starts afresh (a buffer
 * per focused window); when a title or URL appears, it is matched (search queries and video titles
 * show up there) — each distinct title and URL once, not at every poll.
 */
export class WindowWatcher implements ActiveWindow {
  private readonly options: WindowWatcherOptions;
  private readonly poller: Poller;
  private readonly seen: SeenCounts;
  private readonly listeners: WindowListener[] = [];
  private last: FocusedWindow | null = null;
  private polled = false;
  /** When the last poll read the window (clock ms): the window it saw was focused then. */
  private lastPollAt: number | null = null;
  private polling: Promise<void> | undefined;

  constructor(options: WindowWatcherOptions) {
    this.options = options;
    this.seen = new SeenCounts({ clock: options.clock, ttlMs: options.rememberMs });
    this.poller = new Poller({
      name: 'window',
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

  /** Tells `listener` about every change, after the watcher has acted on it. */
  onChange(listener: WindowListener): void {
    this.listeners.push(listener);
  }

  /** The focused window at the last poll. */
  focused(): FocusedWindow | null {
    return this.last;
  }

  current(): Promise<WindowInfo> {
    return Promise.resolve(windowInfo(this.last));
  }

  /**
   * Reads the focused window now (joining a read already under way) and returns it: for a
   * source that needs the window of the moment, not the last poll's (OCR before it looks).
   */
  async refresh(): Promise<FocusedWindow | null> {
    await this.poll();
    return this.last;
  }

  /** One poll: reads the focused window and acts on what changed. One at a time: a second call joins the first. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const readAt = this.options.clock.now();
    const window = await this.options.source.focused();
    const stillFocusedAt = this.lastPollAt;
    this.lastPollAt = readAt;
    const previous = this.last;
    const focusChanged = !this.polled || (window?.id ?? null) !== (previous?.id ?? null);
    const textChanged = focusChanged || window?.title !== previous?.title || window?.url !== previous?.url;
    this.polled = true;
    this.last = window;
    if (!textChanged) return;
    if (focusChanged) {
      this.options.sink.focusChanged(
        window ? windowInfo(window) : null,
        stillFocusedAt,
        previous ? windowInfo(previous) : null,
      );
      this.options.log.debug('window.focus_changed', { known: window !== null });
    }
    if (window) {
      this.matchOnce('title', window.title, window);
      if (window.url) this.matchOnce('url', readableUrl(window.url), window);
    }
    for (const listener of this.listeners) listener({ window, focusChanged });
  }

  private matchOnce(source: 'title' | 'url', text: string, window: FocusedWindow): void {
    if (text.trim() === '' || !this.seen.first(textKey(source, text))) return;
    const matches = this.options.sink.match(text);
    if (matches.length > 0) this.options.sink.report(source, { text, matches }, windowInfo(window));
  }
}

/**
 * A URL as words, for matching: percent-escapes decoded and the characters that stand for spaces
 * in queries and slugs (`+ - _ / ? = & . #`) made spaces, so `?q=i+want+to+die` and
 * `/watch/how-to-kill-myself` match like the text they carry. The capture keeps the real URL.
 */
export function readableUrl(url: string): string {
  let decoded = url.replace(/\+/g, ' ');
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // A malformed escape: match the URL as it is.
  }
  return decoded
    .replace(/[-_/?=&.#:]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
