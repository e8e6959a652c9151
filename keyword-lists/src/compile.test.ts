import { Value } from '@sinclair/typebox/value';
import { compileMatcher, DEFAULT_POLICY_SETTINGS, type Policy, PolicySchema } from '@vigil/shared';
import { compilePolicy } from './compile';
import type { PolicyOverrides } from './overrides.schema';

type Check = [string, PolicyOverrides, (p: Policy) => boolean];
import { loadKeywordLists } from './load';

const lists = loadKeywordLists();

describe('compilePolicy', () => {
  const base = compilePolicy(lists);

  it('produces a policy that matches PolicySchema with every entry', () => {
    expect(Value.Check(PolicySchema, base.policy)).toBe(true);
    expect(base.policy.keywords.length).toBe(lists.categories.reduce((n, c) => n + c.entries.length, 0));
  });

  it('versions by content: same input, same version; any change, a new one', () => {
    expect(compilePolicy(lists).policy.version).toBe(base.policy.version);
    expect(base.policy.version).toMatch(/^\d{4}\.\d{2}\.\d{2}\+[0-9a-f]{12}$/);
    expect(compilePolicy(lists, { disabledCategories: ['profanity'] }).policy.version).not.toBe(base.policy.version);
  });

  it.each([
    [
      'a category switched off',
      { disabledCategories: ['profanity'] },
      (p) => p.keywords.every((k) => k.category !== 'profanity'),
    ],
    [
      'an entry switched off',
      { disabledEntries: ['suicide.kill-myself'] },
      (p) => !p.keywords.some((k) => k.id === 'suicide.kill-myself'),
    ],
    [
      'a category severity change',
      { severity: { gambling: 3 } },
      (p) => p.keywords.filter((k) => k.category === 'gambling').every((k) => k.severity === 3),
    ],
    [
      'an entry severity winning over its category',
      { severity: { drugs: 2, 'drugs.ketamine': 4 } },
      (p) => p.keywords.find((k) => k.id === 'drugs.ketamine')?.severity === 4,
    ],
    [
      'a local phrase',
      { localPhrases: [{ phrase: 'Zone 2 Boyz', category: 'county-lines', severity: 4 }] },
      (p) => p.keywords.some((k) => k.id === 'local.county-lines.zone-2-boyz' && k.match === 'word'),
    ],
    ['an extra exclusion', { exclusions: ['Killingworth'] }, (p) => p.exclusions.includes('Killingworth')],
    [
      'a settings change',
      { settings: { minSeverity: 3 } },
      (p) => p.settings.minSeverity === 3 && p.settings.throttleSeconds === DEFAULT_POLICY_SETTINGS.throttleSeconds,
    ],
  ] as Check[])('applies %s', (_what, overrides, check) => {
    expect(check(compilePolicy(lists, overrides).policy)).toBe(true);
  });

  it.each([
    ['an unknown category', { disabledCategories: ['nope'] }],
    ['a severity out of range', { severity: { drugs: 9 } }],
    ['an unknown field', { colour: 'red' }],
  ])('rejects %s', (_what, overrides) => {
    expect(() => compilePolicy(lists, overrides as never)).toThrow(/overrides/);
  });

  it('compiles into a working matcher', () => {
    const m = compileMatcher(base.policy.keywords, { exclusions: base.policy.exclusions });
    expect(
      m.findAll('honestly i just want to kill myself').some((x) => x.category === 'suicide' && x.severity === 5),
    ).toBe(true);
    expect(m.findAll('Scunthorpe United won on Saturday')).toEqual([]);
  });
});
