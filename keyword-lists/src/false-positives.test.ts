import { execFileSync } from 'node:child_process';
import { type KeywordEntry } from '@vigil/shared';
import { compilePolicy } from './compile';
import { DICTIONARY_PACKAGE, falsePositiveHits, findDictionary, readDictionary } from './false-positives';
import { loadKeywordLists } from './load';

/** The test needs Debian's British English dictionary: install it when we can (CI runs as root). */
function ensureDictionary(): string | undefined {
  const found = findDictionary();
  if (found !== undefined || process.platform !== 'linux' || process.getuid?.() !== 0) return found;
  try {
    execFileSync('apt-get', ['install', '-y', '-q', DICTIONARY_PACKAGE], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch {
    // no apt or no network: reported below
  }
  return findDictionary();
}

const entry = (id: string, phrase: string, match: KeywordEntry['match']): KeywordEntry => ({
  id,
  phrase,
  category: 'test',
  severity: 1,
  match,
});

describe('falsePositiveHits', () => {
  const words = ['swank', 'swanky', 'wanker', 'wank', 'Scunthorpe', 'cunt', 'skill', 'unalived', 'motherfucker'];

  it.each([
    ['a substring inside an ordinary word', [entry('w', 'wank', 'substring')], [], { w: ['swank', 'swanky'] }],
    ['nothing once the words are excluded', [entry('w', 'wank', 'substring')], ['swank', 'swanky'], {}],
    ['a place name', [entry('c', 'cunt', 'substring')], [], { c: ['Scunthorpe'] }],
    ['nothing for word entries', [entry('k', 'kill', 'word')], [], {}],
    ['nothing for inflections of a prefix', [entry('u', 'unalive', 'prefix')], [], {}],
    [
      'nothing where the word is itself listed',
      [entry('f', 'fuck', 'substring'), entry('m', 'motherfucker', 'word')],
      [],
      {},
    ],
  ])('reports %s', (_what, entries, exclusions, expected) => {
    expect(Object.fromEntries(falsePositiveHits(entries, exclusions, words))).toEqual(expected);
  });
});

describe('the shipped lists against a British English dictionary', () => {
  const dictionary = ensureDictionary();
  const run = dictionary === undefined ? it.skip : it;

  run('no substring or prefix entry fires inside an ordinary word', () => {
    const { policy } = compilePolicy(loadKeywordLists());
    const hits = falsePositiveHits(policy.keywords, policy.exclusions, readDictionary(dictionary ?? ''));
    // On failure the message lists every entry and the words it hits: make it `word` or add exclusions.
    expect(Object.fromEntries(hits)).toEqual({});
  });

  it('has a dictionary to check against (apt-get install wbritish-large)', () => {
    expect(dictionary).toBeDefined();
  });
});
