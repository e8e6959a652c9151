import type { KeyEvent, KeyListener, KeyboardSource, KeyboardState } from '../core/ports';

/** Characters the fake can type, as [key, shift] on a UK keyboard. */
const GB_KEYS: Readonly<Record<string, readonly [string, boolean]>> = {
  ' ': ['SPACE', false],
  '\n': ['RETURN', false],
  '\t': ['TAB', false],
  '\b': ['BACKSPACE', false],
  '.': ['DOT', false],
  ',': ['COMMA', false],
  "'": ['QUOTE', false],
  '@': ['QUOTE', true],
  '"': ['2', true],
  '£': ['3', true],
  '#': ['BACKSLASH', false],
  '!': ['1', true],
  '?': ['FORWARD SLASH', true],
  '-': ['MINUS', false],
  ':': ['SEMICOLON', true],
  ';': ['SEMICOLON', false],
};

/**
 * A keyboard driven by the test: `type('Hi you\n')` sends the key downs and ups a UK keyboard
 * would, with Shift for capitals; `\b` is Backspace, `\n` is Enter.
 */
export class FakeKeyboard implements KeyboardSource {
  private listener: KeyListener | undefined;
  readonly sent: KeyEvent[] = [];

  get started(): boolean {
    return this.listener !== undefined;
  }

  start(listener: KeyListener, onState?: (state: KeyboardState) => void): Promise<void> {
    this.listener = listener;
    onState?.('listening');
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.listener = undefined;
    return Promise.resolve();
  }

  emit(kind: KeyEvent['kind'], key: string): void {
    const event = { kind, key };
    this.sent.push(event);
    this.listener?.(event);
  }

  press(key: string): void {
    this.emit('down', key);
    this.emit('up', key);
  }

  type(text: string): void {
    for (const ch of text) {
      const [key, shift] = keyFor(ch);
      if (shift) this.emit('down', 'LEFT SHIFT');
      this.press(key);
      if (shift) this.emit('up', 'LEFT SHIFT');
    }
  }
}

function keyFor(ch: string): readonly [string, boolean] {
  if (/^[a-z]$/.test(ch)) return [ch.toUpperCase(), false];
  if (/^[A-Z]$/.test(ch)) return [ch, true];
  if (/^[0-9]$/.test(ch)) return [ch, false];
  const known = GB_KEYS[ch];
  if (!known) throw new Error(`FakeKeyboard cannot type ${JSON.stringify(ch)}`);
  return known;
}
