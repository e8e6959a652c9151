import { AgentError } from '../errors';
import type { ClipboardSource } from '../core/ports';

/** A clipboard the test writes to; `fail()` makes the next reads reject. */
export class FakeClipboard implements ClipboardSource {
  text: string | null = null;
  reads = 0;
  private failures = 0;

  copy(text: string | null): void {
    this.text = text;
  }

  fail(count = 1): void {
    this.failures = count;
  }

  readText(): Promise<string | null> {
    this.reads++;
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new AgentError('AGENT_ERR_CLIPBOARD_UNAVAILABLE'));
    }
    return Promise.resolve(this.text);
  }
}
