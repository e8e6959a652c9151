import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CategoryIdSchema, type CompiledMatcher, type KeywordEntry, type KeywordMatch } from '@vigil/shared';

export const LabelledSentenceSchema = Type.Object(
  {
    text: Type.String({ minLength: 1 }),
    /** The category the sentence must raise, or null for a benign sentence. */
    label: Type.Union([CategoryIdSchema, Type.Null()]),
    source: Type.Union([
      Type.Literal('list-entry'),
      Type.Literal('paraphrase'),
      Type.Literal('school'),
      Type.Literal('prose'),
    ]),
    obfuscation: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type LabelledSentence = Static<typeof LabelledSentenceSchema>;
export const LabelledSetSchema = Type.Object({
  description: Type.String(),
  sentences: Type.Array(LabelledSentenceSchema),
});

/** Benign matches at or above this severity count as false positives (DESIGN.md: 3 = review today). */
export const FP_MIN_SEVERITY = 3;

/** `eval/labelled.json` of this package. */
export function labelledSetPath(): string {
  return resolve(__dirname, '..', '..', 'eval', 'labelled.json');
}

export function loadLabelledSet(file: string = labelledSetPath()): LabelledSentence[] {
  const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Value.Check(LabelledSetSchema, data)) throw new Error(`${file}: does not match LabelledSetSchema`);
  return data.sentences;
}

export interface Tally {
  hit: number;
  total: number;
}

export interface RecallReport {
  byCategory: Record<string, Tally>;
  byObfuscation: Record<string, Tally>;
  overall: Tally;
  misses: LabelledSentence[];
}

function add(t: Record<string, Tally>, key: string, hit: boolean): void {
  const cur = t[key] ?? { hit: 0, total: 0 };
  cur.total++;
  if (hit) cur.hit++;
  t[key] = cur;
}

/** A positive counts as found when the matcher reports a match of its category (any severity). */
export function recall(matcher: CompiledMatcher, sentences: readonly LabelledSentence[]): RecallReport {
  const report: RecallReport = { byCategory: {}, byObfuscation: {}, overall: { hit: 0, total: 0 }, misses: [] };
  for (const s of sentences) {
    if (s.label === null) continue;
    const hit = matcher.findAll(s.text).some((m) => m.category === s.label);
    add(report.byCategory, s.label, hit);
    add(report.byObfuscation, s.obfuscation ?? 'none', hit);
    report.overall.total++;
    if (hit) report.overall.hit++;
    else report.misses.push(s);
  }
  return report;
}

export interface FalsePositiveReport {
  sentences: number;
  /** Sentences with at least one match of severity >= minSeverity. */
  flagged: number;
  per10k: number;
  /** Entry id -> number of benign sentences it fired in, worst first. */
  offenders: Array<{ id: string; phrase: string; severity: number; count: number; example: string }>;
}

/** Benign sentences with a match at or above `minSeverity`, and the entries responsible. */
export function falsePositiveRate(
  matcher: CompiledMatcher,
  entries: readonly KeywordEntry[],
  sentences: Iterable<string>,
  minSeverity: number = FP_MIN_SEVERITY,
): FalsePositiveReport {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const counts = new Map<string, { count: number; example: string }>();
  let total = 0;
  let flagged = 0;
  for (const text of sentences) {
    total++;
    const bad = matcher.findAll(text).filter((m: KeywordMatch) => m.severity >= minSeverity);
    if (bad.length === 0) continue;
    flagged++;
    for (const id of new Set(bad.map((m) => m.id))) {
      const cur = counts.get(id) ?? { count: 0, example: text };
      cur.count++;
      counts.set(id, cur);
    }
  }
  const offenders = [...counts.entries()]
    .map(([id, c]) => ({ id, phrase: byId.get(id)?.phrase ?? '', severity: byId.get(id)?.severity ?? 0, ...c }))
    .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
  return { sentences: total, flagged, per10k: total === 0 ? 0 : (flagged / total) * 10_000, offenders };
}
