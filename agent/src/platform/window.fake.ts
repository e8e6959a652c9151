import { AgentError } from '../errors';
import type { ActiveWindow, FocusedWindow, WindowInfo, WindowSource } from '../core/ports';

/** A focused window the test sets; `fail()` makes the next reads reject as a broken source would. */
export class FakeWindow implements WindowSource, ActiveWindow {
  private window: FocusedWindow | null = null;
  private failures = 0;
  reads = 0;

  /** Focuses a window (a new id means another window). */
  focus(window: Partial<FocusedWindow> & { id: string }): void {
    this.window = { app: '', title: '', url: null, bounds: null, ...window };
  }

  /** No window has focus. */
  blur(): void {
    this.window = null;
  }

  /** The next `count` reads fail. */
  fail(count = 1): void {
    this.failures = count;
  }

  focused(): Promise<FocusedWindow | null> {
    this.reads++;
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new AgentError('AGENT_ERR_WINDOW_UNAVAILABLE'));
    }
    return Promise.resolve(this.window ? { ...this.window } : null);
  }

  current(): Promise<WindowInfo> {
    const w = this.window;
    return Promise.resolve(w ? { app: w.app, title: w.title, url: w.url } : { app: '', title: '', url: null });
  }
}
