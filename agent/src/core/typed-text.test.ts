import type { KeywordEntry } from '@vigil/shared';
import { KeywordMatcher } from './keyword-matcher';
import type { KeyEvent } from './ports';
import { TypedText, type KeyboardLayout, type TypedMatches } from './typed-text';

const entry = (phrase: string, match: KeywordEntry['match'] = 'word'): KeywordEntry => ({
  id: phrase.replace(/\W+/g, '-'),
  phrase,
  category: 'test',
  severity: 4,
  match,
});

const LIST = [entry('kill myself'), entry('send nudes'), entry('kys'), entry('unalive', 'prefix')];
const WITH_KILL = [...LIST, entry('kill')];

/** Key events for a script: plain characters are keys; `{KEY}` is a key press; `{+KEY}`/`{-KEY}` hold and release. */
function keys(script: string): KeyEvent[] {
  const events: KeyEvent[] = [];
  const press = (key: string): void => {
    events.push({ kind: 'down', key }, { kind: 'up', key });
  };
  for (const token of script.match(/\{[^}]+\}|[\s\S]/g) ?? []) {
    const named = /^\{([+-]?)(.+)\}$/.exec(token);
    if (named) {
      const [, hold, key = ''] = named;
      if (hold === '+') events.push({ kind: 'down', key });
      else if (hold === '-') events.push({ kind: 'up', key });
      else press(key);
    } else if (token === ' ') press('SPACE');
    else if (/^[a-z]$/i.test(token)) press(token.toUpperCase());
    else if (/^[0-9]$/.test(token)) press(token);
    else if (token === '.') press('DOT');
    else if (token === ',') press('COMMA');
    else if (token === "'") press('QUOTE');
    else throw new Error(`no key for ${token}`);
  }
  return events;
}

function typeInto(typed: TypedText, script: string): TypedMatches[] {
  return keys(script)
    .map((e) => typed.push(e))
    .filter((m): m is TypedMatches => m !== undefined);
}

function run(script: string, layout: KeyboardLayout = 'gb', entries: KeywordEntry[] = LIST): TypedMatches[] {
  const matcher = new KeywordMatcher(entries);
  return typeInto(new TypedText({ match: (t) => matcher.match(t), layout }), script);
}

/** What a script leaves on the line: the text of a match on a catch-all entry at line end. */
function lineText(script: string, layout: KeyboardLayout = 'gb'): string {
  let seen = '';
  const typed = new TypedText({
    match: (text) => {
      seen = text;
      return [];
    },
    layout,
  });
  typeInto(typed, script);
  typed.endLine();
  return seen;
}

describe('TypedText: rebuilding the line', () => {
  it.each([
    ['plain letters are lower case', 'hello', 'hello'],
    ['shift makes a capital', '{+LEFT SHIFT}h{-LEFT SHIFT}ello', 'Hello'],
    ['right shift too', '{+RIGHT SHIFT}ok{-RIGHT SHIFT}', 'OK'],
    ['caps lock makes capitals', '{CAPS LOCK}abc{CAPS LOCK}d', 'ABCd'],
    ['shift under caps lock makes lower case', '{CAPS LOCK}a{+LEFT SHIFT}b{-LEFT SHIFT}', 'Ab'],
    ['backspace removes the last character', 'helo{BACKSPACE}lo', 'hello'],
    ['backspace on an empty line does nothing', '{BACKSPACE}{BACKSPACE}hi', 'hi'],
    ['ctrl+backspace removes the last word', 'hello world{+LEFT CTRL}{BACKSPACE}{-LEFT CTRL}there', 'hello there'],
    ['enter starts a new line', 'first{RETURN}second', 'second'],
    ['a mouse click starts a new line', 'first{MOUSE LEFT}second', 'second'],
    ['an unknown key starts a new line', 'first{OTHER}second', 'second'],
    ['ctrl shortcuts are not text', 'ab{+LEFT CTRL}c{-LEFT CTRL}d', 'd'],
    ['function keys are ignored', 'a{F5}b', 'ab'],
    ['punctuation', "don't, stop.", "don't, stop."],
  ])('%s', (_name, script, expected) => {
    expect(lineText(script)).toBe(expected);
  });

  it.each([
    ['gb', '{+LEFT SHIFT}2{QUOTE}3{-LEFT SHIFT}{BACKSLASH}', '"@£#'],
    ['us', '{+LEFT SHIFT}2{QUOTE}3{-LEFT SHIFT}{BACKSLASH}', '@"#\\'],
    ['gb', '{+LEFT SHIFT}1{FORWARD SLASH}{-LEFT SHIFT}{NUMPAD 7}{INTL BACKSLASH}', '!?7\\'],
  ] as const)('%s layout: %s', (layout, script, expected) => {
    expect(lineText(script, layout)).toBe(expected);
  });
});

describe('TypedText: matching', () => {
  const reported = (script: string, entries: KeywordEntry[] = LIST): string[][] =>
    run(script, 'gb', entries).map((found) => found.matches.map((m) => found.text.slice(m.start, m.end)));

  it.each([
    ['a phrase across a space, at the next boundary', 'i want to kill myself ', [['kill myself']]],
    ['a single word', 'ur so annoying kys ', [['kys']]],
    ['a phrase ended by punctuation', 'i will kill myself.', [['kill myself']]],
    ['a phrase ended by enter', 'send nudes{RETURN}', [['send nudes']]],
    ['a phrase ended by a key the listener cannot name (Linefeed)', 'send nudes{OTHER}', [['send nudes']]],
    ['in capitals', '{CAPS LOCK}send nudes {CAPS LOCK}', [['SEND NUDES']]],
    ['after backspace corrected the word', 'kill mysekf{BACKSPACE}{BACKSPACE}lf ', [['kill myself']]],
    ['not before the word is complete', 'kill myself', []],
    ['a prefix entry when its word completes', 'feeling unalived ', [['unalive']]],
    ['a phrase the user deleted before finishing it', 'kill mys{BACKSPACE}{BACKSPACE}{BACKSPACE}{BACKSPACE}e ', []],
  ])('%s', (_name, script, expected) => {
    expect(reported(script)).toEqual(expected);
  });

  it.each([
    ['"skill" does not match "kill"', 'what a skill ', []],
    ['"killer" does not match "kill"', 'killer whale ', []],
    ['"kill" matches "kill"', 'i will kill you ', [['kill']]],
  ])('single word: %s', (_name, script, expected) => {
    expect(reported(script, WITH_KILL)).toEqual(expected);
  });

  it('reports "kill" at its boundary, then "kill myself" at the next, each once', () => {
    expect(reported('kill myself now and more words ', WITH_KILL)).toEqual([['kill'], ['kill myself']]);
  });

  it('reports a match once, however long the line grows', () => {
    const found = run('send nudes please i said send ');
    expect(found).toHaveLength(1);
  });

  it('reports the same phrase again when it is typed again', () => {
    expect(reported('kys kys ')).toEqual([['kys'], ['kys']]);
  });

  it('reports it again on a new line', () => {
    expect(reported('kys{RETURN}kys{RETURN}')).toEqual([['kys'], ['kys']]);
  });

  it('does not report a match again when it is retyped in place', () => {
    expect(reported('kys {BACKSPACE}{BACKSPACE}ys ')).toEqual([['kys']]);
  });

  it('offsets point into the reported text', () => {
    const [found] = run('please, i want to {+LEFT SHIFT}k{-LEFT SHIFT}ill {+LEFT SHIFT}m{-LEFT SHIFT}yself now');
    expect(found).toBeDefined();
    const match = found!.matches[0]!;
    expect(found!.text.slice(match.start, match.end)).toBe('Kill Myself');
  });

  it('keeps matching on a very long line', () => {
    const matcher = new KeywordMatcher(LIST);
    const typed = new TypedText({ match: (t) => matcher.match(t), maxLineLength: 100 });
    typeInto(typed, 'blah '.repeat(60));
    expect(typeInto(typed, 'kys ')).toHaveLength(1);
  });
});
