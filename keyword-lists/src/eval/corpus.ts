import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

/**
 * The benign corpus: real English prose from Debian packages, made the same way on every machine.
 * - `fortunes`, `fortunes-min`: the fortune-mod quotation files (not the offensive set, fortunes-off)
 * - `dict-gcide`: definitions and quotations of the GNU Collaborative International Dictionary of English
 */
export const CORPUS_PACKAGES = ['fortunes', 'fortunes-min', 'dict-gcide'] as const;
export const FORTUNE_DIR = '/usr/share/games/fortunes';
export const GCIDE_FILE = '/usr/share/dictd/gcide.dict.dz';
/** Sentences kept, after shuffling by hash: enough for a stable rate per 10,000. */
export const CORPUS_SIZE = 100_000;

/** The gitignored cache folder `eval/.corpus/` of this package. */
export function corpusDir(): string {
  return resolve(__dirname, '..', '..', 'eval', '.corpus');
}

/** Installs the packages with apt-get when a file is missing (needs root, as on CI). */
export function ensureCorpusPackages(log: (line: string) => void): void {
  if (existsSync(FORTUNE_DIR) && existsSync(GCIDE_FILE)) return;
  log(`installing ${CORPUS_PACKAGES.join(' ')} with apt-get`);
  execFileSync('apt-get', ['install', '-y', '-q', ...CORPUS_PACKAGES], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** Splits prose into sentences of 5 to 60 words. */
export function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=["'(A-Z])/)
    .map((s) => s.trim())
    .filter((s) => {
      const words = s.split(' ').length;
      return words >= 5 && words <= 60 && /[a-z]/.test(s) && !/[{}<>|\\]/.test(s);
    });
}

function fortuneSentences(): string[] {
  const out: string[] = [];
  for (const name of readdirSync(FORTUNE_DIR).sort()) {
    if (name.includes('.')) continue;
    const text = readFileSync(join(FORTUNE_DIR, name), 'utf8');
    for (const fortune of text.split(/^%$/m)) out.push(...sentences(fortune.replace(/^\s*--.*$/gm, '')));
  }
  return out;
}

function gcideSentences(): string[] {
  const text = gunzipSync(readFileSync(GCIDE_FILE)).toString('utf8');
  const out: string[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const clean = para.replace(/\[[^\]]*\]/g, ' ').replace(/--\s*[A-Z][\w. ]*$/, ' ');
    out.push(...sentences(clean));
  }
  return out;
}

/** Builds (or reads from the cache) the benign corpus: unique sentences, ordered by their sha256. */
export function benignCorpus(log: (line: string) => void = () => undefined): string[] {
  const dir = corpusDir();
  const file = join(dir, `benign-${CORPUS_SIZE}.txt`);
  if (existsSync(file))
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((s) => s !== '');
  ensureCorpusPackages(log);
  const all = [...new Set([...fortuneSentences(), ...gcideSentences()])];
  const key = (s: string) => createHash('sha256').update(s).digest('hex');
  const keyed = all.map((s) => [key(s), s] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const picked = keyed.slice(0, CORPUS_SIZE).map(([, s]) => s);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, picked.join('\n') + '\n');
  log(`built ${file}: ${picked.length} sentences from ${all.length}`);
  return picked;
}
