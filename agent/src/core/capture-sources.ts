import { ClipboardWatcher } from './clipboard-watcher';
import type { ClipboardSource, Clock, Logger, ScreenText, WindowSource } from './ports';
import { ScreenTextWatcher, type ScreenTextSettings } from './screen-text-watcher';
import type { TextSink } from './text-sink';
import { WindowWatcher } from './window-watcher';

export interface CaptureSourcesOptions {
  /** The engine: one matcher and one capture path for every source. */
  sink: TextSink;
  window: WindowSource;
  /** Null turns the clipboard source off. */
  clipboard: ClipboardSource | null;
  /** Null turns on-screen text (OCR) off. */
  screen: ScreenText | null;
  clock: Clock;
  log: Logger;
  /** How often the focused window is read (default 1 s); after input, within `activePollMs`. */
  windowPollMs?: number;
  /** How often the clipboard is read (default 1 s); after input, within `activePollMs`. */
  clipboardPollMs?: number;
  /** After a key or click, the window and clipboard are read within this (default 1 s). */
  activePollMs?: number;
  screenText?: Partial<ScreenTextSettings>;
}

export interface CaptureSources {
  readonly window: WindowWatcher;
  readonly clipboard: ClipboardWatcher | null;
  readonly screen: ScreenTextWatcher | null;
  /**
   * The user pressed a key or clicked: focus, title or clipboard may change, so they are read
   * soon. A still laptop is then polled at the slower interval.
   */
  inputSeen(): void;
  /** Stops every source and waits for polls in progress; frees the OCR worker. */
  stop(): Promise<void>;
}

/**
 * Starts the sources besides the keyboard — active window (titles, URLs, focus), clipboard and
 * on-screen text — each restartable on its own: one failing never stops the others.
 */
export function startCaptureSources(options: CaptureSourcesOptions): CaptureSources {
  const { sink, clock, log } = options;
  const window = new WindowWatcher({ source: options.window, sink, clock, log, intervalMs: options.windowPollMs });
  const clipboard = options.clipboard
    ? new ClipboardWatcher({
        clipboard: options.clipboard,
        sink,
        activeWindow: window,
        clock,
        log,
        intervalMs: options.clipboardPollMs,
      })
    : null;
  const screen = options.screen
    ? new ScreenTextWatcher({ screen: options.screen, sink, windows: window, clock, log, settings: options.screenText })
    : null;
  window.start();
  clipboard?.start();
  screen?.start();
  log.info('sources.started', { window: true, clipboard: clipboard !== null, screen: screen !== null });
  return {
    window,
    clipboard,
    screen,
    inputSeen() {
      const soon = options.activePollMs ?? 1_000;
      window.wake(soon);
      clipboard?.wake(soon);
    },
    async stop() {
      await Promise.all([window.stop(), clipboard?.stop(), screen?.stop()]);
    },
  };
}
