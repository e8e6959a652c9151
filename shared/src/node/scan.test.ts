/// <reference types="node" />
// Node-only: shared/src/node may use Node built-ins; the rest of shared runs in browsers too.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLists } from './lists';
import { runScan } from './scan';

async function* linesOf(...lines: string[]): AsyncIterable<string> {
  yield* lines;
}

async function scan(argv: string[], ...lines: string[]): Promise<{ code: number; out: unknown[]; err: string }> {
  return scanWith(undefined, argv, ...lines);
}

async function scanWith(
  defaultLists: string | undefined,
  argv: string[],
  ...lines: string[]
): Promise<{ code: number; out: unknown[]; err: string }> {
  const out: unknown[] = [];
  let err = '';
  const code = await runScan(argv, {
    defaultLists,
    lines: () => linesOf(...lines),
    out: (l) => out.push(JSON.parse(l)),
    err: (l) => {
      err += l;
    },
  });
  return { code, out, err };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-scan-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const kill = { id: 'v1', phrase: 'kill', category: 'violence', severity: 4, match: 'word' };

describe('loadLists', () => {
  it.each([
    ['an array of entries', [kill]],
    ['an object with entries', { entries: [kill] }],
  ])('reads %s', async (_name, body) => {
    await writeFile(join(dir, 'a.json'), JSON.stringify(body));
    await expect(loadLists(dir)).resolves.toEqual({ entries: [kill], exclusions: [] });
  });

  it('reads every *.json file in name order, with exclusions', async () => {
    await writeFile(join(dir, 'b.json'), JSON.stringify({ entries: [{ ...kill, id: 'b' }], exclusions: ['skill'] }));
    await writeFile(join(dir, 'a.json'), JSON.stringify([{ ...kill, id: 'a' }]));
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const lists = await loadLists(dir);
    expect(lists.entries.map((e) => e.id)).toEqual(['a', 'b']);
    expect(lists.exclusions).toEqual(['skill']);
  });

  it.each([
    ['invalid JSON', '{', /not valid JSON/],
    ['an entry that breaks the schema', JSON.stringify([{ ...kill, severity: 7 }]), /entry 0: \/severity/],
    ['neither an array nor { entries }', JSON.stringify({ words: [] }), /expected an array/],
  ])('names the file on %s', async (_name, body, message) => {
    await writeFile(join(dir, 'bad.json'), body);
    await expect(loadLists(dir)).rejects.toThrow(message);
    await expect(loadLists(dir)).rejects.toThrow(/bad\.json/);
  });
});

describe('scan', () => {
  it('prints one JSON object per line of text with --lists', async () => {
    await writeFile(join(dir, 'l.json'), JSON.stringify({ entries: [kill], exclusions: [] }));
    const { code, out } = await scan(['--lists', dir], 'I will k1ll you', 'nothing here');
    expect(code).toBe(0);
    expect(out).toEqual([
      {
        line: 1,
        matches: [{ id: 'v1', phrase: 'kill', category: 'violence', severity: 4, start: 7, end: 11, text: 'k1ll' }],
      },
      { line: 2, matches: [] },
    ]);
  });

  it('takes --patterns, one phrase per line, ids from 0', async () => {
    await writeFile(join(dir, 'p.txt'), 'kill\n\nweed\n');
    const { out } = await scan(['--patterns', join(dir, 'p.txt')], 'w*ed and skill');
    expect(out).toEqual([
      {
        line: 1,
        matches: [{ id: '2', phrase: 'weed', category: 'pattern', severity: 1, start: 0, end: 4, text: 'w*ed' }],
      },
    ]);
  });

  it('--raw matches substrings of the raw text', async () => {
    await writeFile(join(dir, 'p.txt'), 'kill\n');
    const { out } = await scan(['--patterns', join(dir, 'p.txt'), '--raw'], 'skill k1ll');
    expect(out).toEqual([
      {
        line: 1,
        matches: [{ id: '0', phrase: 'kill', category: 'pattern', severity: 1, start: 1, end: 5, text: 'kill' }],
      },
    ]);
  });

  it.each([
    [[], /give --lists DIR or --patterns FILE/],
    [['--lists'], /--lists needs a value/],
    [['--frob'], /unknown argument/],
  ])('rejects %j with usage', async (argv, message) => {
    const { code, err } = await scan(argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toMatch(/Usage:/);
  });

  it('reads the default lists when neither --lists nor --patterns is given', async () => {
    await writeFile(join(dir, 'l.json'), JSON.stringify([kill]));
    const { code, out } = await scanWith(dir, [], 'they kill');
    expect(code).toBe(0);
    expect(out).toEqual([{ line: 1, matches: [expect.objectContaining({ id: 'v1', start: 5, end: 9 })] }]);
  });

  it('reports an empty phrase with its code', async () => {
    await writeFile(join(dir, 'l.json'), JSON.stringify([{ ...kill, phrase: '\u200b' }]));
    const { code, err } = await scan(['--lists', dir]);
    expect(code).toBe(2);
    expect(err).toMatch(/SHARED_ERR_MATCHER_EMPTY_PATTERN/);
  });
});
