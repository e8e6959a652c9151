import { compileMatcher } from '@vigil/shared';
import { compilePolicy } from '../compile';
import { falsePositiveHits, findDictionary, readDictionary } from '../false-positives';
import { loadKeywordLists } from '../load';
import { benignCorpus } from './corpus';
import { FP_MIN_SEVERITY, falsePositiveRate, loadLabelledSet, recall, type Tally } from './evaluate';

const RECALL_TARGET = 0.95;
const FP_TARGET_PER_10K = 5;
const pct = (t: Tally) => (t.total === 0 ? 'n/a' : `${((100 * t.hit) / t.total).toFixed(1)}%`);
const out = (line = '') => process.stdout.write(`${line}\n`);

function main(): number {
  const lists = loadKeywordLists();
  const { policy } = compilePolicy(lists);
  const matcher = compileMatcher(policy.keywords, { exclusions: policy.exclusions });
  out(
    `Vigil keyword lists ${policy.version}: ${policy.keywords.length} entries, ${policy.exclusions.length} exclusions`,
  );

  const dictionary = findDictionary();
  if (dictionary === undefined) out('\nfalse-positive check: no dictionary (apt-get install wbritish-large)');
  else {
    const hits = falsePositiveHits(policy.keywords, policy.exclusions, readDictionary(dictionary));
    const partial = policy.keywords.filter((k) => k.match !== 'word').length;
    out(
      `\nfalse-positive check (${dictionary}): ${partial} substring/prefix entries, ${hits.size} firing inside ordinary words`,
    );
    for (const [id, words] of hits) out(`  ${id}: ${words.slice(0, 20).join(', ')}`);
  }

  const labelled = loadLabelledSet();
  const r = recall(matcher, labelled);
  out(`\nrecall on ${r.overall.total} labelled positives: ${pct(r.overall)} (target ${RECALL_TARGET * 100}%)`);
  for (const [cat, t] of Object.entries(r.byCategory).sort())
    out(`  ${cat.padEnd(18)} ${pct(t).padStart(6)}  (${t.hit}/${t.total})`);
  out('  by obfuscation:');
  for (const [o, t] of Object.entries(r.byObfuscation).sort())
    out(`  ${o.padEnd(18)} ${pct(t).padStart(6)}  (${t.hit}/${t.total})`);
  for (const m of r.misses) out(`  missed [${m.label}/${m.obfuscation ?? 'none'}] ${JSON.stringify(m.text)}`);

  const labelledBenign = falsePositiveRate(
    matcher,
    policy.keywords,
    labelled.filter((s) => s.label === null).map((s) => s.text),
  );
  out(
    `\nlabelled benign sentences: ${labelledBenign.flagged}/${labelledBenign.sentences} flagged at severity >= ${FP_MIN_SEVERITY}`,
  );
  for (const o of labelledBenign.offenders) out(`  ${o.id} (${o.severity}) x${o.count}: ${JSON.stringify(o.example)}`);

  const corpus = benignCorpus((l) => out(l));
  const fp = falsePositiveRate(matcher, policy.keywords, corpus);
  out(
    `\nbenign corpus: ${fp.sentences} sentences, ${fp.flagged} flagged at severity >= ${FP_MIN_SEVERITY}: ${fp.per10k.toFixed(2)} per 10,000 (target <= ${FP_TARGET_PER_10K})`,
  );
  const any = falsePositiveRate(matcher, policy.keywords, corpus, 1);
  out(`  (any severity: ${any.per10k.toFixed(1)} per 10,000)`);
  out('  worst offenders at severity >= 3:');
  for (const o of fp.offenders.slice(0, 25))
    out(`  ${String(o.count).padStart(5)}  ${o.id} (${o.severity})  e.g. ${JSON.stringify(o.example.slice(0, 120))}`);

  const ok = r.overall.hit / r.overall.total >= RECALL_TARGET && fp.per10k <= FP_TARGET_PER_10K;
  out(
    `\n${ok ? 'PASS' : 'FAIL'}: recall ${pct(r.overall)}, ${fp.per10k.toFixed(2)} false positives per 10,000 at severity >= ${FP_MIN_SEVERITY}`,
  );
  return ok ? 0 : 1;
}

process.exitCode = main();
