import type { KeywordEntry } from '../protocol/policy.schema';
import { SimpleMatcher } from './simple-matcher';

const entry = (phrase: string, match: KeywordEntry['match'] = 'word'): KeywordEntry => ({
  id: phrase,
  phrase,
  category: 'test',
  severity: 3,
  match,
});

describe('SimpleMatcher', () => {
  it.each([
    ['word', 'kill', 'i will kill you', [[7, 11]]],
    ['word', 'kill', 'great skill', []],
    ['word', 'kill myself', 'I want to KILL MYSELF.', [[10, 21]]],
    ['prefix', 'suicid', 'feeling suicidal', [[8, 14]]],
    ['prefix', 'suicid', 'antisuicide', []],
    ['substring', 'porn', 'xxpornxx', [[2, 6]]],
  ] as const)('%s %s in %j', (mode, phrase, text, spans) => {
    const found = new SimpleMatcher([entry(phrase, mode)]).match(text);
    expect(found.map((m) => [m.start, m.end])).toEqual(spans);
  });
});
