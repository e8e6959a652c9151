import type { KeywordEntry } from '@vigil/shared';

/**
 * A small starter list so a new console has something to serve before the curated lists land.
 * Severity follows risk, not rudeness (see docs/DESIGN.md).
 */
export const STARTER_LIST_VERSION = 'starter-1';

export const STARTER_LIST: readonly KeywordEntry[] = [
  { id: 'suicide.kill-myself', phrase: 'kill myself', category: 'suicide', severity: 5, match: 'word' },
  { id: 'suicide.want-to-die', phrase: 'want to die', category: 'suicide', severity: 5, match: 'word' },
  { id: 'suicide.end-my-life', phrase: 'end my life', category: 'suicide', severity: 5, match: 'word' },
  { id: 'suicide.unalive', phrase: 'unalive', category: 'suicide', severity: 4, match: 'prefix' },
  { id: 'self-harm.cut-myself', phrase: 'cut myself', category: 'self-harm', severity: 4, match: 'word' },
  {
    id: 'grooming.dont-tell-your-parents',
    phrase: "don't tell your parents",
    category: 'grooming',
    severity: 4,
    match: 'word',
  },
  { id: 'sexting.send-nudes', phrase: 'send nudes', category: 'sexting', severity: 4, match: 'word' },
  { id: 'county-lines.going-country', phrase: 'going country', category: 'county-lines', severity: 4, match: 'word' },
  { id: 'violence.bring-a-knife', phrase: 'bring a knife', category: 'violence', severity: 4, match: 'word' },
  { id: 'bullying.kys', phrase: 'kys', category: 'bullying', severity: 3, match: 'word' },
  { id: 'drugs.plug', phrase: 'need a plug', category: 'drugs', severity: 3, match: 'word' },
  { id: 'gambling.casino', phrase: 'casino', category: 'gambling', severity: 2, match: 'word' },
];
