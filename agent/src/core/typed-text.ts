import type { EntryMatch } from './keyword-matcher';
import type { KeyEvent } from './ports';

/**
 * Typed text, rebuilt from global key events one line at a time, and matched at word
 * boundaries. The text stays in memory: it is dropped at the end of each line and only the
 * context around a match ever leaves this module.
 */

export const KEYBOARD_LAYOUTS = ['gb', 'us'] as const;
export type KeyboardLayout = (typeof KEYBOARD_LAYOUTS)[number];

/** Finds every match in a text (KeywordMatcher#match). */
export type TextMatcher = (text: string) => EntryMatch[];

/** New, complete matches and the line they were found in (offsets are into `text`). */
export interface TypedMatches {
  text: string;
  matches: EntryMatch[];
}

export interface TypedTextOptions {
  match: TextMatcher;
  layout?: KeyboardLayout;
  /** Longest line kept; older text is dropped from the front. */
  maxLineLength?: number;
}

type KeyChars = readonly [plain: string, shifted: string];

const SAME_KEYS: Readonly<Record<string, KeyChars>> = {
  SPACE: [' ', ' '],
  MINUS: ['-', '_'],
  EQUALS: ['=', '+'],
  'SQUARE BRACKET OPEN': ['[', '{'],
  'SQUARE BRACKET CLOSE': [']', '}'],
  SEMICOLON: [';', ':'],
  COMMA: [',', '<'],
  DOT: ['.', '>'],
  'FORWARD SLASH': ['/', '?'],
  'INTL BACKSLASH': ['\\', '|'],
  'NUMPAD DIVIDE': ['/', '/'],
  'NUMPAD MULTIPLY': ['*', '*'],
  'NUMPAD MINUS': ['-', '-'],
  'NUMPAD PLUS': ['+', '+'],
  'NUMPAD DOT': ['.', '.'],
  'NUMPAD EQUALS': ['=', '='],
};

/** Where UK and US keyboards differ on the keys a pupil types with. */
const LAYOUTS: Readonly<Record<KeyboardLayout, { shiftedDigits: string; keys: Readonly<Record<string, KeyChars>> }>> = {
  gb: {
    shiftedDigits: ')!"£$%^&*(',
    keys: { QUOTE: ["'", '@'], BACKSLASH: ['#', '~'], BACKTICK: ['`', '¬'] },
  },
  us: {
    shiftedDigits: ')!@#$%^&*(',
    keys: { QUOTE: ["'", '"'], BACKSLASH: ['\\', '|'], BACKTICK: ['`', '~'] },
  },
};

const SHIFT_KEYS = new Set(['LEFT SHIFT', 'RIGHT SHIFT']);
/** While one of these is held, keys are shortcuts, not text. */
const COMMAND_KEYS = new Set(['LEFT CTRL', 'RIGHT CTRL', 'LEFT META', 'RIGHT META', 'LEFT ALT', 'RIGHT ALT']);
/** Keys after which the text on screen is no longer the text in the buffer: the line ends. */
const LINE_END_KEYS = new Set([
  'RETURN',
  'NUMPAD RETURN',
  'TAB',
  'ESCAPE',
  'UP ARROW',
  'DOWN ARROW',
  'LEFT ARROW',
  'RIGHT ARROW',
  'HOME',
  'END',
  'PAGE UP',
  'PAGE DOWN',
  'MOUSE LEFT',
  'MOUSE RIGHT',
  'MOUSE MIDDLE',
  'MOUSE X1',
  'MOUSE X2',
  // A key the listener cannot name (a remapped or media key, or a keysym with no key of its own,
  // as tools that type for the user send for Linefeed): the text on screen is no longer known,
  // so what was typed so far is checked and the line starts afresh.
  'OTHER',
]);

/** The same word characters as the matcher's: a phrase ends where one of these does not follow. */
const WORD_CHAR = /[\p{L}\p{N}_']/u;

const DEFAULT_MAX_LINE_LENGTH = 1000;

export class TypedText {
  private readonly match: TextMatcher;
  private readonly layout: (typeof LAYOUTS)[KeyboardLayout];
  private readonly maxLineLength: number;
  private line = '';
  /** How many characters of this line were dropped from the front (keeps match keys stable). */
  private dropped = 0;
  /** Matches already reported on this line: `entryId@absoluteStart` → absolute start. */
  private readonly reported = new Map<string, number>();
  private readonly held = new Set<string>();
  private capsLock = false;

  constructor(options: TypedTextOptions) {
    this.match = options.match;
    this.layout = LAYOUTS[options.layout ?? 'gb'];
    this.maxLineLength = Math.max(100, options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH);
  }

  /** Feeds one key event; returns the matches it completed, each reported once. */
  push(event: KeyEvent): TypedMatches | undefined {
    const { key } = event;
    if (event.kind === 'up') {
      this.held.delete(key);
      return undefined;
    }
    if (SHIFT_KEYS.has(key) || COMMAND_KEYS.has(key)) {
      this.held.add(key);
      return undefined;
    }
    if (key === 'CAPS LOCK') {
      this.capsLock = !this.capsLock;
      return undefined;
    }
    const command = this.isHeld(COMMAND_KEYS);
    if (key === 'BACKSPACE') {
      if (command) this.deleteWord();
      else this.line = this.line.slice(0, -1);
      return undefined;
    }
    if (command || LINE_END_KEYS.has(key)) return this.endLine();
    const ch = this.charFor(key);
    if (ch === undefined) return undefined;
    this.append(ch);
    return WORD_CHAR.test(ch) ? undefined : this.evaluate(false);
  }

  /** Ends the line (as Enter does): reports what it completed and forgets the text. */
  endLine(): TypedMatches | undefined {
    const found = this.evaluate(true);
    this.clearLine();
    return found;
  }

  /** Forgets everything, including which modifier keys are held. */
  reset(): void {
    this.clearLine();
    this.held.clear();
    this.capsLock = false;
  }

  private clearLine(): void {
    this.line = '';
    this.dropped = 0;
    this.reported.clear();
  }

  private isHeld(keys: ReadonlySet<string>): boolean {
    for (const key of this.held) if (keys.has(key)) return true;
    return false;
  }

  private charFor(key: string): string | undefined {
    const shift = this.isHeld(SHIFT_KEYS);
    if (/^[A-Z]$/.test(key)) return shift !== this.capsLock ? key : key.toLowerCase();
    if (/^[0-9]$/.test(key)) return shift ? this.layout.shiftedDigits[Number(key)] : key;
    const numpad = /^NUMPAD ([0-9])$/.exec(key);
    if (numpad) return numpad[1];
    const pair = this.layout.keys[key] ?? SAME_KEYS[key];
    return pair ? pair[shift ? 1 : 0] : undefined;
  }

  private deleteWord(): void {
    this.line = this.line.replace(/[^\s]*\s*$/u, '');
  }

  private append(ch: string): void {
    this.line += ch;
    if (this.line.length <= this.maxLineLength) return;
    const cut = this.line.length - Math.floor(this.maxLineLength / 2);
    this.line = this.line.slice(cut);
    this.dropped += cut;
    for (const [key, start] of this.reported) if (start < this.dropped) this.reported.delete(key);
  }

  /** Reports matches not reported yet; before the line ends, only those followed by a boundary. */
  private evaluate(lineEnded: boolean): TypedMatches | undefined {
    const text = this.line;
    if (text.trim() === '') return undefined;
    const fresh = this.match(text).filter((m) => {
      if (!lineEnded && m.end >= text.length) return false;
      const start = this.dropped + m.start;
      const key = `${m.entry.id}@${start}`;
      if (this.reported.has(key)) return false;
      this.reported.set(key, start);
      return true;
    });
    return fresh.length > 0 ? { text, matches: fresh } : undefined;
  }
}
