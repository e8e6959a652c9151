#!/usr/bin/env node
// `npm test`: installs what the tests need, then builds, lints, type-checks and tests every
// workspace through turbo, and closes with one line that adds up every runner's counts.
import { spawn, spawnSync } from 'node:child_process';

const deps = spawnSync(process.execPath, ['scripts/ensure-system-deps.mjs'], { stdio: 'inherit' });
if (deps.status !== 0) process.exit(deps.status ?? 1);

const child = spawn(
  'npx',
  ['turbo', 'run', 'build', 'lint', 'typecheck', 'test', '--concurrency=2', ...process.argv.slice(2)],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env },
  },
);
let passed = 0;
let failed = 0;
let skipped = 0;
let pending = '';
const count = (line) => {
  // jest: "Tests:       1 failed, 2 skipped, 140 passed, 143 total"
  const jest = /Tests:\s+(.*)\s(\d+) total/.exec(line);
  if (jest) {
    passed += Number(/(\d+) passed/.exec(jest[1])?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(jest[1])?.[1] ?? 0);
    skipped += Number(/(\d+) skipped/.exec(jest[1])?.[1] ?? 0);
  }
  // node --test: "# pass 3" / "# fail 0"
  const node = /# (pass|fail|skipped) (\d+)\s*$/.exec(line);
  if (node) {
    if (node[1] === 'pass') passed += Number(node[2]);
    else if (node[1] === 'fail') failed += Number(node[2]);
    else skipped += Number(node[2]);
  }
};
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString();
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  lines.forEach(count);
});
child.on('exit', (code, signal) => {
  count(pending);
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exit(code ?? (signal ? 1 : 0));
});
