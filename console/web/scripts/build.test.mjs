import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('the build produces a page in UK English with a title', () => {
  execFileSync('node', [path.join(root, 'scripts', 'build.mjs')]);
  const html = fs.readFileSync(path.join(root, 'dist', 'index.html'), 'utf8');
  assert.match(html, /<html lang="en-GB">/);
  assert.match(html, /<title>Vigil console<\/title>/);
});
