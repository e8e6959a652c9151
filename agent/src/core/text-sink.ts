import type { CaptureSource } from '@vigil/shared';
import type { WindowInfo } from './ports';
import type { TextMatcher, TypedMatches } from './typed-text';

/** A match found in some text: whatever the engine's matcher returns. */
export type TextMatch = ReturnType<TextMatcher>[number];

/**
 * Where capture sources send text: the engine (one matcher shared by every source, one capture
 * path). Sources match first so they can leave out what they already reported.
 */
export interface TextSink {
  /** Every match in `text`, with the engine's current keyword list. */
  match(text: string): TextMatch[];
  /** Queues a capture of `found`, seen by `source` in `window` (the current window when absent). */
  report(source: CaptureSource, found: TypedMatches, window?: WindowInfo): void;
  /**
   * The focused window changed (after `stillFocusedAt`, clock ms, when the previous window,
   * `previous`, was last seen focused): typed text starts afresh, and is ignored in a password
   * prompt.
   */
  focusChanged(window: WindowInfo | null, stillFocusedAt?: number | null, previous?: WindowInfo | null): void;
}

/** The `WindowInfo` part of a richer window object (capture metadata carries nothing else). */
export function windowInfo(window: WindowInfo | null): WindowInfo {
  return window ? { app: window.app, title: window.title, url: window.url } : { app: '', title: '', url: null };
}
