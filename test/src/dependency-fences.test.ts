import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO } from './support/processes';

/** The fences of STYLE.md hold: each forbidden import is an error whose message says what to do instead. */
const refused: [file: string, code: string, message: RegExp][] = [
  ['shared/src/x.ts', "import fs from 'node:fs';", /runs in the browser too/],
  ['shared/src/x.ts', "import { readFileSync } from 'fs';", /runs in the browser too/],
  ['shared/src/x.ts', "import { app } from 'electron';", /only agent\/src\/electron/],
  ['shared/src/x.ts', "import { STARTER_LIST } from '@vigil/keyword-lists';", /depends on nothing of ours/],
  ['agent/src/core/x.ts', "import fs from 'node:fs';", /through ports/],
  ['agent/src/core/x.ts', "import Database from 'better-sqlite3';", /adapter under agent\/src\/platform/],
  ['agent/src/core/x.ts', "import { HttpTransport } from '../platform/transport.http';", /core\/ports.ts/],
  ['agent/src/platform/x.ts', "import { app } from 'electron';", /Only agent\/src\/electron/],
  ['agent/src/daemon.ts', "import { buildApp } from '@vigil/console-server';", /meet it through the protocol schemas/],
  ['console/server/src/x.ts', "import { startDaemon } from '@vigil/agent';", /meet it through the protocol schemas/],
  ['console/server/src/x.ts', "import { uuidv7 } from '../../../shared/src/uuid';", /by name through their exports/],
  ['test/src/x.test.ts', "import { buildApp } from '@vigil/console-server';", /CLIs and HTTP/],
];
const allowed: [file: string, code: string][] = [
  ['shared/src/x.ts', "import { Type } from '@sinclair/typebox';"],
  ['agent/src/core/x.ts', "import { uuidv7 } from '@vigil/shared';"],
  ['agent/src/platform/x.ts', "import fs from 'node:fs';"],
  ['console/server/src/x.ts', "import { AGENT_API } from '@vigil/shared';"],
];

describe('dependency fences', () => {
  let results: { ruleId: string | null; message: string }[][];

  beforeAll(() => {
    const cases = [...refused, ...allowed].map(([file, code]) => ({ file, code: `${code}\nexport {};\n` }));
    const out = execFileSync('node', [path.join(__dirname, 'support', 'lint-texts.mjs')], {
      input: JSON.stringify(cases),
      env: { ...process.env, REPO },
      encoding: 'utf8',
    });
    results = JSON.parse(out) as typeof results;
  });

  const fenceMessages = (i: number) =>
    results[i]!.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);

  it.each(refused.map((c, i) => [...c, i] as const))('%s: %s is refused', (_file, _code, message, i) => {
    const messages = fenceMessages(i);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it.each(allowed.map((c, i) => [...c, refused.length + i] as const))('%s: %s is allowed', (_file, _code, i) => {
    expect(fenceMessages(i)).toEqual([]);
  });
});
