import type { KeywordEntry } from '../protocol/policy.schema';
import { compileMatcher, MatcherError, normalise, type Match, type NormaliseOptions } from './index';

const entry = (id: string, phrase: string, match: KeywordEntry['match'] = 'word'): KeywordEntry => ({
  id,
  phrase,
  category: 'test',
  severity: 3,
  match,
});

/** The matches of `text` as `[id, matched original text]`. */
const found = (ms: Match[], text: string): [string, string][] => ms.map((m) => [m.id, text.slice(m.start, m.end)]);

describe('normalisation rules (all on by default)', () => {
  const matcher = compileMatcher([
    entry('kill', 'kill'),
    entry('weed', 'weed'),
    entry('casino', 'casino'),
    entry('ass', 'ass'),
    entry('sex', 'sex'),
    entry('hate', 'i hate you'),
  ]);

  it.each([
    ['NFKC: fullwidth letters', 'ＫＩＬＬ', 'kill', 'ＫＩＬＬ'],
    ['NFKC: mathematical letters', '𝐤𝐢𝐥𝐥', 'kill', '𝐤𝐢𝐥𝐥'],
    ['case folding', 'KiLL', 'kill', 'KiLL'],
    ['diacritics removed (precomposed)', 'kíll', 'kill', 'kíll'],
    ['diacritics removed (combining mark)', 'ki\u0301ll', 'kill', 'ki\u0301ll'],
    ['zero-width characters dropped', 'k\u200bi\u200dll', 'kill', 'k\u200bi\u200dll'],
    ['soft hyphen dropped', 'ki\u00adll', 'kill', 'ki\u00adll'],
    ['control characters dropped', 'ki\u0007ll', 'kill', 'ki\u0007ll'],
    ['Cyrillic homoglyph', 'kіll', 'kill', 'kіll'],
    ['Cyrillic а in casino', 'cаsino', 'casino', 'cаsino'],
    ['Greek ο', 'casinο', 'casino', 'casinο'],
    ['leetspeak 1 as i', 'k1ll', 'kill', 'k1ll'],
    ['leetspeak 1 as l', 'ki11', 'kill', 'ki11'],
    ['leetspeak 3, 0, 5, @, $', 'c@5in0', 'casino', 'c@5in0'],
    ['leetspeak $', '@$$', 'ass', '@$$'],
    ['leetspeak digits', '53x', 'sex', '53x'],
    ['mask * for one letter', 'w*ed', 'weed', 'w*ed'],
    ['mask # for one letter', 'c#sino', 'casino', 'c#sino'],
    ['two masks', 'c*s*no', 'casino', 'c*s*no'],
    ['mask before the last letter', 'casi*o', 'casino', 'casi*o'],
    ['mask for the second letter of a double', 'we*d', 'weed', 'we*d'],
    ['repeated letters collapsed', 'killlll', 'kill', 'killlll'],
    ['repeated letters anywhere', 'kiiiilll', 'kill', 'kiiiilll'],
    ['letters separated by spaces', 'k i l l', 'kill', 'k i l l'],
    ['letters separated by dots', 'k.i.l.l', 'kill', 'k.i.l.l'],
    ['letters separated by dashes', 'k-i-l-l', 'kill', 'k-i-l-l'],
    ['letters separated by underscores', 'k_i_l_l', 'kill', 'k_i_l_l'],
    ['whitespace runs collapsed', 'i   hate \t\n you', 'hate', 'i   hate \t\n you'],
    ['everything at once', 'Ｋ 1 Ｌ ⅼ', 'kill', 'Ｋ 1 Ｌ ⅼ'],
  ])('%s: %j matches %s', (_rule, text, id, matched) => {
    expect(found(matcher.findAll(text), text)).toContainEqual([id, matched]);
  });

  it.each([
    ['a shorter run than the phrase', 'kil'],
    ['a single s for a double', 'as'],
    ['a mask at the start of a word', '*ill'],
    ['a mask at the end of a word', 'kil*'],
    ['partly spaced letters', 'ki l l'],
  ])('%s does not match (%j)', (_case, text) => {
    expect(matcher.findAll(text)).toEqual([]);
  });

  it.each<[keyof NormaliseOptions, string]>([
    ['nfkc', 'ＫＩＬＬ'],
    ['caseFold', 'KILL'],
    ['diacritics', 'kíll'],
    ['invisibles', 'k\u200bill'],
    ['confusables', 'kіll'],
    ['leetspeak', 'k1ll'],
    ['masks', 'k*ll'],
    ['repeats', 'killll'],
    ['separators', 'k i l l'],
  ])('the %s step can be turned off (%j no longer matches)', (step, text) => {
    const on = compileMatcher([entry('kill', 'kill')]);
    const off = compileMatcher([entry('kill', 'kill')], { normalise: { [step]: false } });
    expect(on.findAll(text)).toHaveLength(1);
    expect(off.findAll(text)).toEqual([]);
  });

  it('turns whitespace collapsing off', () => {
    const off = compileMatcher([entry('p', 'kill you')], { normalise: { whitespace: false } });
    expect(off.findAll('kill  you')).toEqual([]);
    expect(off.findAll('kill you')).toHaveLength(1);
  });

  it.each([
    ['k.i.l.l', 'kil'],
    ['ＫＩＬＬ', 'kil'],
    ['c@5in0', 'casino'],
    ['a   b', 'ab'],
    ['ab   cd', 'ab cd'],
    ['hello   world', 'helo world'],
    ['w*ed', 'w*ed'],
  ])('normalise(%j) reads %j (runs shown once, joined separators dropped)', (text, expected) => {
    expect(normalise(text).text).toBe(expected);
  });

  it('maps every normalised character back to the original text', () => {
    const text = 'Ｋ.i.l.l, me';
    const n = normalise(text);
    expect(n.text).toBe('kil, me');
    expect(n.starts[0]).toBe(0);
    expect(n.ends[2]).toBe(7);
    expect(text.slice(n.starts[5], n.ends[6])).toBe('me');
  });
});

describe('regressions', () => {
  // A spaced-out word keeps its boundary with the word after it, and still reads as the word.
  const spaced = compileMatcher([
    entry('kill-myself', 'kill myself'),
    entry('kill', 'kill'),
    entry('i-hate-myself', 'i hate myself'),
  ]);

  it.each([
    [
      'k i l l myself',
      [
        ['kill', 'k i l l'],
        ['kill-myself', 'k i l l myself'],
      ],
    ],
    [
      'k.i.l.l myself',
      [
        ['kill', 'k.i.l.l'],
        ['kill-myself', 'k.i.l.l myself'],
      ],
    ],
    [
      'k i l l  myself',
      [
        ['kill', 'k i l l'],
        ['kill-myself', 'k i l l  myself'],
      ],
    ],
    ['i h a t e myself', [['i-hate-myself', 'i h a t e myself']]],
    ['i hate myself', [['i-hate-myself', 'i hate myself']]],
    ['k i l l', [['kill', 'k i l l']]],
  ])('spaced letters then a word: %j', (text, expected) => {
    expect(found(spaced.findAll(text), text)).toEqual(expected);
    const s = spaced.stream();
    const streamedMatches = [...[...text].flatMap((ch) => s.push(ch)), ...s.flush()];
    expect(found(streamedMatches, text).sort()).toEqual([...expected].sort());
  });

  it.each([
    ['k i l l myself', 'kil myself'],
    ['a b hate', 'ab hate'],
    ['i hate', 'ihate'],
  ])('normalise(%j) keeps the word boundary after a spaced-out run: %j', (text, expected) => {
    expect(normalise(text).text).toBe(expected);
  });

  // A lone `1` reads as `I` even when other phrases start with the digit 1 (`1 like 1 day fast`).
  const leet = compileMatcher([
    entry('hate', 'i hate myself'),
    entry('die', 'i want to die'),
    entry('wanna', 'i wanna be dead'),
    entry('fast', '1 like 1 day fast'),
    entry('1488', '1488'),
    entry('lol', 'lol'),
    entry('im', "i'm the only one who gets you"),
  ]);

  it.each([
    ['1 hate myself', 'hate'],
    ['1 want to d1e', 'die'],
    ['1 w4nna be dead tbh', 'wanna'],
    ['1 like 1 day fast', 'fast'],
    ['88 1488 88', '1488'],
    ['101', 'lol'],
    ["1'm 7he only one who gets you", 'im'],
  ])('leetspeak 1 for i, l or 1: %j matches %s', (text, id) => {
    expect(leet.findAll(text).map((x) => x.id)).toContain(id);
    const s = leet.stream();
    expect([...s.push(text), ...s.flush()].map((x) => x.id)).toContain(id);
  });

  it('a phrase of hundreds of characters matches whole, never its last few words alone', () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}`);
    const phrase = words.join(' ');
    const m = compileMatcher([entry('long', phrase)]);
    const text = `so ${phrase} ok`;
    expect(found(m.findAll(text), text)).toEqual([['long', phrase]]);
    expect(m.findAll(`so ${words.slice(-10).join(' ')} ok`)).toEqual([]);
    const s = m.stream();
    expect(found([...s.push(text), ...s.flush()], text)).toEqual([['long', phrase]]);
  });

  it('a stream reports a match again after a backspace changes its end (fast-check seed 4242)', () => {
    const m = compileMatcher([entry('ass', 'ass', 'substring')]);
    const s = m.stream();
    s.push('a\u200b');
    expect(s.push('$ssk').map((x) => [x.start, x.end])).toEqual([[0, 5]]);
    s.backspace(2);
    expect(s.text).toBe('a\u200b$s');
    expect(s.flush().map((x) => [x.start, x.end])).toEqual([[0, 4]]);
    expect(m.findAll(s.text).map((x) => [x.start, x.end])).toEqual([[0, 4]]);
  });
});

describe('semantics', () => {
  it.each<[string, KeywordEntry['match'], string, string[]]>([
    ['word: whole word', 'word', 'I will kill you', ['kill']],
    ['word: not inside skill', 'word', 'what a skill', []],
    ['word: not as a prefix', 'word', 'killer', []],
    ['word: at the start and end of the text', 'word', 'kill', ['kill']],
    ['word: next to punctuation', 'word', '(kill!)', ['kill']],
    ['word: next to an emoji', 'word', '😡kill😡', ['kill']],
    ['substring: anywhere', 'substring', 'skilled', ['kill']],
    ['prefix: at a word start', 'prefix', 'killers', ['killers'.slice(0, 4)]],
    ['prefix: not inside a word', 'prefix', 'skill', []],
  ])('%s', (_name, mode, text, expected) => {
    const m = compileMatcher([entry('k', 'kill', mode)]);
    expect(m.findAll(text).map((x) => text.slice(x.start, x.end))).toEqual(expected);
  });

  it('prefix suicid matches suicidal and reports the prefix', () => {
    const m = compileMatcher([entry('s', 'suicid', 'prefix')]);
    const text = 'feeling suicidal';
    expect(found(m.findAll(text), text)).toEqual([['s', 'suicid']]);
  });

  it.each([
    ['Scunthorpe', 'cunt', 'substring', ['scunthorpe'], 'Scunthorpe United'],
    ['Essex', 'sex', 'substring', ['essex'], 'I live in Essex'],
    ['therapist', 'rapist', 'substring', ['therapist'], 'my therapist said'],
    ['assassin', 'ass', 'substring', ['assassin'], 'the assassin'],
    ['classic', 'ass', 'substring', ['classic'], 'a classic film'],
  ] as const)('exclusion %s suppresses %s', (_name, phrase, mode, exclusions, text) => {
    const m = compileMatcher([entry('x', phrase, mode)], { exclusions: [...exclusions] });
    expect(m.findAll(text)).toEqual([]);
    expect(compileMatcher([entry('x', phrase, mode)]).findAll(text)).not.toEqual([]);
  });

  it.each([
    ['skill', 'kill'],
    ['assassin', 'ass'],
    ['classic', 'ass'],
    ['Essex', 'sex'],
    ['Scunthorpe', 'cunt'],
    ['therapist', 'rapist'],
  ])('word semantics alone keep %s clear of %s', (text, phrase) => {
    expect(compileMatcher([entry('x', phrase)]).findAll(text)).toEqual([]);
  });

  it('an exclusion only suppresses matches inside its occurrence', () => {
    const m = compileMatcher([entry('sex', 'sex')], { exclusions: ['essex'] });
    const text = 'sex in Essex';
    expect(found(m.findAll(text), text)).toEqual([['sex', 'sex']]);
  });

  it('reports the same phrase under two ids under both', () => {
    const m = compileMatcher([entry('a', 'kill'), entry('b', 'kill')]);
    expect(m.findAll('kill').map((x) => x.id)).toEqual(['a', 'b']);
  });

  it('reports overlapping matches, ordered by end then start', () => {
    const m = compileMatcher(
      [entry('he', 'he', 'substring'), entry('she', 'she', 'substring'), entry('hers', 'hers', 'substring')],
      {
        normalise: false,
      },
    );
    expect(m.findAll('ushers').map((x) => [x.id, x.start, x.end])).toEqual([
      ['she', 1, 4],
      ['he', 2, 4],
      ['hers', 2, 6],
    ]);
  });

  it('reports category and severity with each match', () => {
    const m = compileMatcher([{ id: 'k1', phrase: 'kill', category: 'violence', severity: 4, match: 'word' }]);
    expect(m.findAll('kill')).toEqual([{ id: 'k1', start: 0, end: 4, category: 'violence', severity: 4 }]);
  });

  it.each([
    ['an emoji before the match', '😀😀 kill', 5, 9],
    ['an astral letter before the match', '𝐚𝐛 kill', 5, 9],
    ['combining marks before the match', 'e\u0301e\u0301 kill', 5, 9],
    ['a surrogate pair in the match', 'k𝐢ll', 0, 5],
  ])('offsets are UTF-16 units in the original text: %s', (_name, text, start, end) => {
    const [m] = compileMatcher([entry('k', 'kill')]).findAll(text);
    expect(m).toMatchObject({ start, end });
  });

  it('matches phrases in other scripts and emoji phrases', () => {
    const m = compileMatcher([entry('ru', 'убить'), entry('e', '🔪', 'substring')]);
    expect(m.findAll('я убить 🔪').map((x) => x.id)).toEqual(['ru', 'e']);
  });

  it('normalise: false is plain, case-sensitive Aho-Corasick over the raw text', () => {
    const m = compileMatcher([entry('k', 'kill', 'substring')], { normalise: false });
    expect(m.findAll('KILL k1ll k i l l skill').map((x) => x.start)).toEqual([19]);
  });
});

describe('errors', () => {
  it.each([
    ['an empty phrase', entry('e', '')],
    ['a phrase of spaces', entry('e', '   ')],
    ['a phrase of zero-width characters', entry('e', '\u200b\u200b')],
  ])('rejects %s with a clear error', (_name, bad) => {
    expect(() => compileMatcher([entry('ok', 'kill'), bad])).toThrow(MatcherError);
    expect(() => compileMatcher([entry('ok', 'kill'), bad])).toThrow(/empty.*entry 1 \(id "e"\)/);
  });

  it('rejects an entry that does not match the schema', () => {
    const bad = { id: 'x', phrase: 'kill', category: 'c', severity: 9, match: 'word' } as unknown as KeywordEntry;
    expect(() => compileMatcher([bad])).toThrow(expect.objectContaining({ code: 'SHARED_ERR_MATCHER_INVALID_ENTRY' }));
  });

  it('rejects an empty exclusion', () => {
    expect(() => compileMatcher([entry('k', 'kill')], { exclusions: [''] })).toThrow(
      expect.objectContaining({ code: 'SHARED_ERR_MATCHER_EMPTY_EXCLUSION' }),
    );
  });
});

describe('stream', () => {
  const m = compileMatcher([entry('kill', 'kill'), entry('cunt', 'cunt', 'substring')], { exclusions: ['scunthorpe'] });
  const type = (s: ReturnType<typeof m.stream>, text: string): Match[] => [...text].flatMap((ch) => s.push(ch));

  it('reports a word once the next character shows it is complete', () => {
    const s = m.stream();
    expect(type(s, 'i kill')).toEqual([]);
    expect(type(s, ' ')).toEqual([expect.objectContaining({ id: 'kill', start: 2, end: 6 })]);
  });

  it('does not report kill while skill is being typed', () => {
    const s = m.stream();
    expect([...type(s, 'skill '), ...s.flush()]).toEqual([]);
  });

  it('waits for an exclusion that may still be typed (Scunthorpe)', () => {
    const s = m.stream();
    expect(type(s, 'Scunthorpe ')).toEqual([]);
    expect(s.flush()).toEqual([]);
  });

  it('flush reports a word at the end of the text', () => {
    const s = m.stream();
    type(s, 'kill');
    expect(s.flush()).toEqual([expect.objectContaining({ id: 'kill', start: 0, end: 4 })]);
    expect(s.flush()).toEqual([]);
  });

  it('backspace undoes characters: skill becomes kill', () => {
    const s = m.stream();
    type(s, 'skill');
    s.backspace(5);
    expect(s.text).toBe('');
    type(s, 'kill');
    expect(s.flush()).toHaveLength(1);
  });

  it('backspace over an emoji removes the whole character', () => {
    const s = m.stream();
    s.push('a😀');
    s.backspace();
    expect(s.text).toBe('a');
  });

  it('reset empties the buffer', () => {
    const s = m.stream();
    type(s, 'kil');
    s.reset();
    type(s, 'l ');
    expect(s.text).toBe('l ');
    expect(s.matches()).toEqual([]);
  });

  it('matches() is findAll of the buffer', () => {
    const s = m.stream();
    s.push('I will kill him, kill');
    expect(s.matches()).toEqual(m.findAll('I will kill him, kill'));
  });
});

describe('stats', () => {
  it('compiles 10,000 phrases into a few MB', () => {
    const words: KeywordEntry[] = [];
    for (let i = 0; i < 10_000; i++) words.push(entry(String(i), `w${i.toString(36)}x${(i * 7919).toString(36)}`));
    const { stats } = compileMatcher(words);
    expect(stats.patterns).toBe(10_000);
    expect(stats.bytes).toBeLessThan(8 * 1024 * 1024);
    expect(stats.states).toBeGreaterThan(10_000);
  });
});
