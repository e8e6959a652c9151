import { AgentError } from '../errors';
import type { ScreenFrame, ScreenText, WindowBounds } from '../core/ports';

/**
 * A screen the test paints: `show(text)` puts text on it (its hash follows the text, so the same
 * text is an unchanged frame); recognition returns the text of the frame it is given.
 */
export class FakeScreenText implements ScreenText {
  private text = '';
  private failures = 0;
  readonly grabs: (WindowBounds | null)[] = [];
  recognitions = 0;
  closed = 0;

  show(text: string): void {
    this.text = text;
  }

  fail(count = 1): void {
    this.failures = count;
  }

  grab(region: WindowBounds | null): Promise<ScreenFrame> {
    this.grabs.push(region);
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new AgentError('AGENT_ERR_SCREEN_TEXT_FAILED'));
    }
    return Promise.resolve({ image: new TextEncoder().encode(this.text), hash: fakeHash(this.text) });
  }

  /** Probes answered (only when `probing` is on: a platform without a cheap probe has none). */
  probes = 0;
  probing = false;

  probe(_region: WindowBounds | null): Promise<string | null> {
    if (!this.probing) return Promise.resolve(null);
    this.probes++;
    return Promise.resolve(fakeHash(`probe:${this.text}`));
  }

  recognise(frame: ScreenFrame): Promise<string> {
    this.recognitions++;
    return Promise.resolve(new TextDecoder().decode(frame.image));
  }

  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

/** 64 bits from the text: equal texts, equal hashes; different texts, (almost always) far apart. */
function fakeHash(text: string): string {
  let hex = '';
  for (let seed = 0; seed < 4; seed++) {
    let h = 0x811c9dc5 ^ seed;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    hex += ((h >>> 16) & 0xffff).toString(16).padStart(4, '0');
  }
  return hex;
}
