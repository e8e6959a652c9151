import type { EntryMatch, EntryStream } from './keyword-matcher';
import type { KeyEvent } from './ports';

/**
 * Typed text, rebuilt from global key events one line at a time and fed, character by character,
 * to the matcher's stream: a backspace deletes from the stream too, so a phrase typed, half
 * deleted and retyped is still one phrase, reported once. The text stays in memory: it is dropped
 * at the end of each line and only the context around a match ever leaves this module.
 */

export const KEYBOARD_LAYOUTS = ['gb', 'us'] as const;
export type KeyboardLayout = (typeof KEYBOARD_LAYOUTS)[number];

/** Finds every match in a text (KeywordMatcher#match). */
export type TextMatcher = (text: string) => EntryMatch[];

/** Where streams come from (KeywordMatcher): one per line, and a new one when the lists change. */
export interface StreamingMatcher {
  stream(): EntryStream;
}

/** New, complete matches and the line they were found in (offsets are into `text`). */
export interface TypedMatches {
  text: string;
  matches: EntryMatch[];
}

export interface TypedTextOptions {
  matcher: StreamingMatcher;
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

const DEFAULT_MAX_LINE_LENGTH = 1000;
/** The matcher's word characters: a pause inside a word decides nothing (the word may go on). */
const WORD_CHAR_AT_END = /[\p{L}\p{N}_']$/u;

export class TypedText {
  private readonly layout: (typeof LAYOUTS)[KeyboardLayout];
  private readonly maxLineLength: number;
  private matcher: StreamingMatcher;
  /** The line typed so far: the stream holds it (and its matching state). */
  private stream: EntryStream;
  /** Characters in the line (UTF-16 units; every key gives one). */
  private length = 0;
  /** Whether the line ends with a word character (a word is being typed). */
  private inWord = false;
  /** How many characters of this line were dropped from the front (keeps match keys stable). */
  private dropped = 0;
  /** Matches already reported on this line: `entryId@absoluteStart` → absolute start. */
  private readonly reported = new Map<string, number>();
  private readonly held = new Set<string>();
  private capsLock = false;

  constructor(options: TypedTextOptions) {
    this.matcher = options.matcher;
    this.stream = options.matcher.stream();
    this.layout = LAYOUTS[options.layout ?? 'gb'];
    this.maxLineLength = Math.max(100, options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH);
  }

  /** The line as typed so far (in memory only; for tests and the matcher). */
  get text(): string {
    return this.stream.text;
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
      else this.delete(1);
      return undefined;
    }
    if (command || LINE_END_KEYS.has(key)) return this.endLine();
    const ch = this.charFor(key);
    if (ch === undefined) return undefined;
    return this.append(ch);
  }

  /**
   * The user paused after a word (the line ends with a space or punctuation): reports the matches
   * still waiting for the next word because an allow-listed phrase could have followed ("i want to
   * die" waits for "of embarrassment"). The line is kept; a match is never reported twice.
   */
  flushPending(): TypedMatches | undefined {
    if (!this.pausePending) return undefined;
    return this.fresh(this.stream.flush());
  }

  /** True when the line ends after a word, so a pause may decide matches still waiting. */
  get pausePending(): boolean {
    return this.length > 0 && !this.inWord;
  }

  /** Ends the line (as Enter does): reports what it completed and forgets the text. */
  endLine(): TypedMatches | undefined {
    const found = this.length === 0 ? undefined : this.fresh(this.stream.flush());
    this.clearLine();
    return found;
  }

  /** Forgets everything, including which modifier keys are held. */
  reset(): void {
    this.clearLine();
    this.held.clear();
    this.capsLock = false;
  }

  /**
   * New lists: the line typed so far is replayed into a stream of the new matcher, so a phrase
   * being typed is still seen when it completes. Matches already reported on this line are not
   * reported again; matches of the new lists that the line already completes are returned.
   */
  setMatcher(matcher: StreamingMatcher): TypedMatches | undefined {
    const text = this.stream.text;
    const stream = matcher.stream();
    const found = stream.push(text);
    this.matcher = matcher;
    this.stream = stream;
    return this.fresh(found);
  }

  private clearLine(): void {
    this.stream.reset();
    this.length = 0;
    this.inWord = false;
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

  /** Deletes the last `count` characters. A reported match whose first character is gone is forgotten. */
  private delete(count: number): void {
    const n = Math.min(count, this.length);
    if (n === 0) return;
    this.stream.backspace(n);
    this.length -= n;
    this.inWord = this.length > 0 && WORD_CHAR_AT_END.test(this.stream.text);
    const end = this.dropped + this.length;
    for (const [key, start] of this.reported) if (start >= end) this.reported.delete(key);
  }

  private deleteWord(): void {
    this.delete(/[^\s]*\s*$/u.exec(this.stream.text)?.[0].length ?? 0);
  }

  private append(ch: string): TypedMatches | undefined {
    const found = this.fresh(this.stream.push(ch));
    this.length += ch.length;
    this.inWord = WORD_CHAR_AT_END.test(ch);
    if (this.length > this.maxLineLength) this.dropFront();
    return found;
  }

  /**
   * The line is too long: keep its last half (from a word start when there is one), replayed
   * into a new stream. What the replay finds was reported already, or was not final and will be.
   */
  private dropFront(): void {
    const text = this.stream.text;
    let cut = text.length - Math.floor(this.maxLineLength / 2);
    const space = text.slice(cut).search(/\s/u);
    if (space >= 0) cut += space + 1;
    const kept = text.slice(cut);
    this.stream = this.matcher.stream();
    this.dropped += cut;
    this.length = kept.length;
    for (const [key, start] of this.reported) if (start < this.dropped) this.reported.delete(key);
    for (const m of this.stream.push(kept)) {
      const start = this.dropped + m.start;
      this.reported.set(`${m.entry.id}@${start}`, start);
    }
  }

  /** The matches not reported yet on this line, with the line they were found in. */
  private fresh(matches: EntryMatch[]): TypedMatches | undefined {
    if (matches.length === 0) return undefined;
    const kept = matches.filter((m) => {
      const start = this.dropped + m.start;
      const key = `${m.entry.id}@${start}`;
      if (this.reported.has(key)) return false;
      this.reported.set(key, start);
      return true;
    });
    return kept.length > 0 ? { text: this.stream.text, matches: kept } : undefined;
  }
}
