import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compilePolicy } from './compile';
import { loadKeywordLists } from './load';

/**
 * Build step: writes the default compiled policy to `dist/policy.json`, and the same entries in the
 * flat form the matcher's `scan --lists DIR` reads to `dist/lists/vigil.json`
 * (`{ "entries": KeywordEntry[], "exclusions": string[] }`).
 */
export function writePolicy(outDir: string): string {
  const { policy } = compilePolicy(loadKeywordLists());
  mkdirSync(join(outDir, 'lists'), { recursive: true });
  writeFileSync(join(outDir, 'policy.json'), JSON.stringify(policy));
  writeFileSync(
    join(outDir, 'lists', 'vigil.json'),
    JSON.stringify({ entries: policy.keywords, exclusions: policy.exclusions }),
  );
  return policy.version;
}

if (require.main === module) {
  const version = writePolicy(resolve(__dirname));
  process.stdout.write(`keyword-lists: wrote dist/policy.json and dist/lists/vigil.json (${version})\n`);
}
