/// <reference types="node" />
// Node-only: shared/src/node may use Node built-ins; the rest of shared runs in browsers too.
import { readFile } from 'node:fs/promises';
import { compileMatcher, MatcherError } from '../matcher/index';
import type { KeywordEntry } from '../protocol/policy.schema';
import { loadLists } from './lists';

export const SCAN_USAGE = `Usage: npm run --silent scan -- [--lists DIR | --patterns FILE] [--raw]

Without --lists or --patterns, Vigil's curated lists are used (keyword-lists/dist/lists,
written by the keyword-lists build; VIGIL_LISTS_DIR points elsewhere).

Reads lines of text on stdin and prints one JSON object per line:
  {"line": N, "matches": [{"id", "phrase", "category", "severity", "start", "end", "text"}]}
N counts from 1; start and end are UTF-16 offsets in the line (end exclusive).

  --lists DIR      every *.json file of DIR: an array of keyword entries, or
                   { "entries": [...], "exclusions": ["..."] }
  --patterns FILE  one phrase per line; its id is the line number counting from 0
                   (blank lines are skipped); match is "word", or "substring" with --raw
  --raw            no normalisation: plain Aho-Corasick over the raw text
`;

export interface ScanIo {
  /** Opened only once the lists are compiled (readline drops lines emitted before iteration starts). */
  lines: () => AsyncIterable<string>;
  out: (line: string) => void;
  err: (line: string) => void;
  /** The lists used when neither --lists nor --patterns is given. */
  defaultLists?: string;
}

interface ScanArgs {
  lists?: string;
  patterns?: string;
  raw: boolean;
}

function parseArgs(argv: readonly string[], defaultLists?: string): ScanArgs | string {
  const args: ScanArgs = { raw: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--raw') args.raw = true;
    else if (a === '--lists' || a === '--patterns') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) return `${a} needs a value`;
      if (a === '--lists') args.lists = value;
      else args.patterns = value;
    } else return `unknown argument ${JSON.stringify(a)}`;
  }
  if (args.lists === undefined && args.patterns === undefined) {
    if (defaultLists === undefined) return 'give --lists DIR or --patterns FILE';
    args.lists = defaultLists;
  }
  if (args.lists !== undefined && args.patterns !== undefined) return 'give --lists or --patterns, not both';
  return args;
}

async function patternEntries(file: string, raw: boolean): Promise<KeywordEntry[]> {
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
  const entries: KeywordEntry[] = [];
  lines.forEach((phrase, i) => {
    if (phrase.trim() === '') return;
    entries.push({ id: String(i), phrase, category: 'pattern', severity: 1, match: raw ? 'substring' : 'word' });
  });
  return entries;
}

/** The scan command; resolves to the exit code (0 ok, 2 usage or list error). */
export async function runScan(argv: readonly string[], io: ScanIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(SCAN_USAGE);
    return 0;
  }
  const args = parseArgs(argv, io.defaultLists);
  if (typeof args === 'string') {
    io.err(`scan: ${args}\n\n${SCAN_USAGE}`);
    return 2;
  }
  let matcher;
  let byId: Map<string, KeywordEntry>;
  try {
    const { entries, exclusions } =
      args.lists !== undefined
        ? await loadLists(args.lists)
        : { entries: await patternEntries(args.patterns ?? '', args.raw), exclusions: [] };
    matcher = compileMatcher(entries, { normalise: !args.raw, exclusions });
    byId = new Map(entries.map((e) => [e.id, e]));
  } catch (err) {
    const code = err instanceof MatcherError ? `${err.code}: ` : '';
    io.err(`scan: ${code}${(err as Error).message}`);
    return 2;
  }
  let n = 0;
  for await (const line of io.lines()) {
    n++;
    const matches = matcher.findAll(line).map((m) => ({
      id: m.id,
      phrase: byId.get(m.id)?.phrase ?? '',
      category: m.category,
      severity: m.severity,
      start: m.start,
      end: m.end,
      text: line.slice(m.start, m.end),
    }));
    io.out(JSON.stringify({ line: n, matches }));
  }
  return 0;
}
