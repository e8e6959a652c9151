import type { KeywordEntry } from '@vigil/shared';

/** The version a capture carries while the agent matches against its built-in list. */
export const BUILTIN_POLICY_VERSION = 'builtin-1';

/**
 * A handful of safeguarding phrases the agent matches before it has a policy from the console.
 * Severity follows risk, not rudeness (docs/DESIGN.md).
 */
export const BUILTIN_LIST: readonly KeywordEntry[] = [
  { id: 'suicide.kill-myself', phrase: 'kill myself', category: 'suicide', severity: 5, match: 'word' },
  { id: 'suicide.want-to-die', phrase: 'want to die', category: 'suicide', severity: 5, match: 'word' },
  { id: 'suicide.end-my-life', phrase: 'end my life', category: 'suicide', severity: 5, match: 'word' },
  { id: 'self-harm.cut-myself', phrase: 'cut myself', category: 'self-harm', severity: 4, match: 'word' },
  { id: 'sexting.send-nudes', phrase: 'send nudes', category: 'sexting', severity: 4, match: 'word' },
  { id: 'grooming.dont-tell-your-parents', phrase: "don't tell your parents", category: 'grooming', severity: 4, match: 'word' },
  { id: 'county-lines.going-country', phrase: 'going country', category: 'county-lines', severity: 4, match: 'word' },
  { id: 'violence.bring-a-knife', phrase: 'bring a knife', category: 'violence', severity: 4, match: 'word' },
  { id: 'bullying.kys', phrase: 'kys', category: 'bullying', severity: 3, match: 'word' },
  { id: 'gambling.casino', phrase: 'casino', category: 'gambling', severity: 2, match: 'word' },
];
