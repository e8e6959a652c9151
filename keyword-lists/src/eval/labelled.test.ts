import { compileMatcher } from '@vigil/shared';
import { compilePolicy } from '../compile';
import { loadKeywordLists } from '../load';
import { falsePositiveRate, loadLabelledSet, recall } from './evaluate';

const { policy } = compilePolicy(loadKeywordLists());
const matcher = compileMatcher(policy.keywords, { exclusions: policy.exclusions });
const sentences = loadLabelledSet();
const positives = sentences.filter((s) => s.label !== null);
const benign = sentences.filter((s) => s.label === null);

describe('the labelled evaluation set', () => {
  it('has at least 600 sentences and at least as many benign as positive', () => {
    expect(sentences.length).toBeGreaterThanOrEqual(600);
    expect(benign.length).toBeGreaterThanOrEqual(positives.length);
  });

  it('labels only categories that exist, each with positives', () => {
    const ids = new Set(policy.keywords.map((k) => k.category));
    const labels = new Set(positives.map((s) => s.label));
    expect([...labels].filter((l) => l !== null && !ids.has(l))).toEqual([]);
    expect(labels.size).toBe(ids.size);
  });

  it('finds at least 95% of the positives', () => {
    const r = recall(matcher, sentences);
    expect(r.overall.hit / r.overall.total).toBeGreaterThanOrEqual(0.95);
  });

  it('raises nothing of severity 3 or more in at least 99.5% of the benign sentences', () => {
    const fp = falsePositiveRate(
      matcher,
      policy.keywords,
      benign.map((s) => s.text),
    );
    expect(fp.flagged / fp.sentences).toBeLessThanOrEqual(0.005);
  });
});
