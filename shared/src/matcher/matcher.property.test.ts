import AhoCorasick from 'aho-corasick';
import fc from 'fast-check';
import type { KeywordEntry } from '../protocol/policy.schema';
import { compileMatcher, type Match } from './index';

const RUNS = { numRuns: 300, seed: 20250101 };

const entries = (phrases: readonly string[], match: KeywordEntry['match'] = 'substring'): KeywordEntry[] =>
  phrases.map((phrase, i) => ({ id: String(i), phrase, category: 'test', severity: 1, match }));

/** Small alphabets make overlapping and nested patterns common. */
const patternsArb = fc.uniqueArray(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 1, maxLength: 5 }), {
  minLength: 1,
  maxLength: 12,
});
const haystackArb = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', 'A', ' '), maxLength: 80 });

function naive(patterns: readonly string[], text: string): string[] {
  const out: string[] = [];
  patterns.forEach((p) => {
    for (let at = text.indexOf(p); at !== -1; at = text.indexOf(p, at + 1)) out.push(`${p}@${at}-${at + p.length}`);
  });
  return out.sort();
}

function package_(patterns: readonly string[], text: string): string[] {
  const ac = new AhoCorasick();
  for (const p of patterns) ac.add(p, p);
  ac.build_fail();
  const out: string[] = [];
  ac.search(text, (word, data, offset) => {
    for (let k = 0; k < data.length; k++) out.push(`${word}@${offset}-${offset + word.length}`);
  });
  return out.sort();
}

function ours(patterns: readonly string[], text: string): string[] {
  const m = compileMatcher(entries(patterns), { normalise: false });
  return m
    .findAll(text)
    .map((x) => `${patterns[Number(x.id)]}@${x.start}-${x.end}`)
    .sort();
}

describe('differential: normalise false, substring semantics', () => {
  it('findAll equals the aho-corasick package and a naive indexOf scan', () => {
    fc.assert(
      fc.property(patternsArb, haystackArb, (patterns, text) => {
        const expected = naive(patterns, text);
        expect(package_(patterns, text)).toEqual(expected);
        expect(ours(patterns, text)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('findAll is ordered by end then start', () => {
    fc.assert(
      fc.property(patternsArb, haystackArb, (patterns, text) => {
        const ms = compileMatcher(entries(patterns), { normalise: false }).findAll(text);
        for (let i = 1; i < ms.length; i++) {
          const a = ms[i - 1] as Match;
          const b = ms[i] as Match;
          expect(a.end < b.end || (a.end === b.end && a.start <= b.start)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe('differential on long texts (raw scans of 32 K characters and more run as four interleaved chains)', () => {
  it('findAll equals a naive indexOf scan', () => {
    fc.assert(
      fc.property(
        patternsArb,
        // Three letters: matches are dense, so every boundary between the chains cuts through some.
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 200, maxLength: 200 }), {
          minLength: 160,
          maxLength: 300,
        }),
        (patterns, parts) => {
          // The longest pattern also ends on the first character of each chain's part.
          let text = parts.join('');
          const longest = patterns.reduce((a, b) => (b.length > a.length ? b : a));
          const part = Math.ceil(text.length / 4);
          for (let k = 1; k < 4; k++) {
            const end = k * part + 1;
            text = text.slice(0, end - longest.length) + longest + text.slice(end);
          }
          expect(ours(patterns, text)).toEqual(naive(patterns, text));
        },
      ),
      { numRuns: 8, seed: 31, endOnFailure: true },
    );
  });

  it('word and prefix semantics and exclusions equal the stream (per-character) path', () => {
    const m = compileMatcher(
      [
        ...entries(['ab', 'abc', 'ca'], 'word'),
        ...entries(['bca', 'dd'], 'prefix').map((e) => ({ ...e, id: `p${e.id}` })),
        ...entries(['cab', 'a'], 'substring').map((e) => ({ ...e, id: `s${e.id}` })),
      ],
      { normalise: false, exclusions: ['bcab', 'dda'] },
    );
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', ' '), minLength: 100, maxLength: 100 }), {
          minLength: 330,
          maxLength: 500,
        }),
        (parts) => {
          const text = parts.join('');
          const s = m.stream();
          const got = [...s.push(text), ...s.flush()].map(key);
          expect(m.findAll(text).map(key).sort()).toEqual(got.sort());
        },
      ),
      { numRuns: 8, seed: 32, endOnFailure: true },
    );
  });
});

type Op = { push: string } | { backspace: number };

const key = (m: Match): string => `${m.id}@${m.start}-${m.end}`;

const textUnit = fc.constantFrom(
  'k',
  'i',
  'l',
  'a',
  's',
  'e',
  'x',
  ' ',
  ' ',
  '.',
  '*',
  '1',
  '$',
  'é',
  'К',
  '😀',
  '\u200b',
  'L',
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: textUnit, minLength: 1, maxLength: 6 }).map((push) => ({ push })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((backspace) => ({ backspace })) },
);
const streamPhrases = ['kill', 'ass', 'sex', 'kiss', 'lila', 'axe', 'ski'];
const modes: KeywordEntry['match'][] = ['word', 'substring', 'prefix'];
const streamEntries = streamPhrases.flatMap((phrase, i) =>
  modes.map((match) => ({ id: `${i}${match[0]}`, phrase, category: 'test', severity: 1, match })),
);

describe.each([
  ['normalised', { exclusions: ['skiss', 'sexes'] }],
  ['raw', { normalise: false, exclusions: ['skiss', 'sexes'] }],
] as const)('stream and batch agree (%s)', (_name, options) => {
  const m = compileMatcher(streamEntries, options);

  it('append only: the matches pushed, then flushed, are exactly findAll of the text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: textUnit, maxLength: 8 }), { maxLength: 12 }), (chunks) => {
        const s = m.stream();
        const got: Match[] = [];
        for (const chunk of chunks) got.push(...s.push(chunk));
        got.push(...s.flush());
        const text = chunks.join('');
        expect(s.text).toBe(text);
        expect(got.map(key).sort()).toEqual(m.findAll(text).map(key).sort());
      }),
      RUNS,
    );
  });

  it('with edits: every match pushed is in findAll of the buffer then, and none of the final text is missed', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), (ops) => {
        const s = m.stream();
        let text = '';
        const seen = new Set<string>();
        for (const op of ops) {
          if ('push' in op) {
            text += op.push;
            const now = new Set(m.findAll(text).map(key));
            for (const match of s.push(op.push)) {
              expect(now).toContain(key(match));
              seen.add(key(match));
            }
          } else {
            const cps = [...text];
            text = cps.slice(0, Math.max(0, cps.length - op.backspace)).join('');
            s.backspace(op.backspace);
          }
          expect(s.text).toBe(text);
        }
        for (const match of s.flush()) seen.add(key(match));
        for (const match of m.findAll(text)) expect(seen).toContain(key(match));
        expect(s.matches()).toEqual(m.findAll(text));
      }),
      RUNS,
    );
  });
});

describe('batch scans', () => {
  it('a long text gives the same matches as its lines scanned one by one', () => {
    const m = compileMatcher(streamEntries, { exclusions: ['skiss'] });
    fc.assert(
      fc.property(fc.array(fc.string({ unit: textUnit, maxLength: 40 }), { maxLength: 200 }), (lines) => {
        const text = lines.join('\n');
        const expected: string[] = [];
        let at = 0;
        for (const line of lines) {
          for (const x of m.findAll(line)) expected.push(`${x.id}@${x.start + at}-${x.end + at}`);
          at += line.length + 1;
        }
        expect(m.findAll(text).map(key).sort()).toEqual(expected.sort());
      }),
      { numRuns: 50, seed: 7 },
    );
  });
});

// Batch scans take a fast path for ASCII text; streams always take the general path (they keep a
// snapshot per character). Both must give the same matches, with the same offsets.
const richUnit = fc.constantFrom(
  'k',
  'i',
  'l',
  'a',
  's',
  'S',
  'e',
  'x',
  'h',
  't',
  'y',
  'o',
  'u',
  ' ',
  '  ',
  '\t',
  '\n',
  '.',
  '-',
  '_',
  "'",
  ',',
  '!',
  '*',
  '#',
  '1',
  '0',
  '3',
  '4',
  '$',
  '@',
  'é',
  'К',
  'ѕ',
  '😀',
  '\u200b',
);
const richPhrases = [
  'kill',
  'ass',
  'sex',
  'kiss',
  'i hate you',
  'a s s',
  'hate',
  'lass',
  'kill you',
  'oo',
  'tits',
  'it s',
];
const richEntries = richPhrases.flatMap((phrase, i) =>
  modes.map((match) => ({ id: `${i}${match[0]}`, phrase, category: 'test', severity: 1, match })),
);
const streamed = (m: ReturnType<typeof compileMatcher>, text: string): string[] => {
  const s = m.stream();
  const got = s.push(text);
  got.push(...s.flush());
  return got.map(key).sort();
};

describe.each([
  ['no exclusions', {}],
  ['exclusions', { exclusions: ['skiss', 'sexes', 'classic', 'oohs'] }],
  ['no separators', { normalise: { separators: false }, exclusions: ['classic'] }],
  ['no repeats or whitespace', { normalise: { repeats: false, whitespace: false } }],
  ['no masks', { normalise: { masks: false } }],
] as const)('batch fast path equals the general path (%s)', (_name, options) => {
  const m = compileMatcher(richEntries, options);

  it('findAll equals a stream fed the whole text', () => {
    fc.assert(
      fc.property(fc.string({ unit: richUnit, maxLength: 60 }), (text) => {
        expect(m.findAll(text).map(key).sort()).toEqual(streamed(m, text));
      }),
      RUNS,
    );
  });

  it('long texts (the batch window is compacted) equal the general path', () => {
    const words = ['kill', 'you', 'a s s', 'i hate you', 'k i l l', 'classic', 'skiss', 'x', 'k*ll', 'kіll', 'oo'];
    let text = '';
    for (let i = 0; text.length < 20_000; i++)
      text += `${words[(i * 7) % words.length] ?? ''}${i % 5 === 0 ? ', ' : ' '}`;
    expect(m.findAll(text).map(key).sort()).toEqual(streamed(m, text));
  });

  it('sparse prose (long quiet stretches run in the skip pass and rewind to a window) equals the general path', () => {
    const filler = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'skilled', 'glass', 'lo', 'it', 'was', 'hot', 'tea'];
    const rare = [
      'kill',
      'k i l l',
      'k*ll',
      'kіll',
      'a s s',
      'i hate you',
      'skiss',
      'classic',
      'ki11',
      'ooo',
      'é',
      '😀',
    ];
    const seps = [' ', ' ', ' ', '  ', ', ', '. ', '-', '\n', '_'];
    const tokenArb = fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom(...filler) },
      { weight: 1, arbitrary: fc.constantFrom(...rare) },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(tokenArb, fc.constantFrom(...seps)), { minLength: 50, maxLength: 600 }),
        (parts) => {
          const text = parts.map(([w, sep]) => w + sep).join('');
          expect(m.findAll(text).map(key).sort()).toEqual(streamed(m, text));
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });

  it.each([
    'I will k1ll you',
    'k i l l',
    'k.i.l.l you',
    'k - i - l - l',
    'killlll kiiill kil',
    'a s s and a$$ and @ss',
    'i  hate   you, i hate you',
    'i h a t e y o u',
    'sk1ss classic kiss',
    'k*ll k#ll *kill kill*',
    "don't k'ill",
    'kіll (Cyrillic і) and ѕex',
    'ki\u200bll k\u200bi\u200bl\u200bl',
    '😀kill😀 kill😀',
    'KILL YOU, Kill You!',
    'ooo oohs o o',
    't1ts 7its tits,tits',
    // A phrase ending at a word's first letter after a spaced-out run: `i t se` reads `it se`.
    'i t se',
    '1.7 seconds, i t s',
    'k i l l yo',
  ])('%j', (text) => {
    expect(m.findAll(text).map(key).sort()).toEqual(streamed(m, text));
  });
});

describe('large automata (16-bit table without the output flag, and 32-bit)', () => {
  // 10,000 phrases: between 32,768 and 65,536 states; 30,000: more than 65,536.
  it.each([10_000, 30_000])('%d phrases: findAll equals the general path', (count) => {
    const phrases: string[] = [];
    for (let i = 0; i < count; i++) phrases.push(`w${i.toString(36)}x${(i * 7919).toString(36)}`);
    const m = compileMatcher(
      phrases.map((phrase, i) => ({ id: String(i), phrase, category: 'test', severity: 1, match: 'word' })),
    );
    expect(m.stats.states).toBeGreaterThan(count === 10_000 ? 32_768 : 65_536);
    const text = phrases
      .filter((_, i) => i % 97 === 0)
      .map((p, i) => (i % 3 === 0 ? `${p}s` : i % 3 === 1 ? p.toUpperCase() : `${p},`))
      .join(' ');
    const got = m.findAll(text);
    expect(got.length).toBeGreaterThan(count / 150);
    expect(got.map(key).sort()).toEqual(streamed(m, text));
  });
});

// The skip pass (batch scans of ASCII text with every contextual rule on) runs the automaton ahead
// without the per-symbol arrays and hands a window back to the general path where a candidate could
// match. Its tables and its window must give exactly the general path's matches: prose made of
// ordinary words with rare hits, multi-word phrases and long exclusions (deep automaton states, so
// the window must reach back far), single letters and spaced-out runs, masks, repeats, leetspeak,
// dropped apostrophes, punctuation right after a joined separator, and the odd non-ASCII character.
describe('the skip pass equals the general path', () => {
  const phrases: [string, KeywordEntry['match']][] = [
    ['kill', 'word'],
    ['kill you', 'word'],
    ['i hate you', 'word'],
    ['a s s', 'word'],
    ['ass', 'substring'],
    ['sex', 'word'],
    ['tits', 'word'],
    ['suicid', 'prefix'],
    ['go die in a fire now', 'word'],
    ['weed', 'word'],
    ['oo', 'word'],
    ['no', 'word'],
    ['x', 'word'],
    ['oh!!', 'substring'],
    ['a !', 'substring'],
    ['aass', 'word'],
  ];
  const list = phrases.map(([phrase, match], i) => ({ id: `p${i}`, phrase, category: 'test', severity: 1, match }));
  const exclusions = ['skilled killer whale', 'classic', 'sussex', 'go die in a fire now please', 'weeds'];
  // No filler word holds a phrase (`glass` would hold `ass`), so the skip pass runs far between hits.
  const filler = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'skilled', 'dog', 'it', 'is', 'hot', 'tea', 'I', 'go', 'in'];
  const rare = [
    'kill',
    'KILLLL',
    'k i l l',
    'k i l l you',
    'k.i.l.l',
    'k*ll',
    'w*ed',
    '*emph*',
    '# note',
    'k1ll',
    'ki11',
    '4$$',
    "k'ill",
    "don't",
    'a s s',
    'a b c d',
    // Spaced-out runs followed by a word (`k i l l you` reads `kill you`), with repeats on the way.
    'z o o no',
    'a b b kill',
    'x y y y kill you',
    'a a b no',
    'k i l ll',
    'a b cc no',
    '3.3 no',
    'J. R. R. Tolkien',
    'a ,',
    'i (',
    'x - y',
    'a  b',
    'i hate you',
    'i  hate   you',
    'skilled killer whale',
    'go die in a fire now',
    'go die in a fire now please',
    'suicidal',
    'classic',
    'sussex',
    'weeds',
    'weeed',
    'oooo',
    'o o',
    'a oo',
    'as',
    'a ass',
    'a as s',
    'no no',
    'oh!!!',
    'oh!',
    'a !',
    'a !!',
    'kіll',
    'é',
    '😀',
    '\u200b',
  ];
  const seps = [' ', ' ', ' ', '  ', ', ', '. ', '-', '\n', '_', "'", '!'];
  const tokenArb = fc.oneof(
    { weight: 40, arbitrary: fc.constantFrom(...filler) },
    { weight: 1, arbitrary: fc.constantFrom(...rare) },
  );
  const textArb = fc
    .array(fc.tuple(tokenArb, fc.constantFrom(...seps)), { minLength: 1, maxLength: 600 })
    .map((parts) => parts.map(([w, sep]) => w + sep).join(''));

  it.each([
    ['exclusions', { exclusions }],
    ['no exclusions', {}],
    ['no leetspeak or masks', { normalise: { leetspeak: false, masks: false }, exclusions }],
  ] as const)('random prose (%s)', (_name, options) => {
    const m = compileMatcher(list, options);
    fc.assert(
      fc.property(textArb, (text) => {
        expect(m.findAll(text).map(key).sort()).toEqual(streamed(m, text));
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  it.each([
    'the cat sat on a mat and I said kill you',
    'skilled killer whale and a killer',
    'go die in a fire now please, go die in a fire now',
    'it was a s s; a ,s s; i (hate) you',
    'a b c d kill',
    'k i l l you and k i l l',
    'the mat. I go in: kill, KILLLL! weeds weeed w*ed',
    "don't k'ill k1ll ki11 4$$",
  ])('%j', (text) => {
    const m = compileMatcher(list, { exclusions });
    expect(m.findAll(text).map(key).sort()).toEqual(streamed(m, text));
  });

  it('every tricky token, after a quiet stretch (where the skip pass runs), as in the general path', () => {
    const m = compileMatcher(list, { exclusions });
    const quiet = 'the cat sat on the mat, it is hot tea. '.repeat(5);
    let hits = 0;
    for (const before of ['', 'a ', 'I.', 'the ', 'x - '])
      for (const token of rare)
        for (const sep of [' ', ', ', '. ', '-', "'", '! ', '  ']) {
          const text = quiet + before + token + sep + quiet;
          const got = m.findAll(text).map(key).sort();
          expect({ text, got }).toEqual({ text, got: streamed(m, text) });
          hits += got.length;
        }
    expect(hits).toBeGreaterThan(500);
  });

  // Each token after a quiet stretch (the skip pass runs up to it) and at the start, before each
  // separator: findAll equals the general path; returns how many matches there were.
  const afterQuiet = (phrases: string[], tokens: string[]): number => {
    const m = compileMatcher(
      phrases.map((phrase) => ({ id: phrase, phrase, category: 'test', severity: 1, match: 'word' as const })),
    );
    const quiet = 'the cat sat on the mat, it is hot tea. '.repeat(5);
    let hits = 0;
    for (const token of tokens)
      for (const sep of [' ', ', ', '-', "'"])
        for (const text of [quiet + token + sep + quiet, token + sep + quiet]) {
          const got = m.findAll(text).map(key).sort();
          expect({ text, got }).toEqual({ text, got: streamed(m, text) });
          hits += got.length;
        }
    return hits;
  };

  it('runs of repeated letters, after a quiet stretch, as in the general path', () => {
    // Phrases with runs only: nothing else stops the skip pass near these tokens.
    const tokens = ['a ass', 'a as s', 'as', 'aas', 'o o', 'x o o', 'oo o', 'a oo', 'kil', 'kil l', 'ki l l', "kil'l"];
    expect(afterQuiet(['aass', 'oo', 'kill'], tokens)).toBeGreaterThan(10);
  });

  it('words after spaced-out runs, after a quiet stretch, as in the general path', () => {
    // Two-word phrases whose first word can be spaced out: the pass reads `z o o no` as `zoo no`
    // itself (nothing stops it before), or hands it over.
    const tokens = [
      'z o o no',
      'z o o o no',
      'z o o  no',
      'z.o.o no',
      'z o o nno',
      'z oo no',
      'zo o no',
      'a b cd',
      'a b c d',
      'a bb cd',
      'a a b cd',
      'i h a t e you',
      'i h a t e y ou',
      'x x x zoo no',
      '3.3 no',
      'J. R. R. Tolkien',
    ];
    expect(afterQuiet(['zoo no', 'ab cd', 'i hate you', 'x'], tokens)).toBeGreaterThan(40);
  });

  it('finds the hits of a long quiet text at their offsets', () => {
    const m = compileMatcher(list, { exclusions });
    const quiet = 'the cat sat on a mat, it is hot tea. '.repeat(400);
    const text = `${quiet}I will kill you. ${quiet}go die in a fire now please ${quiet}k i l l ${quiet}`;
    const got = m.findAll(text).map((x) => `${x.id}:${text.slice(x.start, x.end)}`);
    expect(got).toEqual(['p0:kill', 'p1:kill you', 'p0:k i l l']);
    expect(m.findAll(text).map(key).sort()).toEqual(streamed(m, text));
  });
});
