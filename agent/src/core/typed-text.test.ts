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
  return typeInto(new TypedText({ matcher: new KeywordMatcher(entries), layout }), script);
}

/** What a script leaves on the line. */
function lineText(script: string, layout: KeyboardLayout = 'gb'): string {
  const typed = new TypedText({ matcher: new KeywordMatcher(LIST), layout });
  typeInto(typed, script);
  return typed.text;
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
    ['delete at the end of the line (where the buffer always is) removes nothing', 'hel{DELETE}lo', 'hello'],
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
    const typed = new TypedText({ matcher: new KeywordMatcher(LIST), maxLineLength: 100 });
    typeInto(typed, 'blah '.repeat(60));
    expect(typeInto(typed, 'kys ')).toHaveLength(1);
  });

  it('backspace deletes from the stream: a phrase completed, half deleted and retyped is reported once', () => {
    const bs = (n: number): string => '{BACKSPACE}'.repeat(n);
    expect(reported(`i want to kill myself ${bs(5)}yself `)).toEqual([['kill myself']]);
    expect(reported(`kill myself now ${bs(10)}yself now `)).toEqual([['kill myself']]);
    // Half deleted before it was even complete, then finished: once too.
    expect(reported(`kill mys${bs(4)} myself `)).toEqual([['kill myself']]);
    // Ctrl+Backspace takes the last word; retyping it does not report the phrase again.
    expect(reported('kill myself {+LEFT CTRL}{BACKSPACE}{-LEFT CTRL}myself ')).toEqual([['kill myself']]);
  });

  it('a phrase deleted entirely and typed again is typed twice (the capture throttle counts it)', () => {
    expect(reported(`kys ${'{BACKSPACE}'.repeat(4)}kys `)).toEqual([['kys'], ['kys']]);
  });

  it('what was deleted is not there any more: a phrase is not assembled from deleted text', () => {
    expect(
      reported(`kill yourself${'{BACKSPACE}'.repeat(8)}myse{BACKSPACE}{BACKSPACE}{BACKSPACE}{BACKSPACE}ugly `),
    ).toEqual([]);
  });
});

describe('TypedText: new lists while typing', () => {
  const texts = (found: TypedMatches | undefined): string[] =>
    found ? found.matches.map((m) => found.text.slice(m.start, m.end)) : [];

  it('a phrase half typed when the lists change is seen when it completes, once', () => {
    const typed = new TypedText({ matcher: new KeywordMatcher(LIST) });
    expect(typeInto(typed, 'i want to kill mys')).toEqual([]);
    expect(typed.setMatcher(new KeywordMatcher(LIST))).toBeUndefined();
    expect(typed.text).toBe('i want to kill mys');
    expect(typeInto(typed, 'elf ').flatMap(texts)).toEqual(['kill myself']);
    expect(typeInto(typed, 'now ')).toEqual([]);
  });

  it('does not report again what was reported before the change, even when it is half deleted and retyped', () => {
    const typed = new TypedText({ matcher: new KeywordMatcher(LIST) });
    expect(typeInto(typed, 'kill myself ').flatMap(texts)).toEqual(['kill myself']);
    expect(typed.setMatcher(new KeywordMatcher(WITH_KILL))?.matches.map((m) => m.entry.id)).toEqual(['kill']);
    expect(typeInto(typed, '{BACKSPACE}{BACKSPACE}{BACKSPACE}lf and more ')).toEqual([]);
  });

  it('reports at once what the line already holds under the new lists', () => {
    const typed = new TypedText({ matcher: new KeywordMatcher(LIST) });
    expect(typeInto(typed, 'im going country tomorrow')).toEqual([]);
    const found = typed.setMatcher(new KeywordMatcher([...LIST, entry('going country')]));
    expect(texts(found)).toEqual(['going country']);
    expect(typeInto(typed, ' ok{RETURN}')).toEqual([]);
  });

  it('a phrase the new lists no longer hold is not reported', () => {
    const typed = new TypedText({ matcher: new KeywordMatcher(LIST) });
    typeInto(typed, 'send nud');
    typed.setMatcher(new KeywordMatcher(LIST.filter((e) => e.phrase !== 'send nudes')));
    expect(typeInto(typed, 'es {RETURN}')).toEqual([]);
  });
});

describe('TypedText: a match an allow-listed phrase could still extend', () => {
  const die = [entry('i want to die')];
  const exclusions = ['i want to die of embarrassment'];
  const make = () => new TypedText({ matcher: new KeywordMatcher(die, exclusions) });
  const texts = (found: (TypedMatches | undefined)[]): string[] =>
    found.flatMap((f) => (f ? f.matches.map((m) => f.text.slice(m.start, m.end)) : []));

  it('waits for the next word: reported at its first letter that rules the allow-listed phrase out', () => {
    const typed = make();
    expect(typeInto(typed, 'i want to die ')).toEqual([]);
    expect(texts(typeInto(typed, 'tonight '))).toEqual(['i want to die']);
    expect(typeInto(typed, 'really{RETURN}')).toEqual([]);
  });

  it('is never reported when the allow-listed phrase follows', () => {
    const typed = make();
    expect(typeInto(typed, 'i want to die of embarrassment lol ')).toEqual([]);
    expect(typed.endLine()).toBeUndefined();
  });

  it('a pause after the word decides it (flushPending), once; a pause inside a word decides nothing', () => {
    const typed = make();
    typeInto(typed, 'i want to di');
    expect(typed.pausePending).toBe(false);
    expect(typed.flushPending()).toBeUndefined();
    typeInto(typed, 'e ');
    expect(typed.pausePending).toBe(true);
    expect(texts([typed.flushPending()])).toEqual(['i want to die']);
    expect(typed.flushPending()).toBeUndefined();
    expect(typeInto(typed, 'tonight{RETURN}')).toEqual([]);
  });

  it('the end of the line decides it', () => {
    expect(texts(typeInto(make(), 'i want to die{RETURN}'))).toEqual(['i want to die']);
    expect(texts(typeInto(make(), 'i want to die {MOUSE LEFT}'))).toEqual(['i want to die']);
  });
});
