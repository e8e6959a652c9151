import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

/** Each test starts node processes; this is a hang guard on a loaded machine, not a speed check. */
jest.setTimeout(60_000);

/** `send-summaries` and `import-pupils` as people and scripts run them: the built CLI in its own process. */
describe('the summary commands of the console CLI', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-summary-cli-'));
  const cli = (...args: string[]) =>
    run('node', [CLI, ...args], { env: { ...process.env, VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'silent' } });
  const fails = async (...args: string[]) => {
    try {
      await cli(...args);
    } catch (err) {
      return err as { code: number; stderr: string };
    }
    throw new Error(`expected "${args.join(' ')}" to fail`);
  };
  let schoolId: string;

  beforeAll(async () => {
    schoolId = (JSON.parse((await cli('create-school', '--name', 'Oak Academy', '--json')).stdout) as { id: string })
      .id;
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('import-pupils loads a CSV, and refuses a bad one with its line, exit code 2, nothing changed', async () => {
    const good = path.join(dataDir, 'pupils.csv');
    fs.writeFileSync(good, 'login,name,year group\njohn.smith,John Smith,9\nOAK\\akhan,Aisha Khan,11\n');
    const { stdout } = await cli('import-pupils', '--school', schoolId, '--csv', good, '--json');
    expect(JSON.parse(stdout)).toEqual({ schoolId, before: 0, count: 2 });

    const bad = path.join(dataDir, 'bad.csv');
    fs.writeFileSync(bad, 'login,name,year group\nb.jones,Ben Jones,8\nc.ng,"Chi Ng,7\n');
    const err = await fails('import-pupils', '--school', schoolId, '--csv', bad);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('line 3: a quoted field is never closed');
    expect((await fails('import-pupils', '--school', schoolId)).stderr).toContain('--csv is required');
  });

  it('send-summaries --dry-run --json prints the summary with the directory’s labels, and stores nothing', async () => {
    const { stdout } = await cli('send-summaries', '--school', schoolId, '--week', '2026-W47', '--dry-run', '--json');
    const [row] = JSON.parse(stdout) as { week: string; summary: string; send: string; text: string }[];
    expect(row).toMatchObject({ week: '2026-W47', summary: 'dry-run', send: 'none' });
    expect(row!.text).toContain('Vigil weekly summary, Oak Academy, week 2026-W47');
    const { stdout: sent } = await cli('send-summaries', '--school', schoolId, '--week', '2026-W47', '--json');
    // Without SMTP the summary is built and kept, and the answer says email is not configured.
    expect(JSON.parse(sent)).toEqual([expect.objectContaining({ summary: 'built', send: 'not_configured' })]);
    const { stdout: again } = await cli('send-summaries', '--school', schoolId, '--week', '2026-W47', '--json');
    expect(JSON.parse(again)).toEqual([expect.objectContaining({ summary: 'existing', send: 'not_configured' })]);
    const err = await fails('send-summaries', '--week', '2026-47');
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('--week "2026-47" is not an ISO week (YYYY-Www)');
  });
});
