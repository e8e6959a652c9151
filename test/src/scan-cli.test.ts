import { execFileSync } from 'node:child_process';
import { REPO } from './support/processes';

/** The list editors' scan command, as they run it: real process, real stdin, Vigil's curated lists by default. */
describe('npm run --silent scan', () => {
  const scan = (input: string, ...args: string[]) =>
    execFileSync('npm', ['run', '--silent', 'scan', '--', ...args], { cwd: REPO, input, encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; matches: { id: string; category: string; text: string }[] });

  it('reads every line of stdin and matches the curated lists, obfuscations included', () => {
    const out = scan('i want to k1ll mysellllf\nWhat a lovely day in Scunthorpe.\nyou up for going country?\n');
    expect(out.map((l) => l.line)).toEqual([1, 2, 3]);
    expect(out[0]!.matches.map((m) => m.category)).toContain('suicide');
    expect(out[1]!.matches).toEqual([]);
    expect(out[2]!.matches.map((m) => m.id)).toContain('county-lines.going-country');
  });
});
