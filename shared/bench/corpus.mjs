// Builds the benchmark inputs reproducibly and caches them under node_modules/.cache/vigil-bench:
// - corpus.txt: ~20 MB of real English prose: the Debian packages `fortunes` (fortune cookies)
//   and `python3.11-doc` (the reStructuredText sources of the Python documentation), installed
//   with apt-get when missing (root), concatenated in a fixed order and repeated up to 20,000,000
//   characters;
// - phrases.json: the dense worst case: 3,000 phrases, 2,000 terms of the seed word lists
//   (profanities, profane-words, DEA drug slang) plus the 1,000 commonest word pairs of the corpus
//   itself, so matches are extremely dense (one per 28 characters);
// and, not cached (read from the package each run), Vigil's lists: the first 3,000 entries of the
// curated keyword lists (`@vigil/keyword-lists`) by id, with the lists' exclusions.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// Under node_modules/.cache: ignored by git and prettier, rebuilt after a fresh `npm ci`.
export const CACHE = join(here, '..', 'node_modules', '.cache', 'vigil-bench');
const TARGET = 20_000_000;
const PACKAGES = ['fortunes', 'python3.11-doc'];
const FORTUNES = '/usr/share/games/fortunes';
const PYDOC = '/usr/share/doc/python3.11/html/_sources';

function ensurePackages() {
  if (existsSync(FORTUNES) && existsSync(PYDOC)) return;
  console.error(`bench: installing ${PACKAGES.join(', ')} with apt-get (needs root)`);
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...PACKAGES], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

function buildCorpus() {
  ensurePackages();
  const files = [
    ...walk(FORTUNES).filter((p) => !/\.(dat|u8)$/.test(p)),
    ...walk(PYDOC).filter((p) => p.endsWith('.txt')),
  ];
  const parts = files.map((p) => readFileSync(p, 'utf8'));
  const once = parts.join('\n');
  let text = '';
  while (text.length < TARGET) text += once;
  return text.slice(0, TARGET);
}

function buildPhrases(corpus, seedDir) {
  const seed = [];
  const read = (name) => JSON.parse(readFileSync(join(seedDir, name), 'utf8'));
  if (existsSync(seedDir)) {
    seed.push(...read('profanities_en.json').terms);
    seed.push(...read('profane-words_words.json').terms);
    seed.push(...read('dea-2018-drug-slang_via_WanzhengZhu-Euphemism.json').unique_slang_terms);
  }
  const words = [
    ...new Set(seed.map((s) => s.toLowerCase().trim()).filter((s) => /^[a-z][a-z ]{2,}[a-z]$/.test(s))),
  ].sort();
  const fromSeed = words.slice(0, 2000);
  const pairs = new Map();
  const tokens =
    corpus
      .slice(0, 5_000_000)
      .toLowerCase()
      .match(/[a-z]+/g) ?? [];
  for (let i = 1; i < tokens.length; i++) {
    const p = `${tokens[i - 1]} ${tokens[i]}`;
    pairs.set(p, (pairs.get(p) ?? 0) + 1);
  }
  const have = new Set(fromSeed);
  const bigrams = [...pairs]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([p]) => p)
    .filter((p) => !have.has(p))
    .slice(0, 3000 - fromSeed.length);
  return [...fromSeed, ...bigrams];
}

export function loadInputs(seedDir = join(here, '..', '..', '..', 'shared', 'seed-data')) {
  mkdirSync(CACHE, { recursive: true });
  const corpusPath = join(CACHE, 'corpus.txt');
  const phrasesPath = join(CACHE, 'phrases.json');
  if (!existsSync(corpusPath)) writeFileSync(corpusPath, buildCorpus());
  const corpus = readFileSync(corpusPath, 'utf8');
  if (!existsSync(phrasesPath)) writeFileSync(phrasesPath, JSON.stringify(buildPhrases(corpus, seedDir), null, 1));
  const phrases = JSON.parse(readFileSync(phrasesPath, 'utf8'));
  return { corpus, phrases };
}

/**
 * Vigil's lists: the first 3,000 entries of `@vigil/keyword-lists` (`loadKeywordLists()` +
 * `toKeywordEntries`) in id order (`<category>.<slug>`, so categories in alphabetical order: bullying
 * to part of self-harm), with their own match modes, and every exclusion of the
 * lists. Needs the keyword-lists package built (`npx tsc -p tsconfig.build.json` in it).
 */
export function loadListsWorkload(count = 3000) {
  const { loadKeywordLists, toKeywordEntries } = require('@vigil/keyword-lists');
  const lists = loadKeywordLists();
  const all = toKeywordEntries(lists.categories).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const entries = all.slice(0, count);
  const exclusions = [...new Set(lists.exclusions.map((x) => x.phrase))];
  return { entries, exclusions, phrases: entries.map((e) => e.phrase), total: all.length };
}

/** 200,000 short strings: lines of the corpus between 10 and 100 characters, in order. */
export function shortStrings(corpus, count = 200_000) {
  const out = [];
  let at = 0;
  while (out.length < count) {
    const nl = corpus.indexOf('\n', at);
    const line = corpus.slice(at, nl < 0 ? undefined : nl).trim();
    at = nl < 0 ? 0 : nl + 1;
    if (line.length >= 10 && line.length <= 100) out.push(line);
  }
  return out;
}
