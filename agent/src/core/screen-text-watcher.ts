import type { Clock, FocusedWindow, Logger, ScreenText } from './ports';
import { isExempt } from './password-exemption';
import { Poller } from './poller';
import { SeenCounts, textKey } from './seen-set';
import { windowInfo, type TextSink } from './text-sink';
import type { WindowWatcher } from './window-watcher';

export interface ScreenTextSettings {
  /** How often the active window is looked at again while it stays active (default 10 s). */
  intervalMs: number;
  /** The CPU budget: at most one OCR per this many ms (default 5 s). */
  budgetMs: number;
  /**
   * While frames stay unchanged the look-again interval doubles, up to this (default 60 s): a
   * still screen costs a grab a minute, not six. A window change looks again at once.
   */
  idleMaxIntervalMs: number;
}

export const DEFAULT_SCREEN_TEXT_SETTINGS: ScreenTextSettings = {
  intervalMs: 10_000,
  budgetMs: 5_000,
  idleMaxIntervalMs: 60_000,
};

export interface ScreenTextWatcherOptions {
  screen: ScreenText;
  sink: TextSink;
  windows: Pick<WindowWatcher, 'refresh' | 'onChange'>;
  clock: Clock;
  log: Logger;
  settings?: Partial<ScreenTextSettings>;
  /** Frames whose hashes differ in at most this many bits are "unchanged" (default 2). */
  sameFrameBits?: number;
}

/** The number of bits that differ between two hex hashes (all of them when the lengths differ). */
export function hashDistance(a: string, b: string): number {
  if (a.length !== b.length) return Math.max(a.length, b.length) * 4;
  let bits = 0;
  for (let i = 0; i < a.length; i++) {
    let x = parseInt(a[i] ?? '0', 16) ^ parseInt(b[i] ?? '0', 16);
    for (; x; x &= x - 1) bits++;
  }
  return bits;
}

const HASHES_KEPT = 32;

/**
 * Reads the text on screen (received messages, web pages): OCR of the active window when it
 * changes and then every `intervalMs` while it stays active, never more than one OCR per
 * `budgetMs`. A frame that looks like the last one read for that window (by its image hash) is
 * not read again. A phrase already reported for a window's text is reported again only when it
 * shows up more often than before (a new message saying it again), not at every frame.
 */
export class ScreenTextWatcher {
  private readonly options: ScreenTextWatcherOptions;
  private readonly settings: ScreenTextSettings;
  private readonly poller: Poller;
  private readonly reported: SeenCounts;
  /** The hash of the last frame read, per window: `textKey(app, title)` → hash. */
  private readonly hashes = new Map<string, string>();
  private lastOcrAt = Number.NEGATIVE_INFINITY;
  /** Unchanged frames in a row: each doubles the wait before the next look. */
  private unchangedStreak = 0;
  /** The last cheap probe of each window whose frame was read: `textKey(app, title)` → probe. */
  private readonly probes = new Map<string, string>();
  /** Counters for the debug log and tests. */
  readonly stats = { grabs: 0, recognised: 0, unchanged: 0, exempt: 0 };

  constructor(options: ScreenTextWatcherOptions) {
    this.options = options;
    this.settings = { ...DEFAULT_SCREEN_TEXT_SETTINGS, ...options.settings };
    this.reported = new SeenCounts({ clock: options.clock });
    this.poller = new Poller({
      name: 'screen',
      clock: options.clock,
      log: options.log,
      intervalMs: Math.max(this.settings.intervalMs, this.settings.budgetMs),
      task: () => this.poll(),
      restartMinMs: 5_000,
      restartMaxMs: 5 * 60_000,
    });
    options.windows.onChange(() => {
      this.unchangedStreak = 0;
      this.poller.wake(this.untilBudget());
    });
  }

  start(): void {
    this.poller.start();
  }

  /** The CPU budget changed (the school's policy sets it): at most one OCR per `budgetMs`. */
  setBudgetMs(budgetMs: number): void {
    if (budgetMs === this.settings.budgetMs) return;
    this.settings.budgetMs = budgetMs;
    this.poller.setIntervalMs(Math.max(this.settings.intervalMs, budgetMs));
    this.options.log.info('screen.budget', { budgetMs });
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    await this.options.screen.close();
  }

  private untilBudget(): number {
    return Math.max(0, this.lastOcrAt + this.settings.budgetMs - this.options.clock.now());
  }

  /** One look at the active window: grab, skip if unchanged, OCR, match, report what is new. */
  async poll(): Promise<number | void> {
    // The window of the moment: the window poll may be seconds old on a still laptop, and text
    // must be keyed to (and never read from) the right window.
    const window = await this.options.windows.refresh();
    // No window has focus (a window is being mapped, or the desktop itself): there is nothing to
    // key the text to, and reading the whole screen now would report again, under the window's
    // key, what the next look (once it has focus) reads. Look again at the next poll.
    if (window === null) return;
    if (isExempt('screen', window)) {
      this.stats.exempt++;
      return;
    }
    const wait = this.untilBudget();
    if (wait > 0) return wait; // the budget is spent: come back when it is not
    const key = windowKey(window);
    // A cheap look first, where the platform has one: an unchanged region needs no full grab.
    const probe = (await this.options.screen.probe?.(window?.bounds ?? null)) ?? null;
    if (probe !== null && this.probes.get(key) === probe) return this.unchanged();
    const frame = await this.options.screen.grab(window?.bounds ?? null);
    this.stats.grabs++;
    if (probe !== null) {
      this.probes.delete(key);
      this.probes.set(key, probe);
      if (this.probes.size > HASHES_KEPT) this.probes.delete(this.probes.keys().next().value as string);
    }
    const previous = this.hashes.get(key);
    if (previous !== undefined && hashDistance(previous, frame.hash) <= (this.options.sameFrameBits ?? 2)) {
      return this.unchanged();
    }
    this.unchangedStreak = 0;
    this.lastOcrAt = this.options.clock.now();
    const raw = await this.options.screen.recognise(frame);
    this.stats.recognised++;
    this.hashes.delete(key);
    this.hashes.set(key, frame.hash);
    for (const [oldest] of this.hashes) {
      if (this.hashes.size <= HASHES_KEPT) break;
      this.hashes.delete(oldest);
    }
    const text = raw.replace(/\s+/g, ' ').trim();
    this.options.log.debug('screen.read', { characters: text.length });
    if (text === '') return;
    const matches = this.options.sink.match(text);
    const counts = new Map<string, number>();
    for (const m of matches) counts.set(m.entry.id, (counts.get(m.entry.id) ?? 0) + 1);
    const fresh = new Set<string>();
    for (const [entryId, count] of counts) if (this.reported.raise(textKey(key, entryId), count)) fresh.add(entryId);
    const found = matches.filter((m) => fresh.has(m.entry.id));
    if (found.length > 0) this.options.sink.report('screen', { text, matches: found }, windowInfo(window));
  }

  /** The frame did not change: look again later, each time later, up to the idle maximum. */
  private unchanged(): number {
    this.stats.unchanged++;
    this.unchangedStreak = Math.min(this.unchangedStreak + 1, 16);
    const interval = Math.max(this.settings.intervalMs, this.settings.budgetMs);
    return Math.min(interval * 2 ** this.unchangedStreak, Math.max(interval, this.settings.idleMaxIntervalMs));
  }
}

/** Which window's text this is: by app and title (a new page or chat has a new title). */
function windowKey(window: FocusedWindow | null): string {
  return window ? textKey(window.app, window.title) : '';
}
