#!/usr/bin/env node
/// <reference types="node" />
// Node-only: shared/src/node may use Node built-ins; the rest of shared runs in browsers too.
// `npm run --silent scan -- [--lists DIR | --patterns FILE] [--raw]`: see SCAN_USAGE.
import path from 'node:path';
import { createInterface } from 'node:readline';
import { runScan } from './scan';

runScan(process.argv.slice(2), {
  lines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  // The curated lists, as the keyword-lists build writes them beside this package in the repository.
  defaultLists:
    process.env.VIGIL_LISTS_DIR || path.resolve(__dirname, '..', '..', '..', 'keyword-lists', 'dist', 'lists'),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`scan: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
