#!/usr/bin/env node
// @ts-check
// Makes the folder electron-builder packages the tray app from: a package.json whose main is the
// Electron shell (agent/dist/electron/main.js) and the agent's run-time node_modules, with native
// modules' sources kept so that electron-builder can rebuild them for Electron.
//
//   npm run build && node installers/scripts/stage-electron-app.mjs [--out DIR]
//
// Run it on the machine that will run electron-builder (native modules are per OS).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleNodePayload } from './payload.mjs';

const INSTALLERS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(INSTALLERS, '..');

const args = process.argv.slice(2);
let out = path.join(INSTALLERS, 'dist', 'electron-app');
if (args[0] === '--out' && args[1]) out = path.resolve(args[1]);
else if (args.length > 0) {
  process.stderr.write('usage: node installers/scripts/stage-electron-app.mjs [--out DIR]\n');
  process.exit(2);
}

try {
  const root = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const agent = JSON.parse(fs.readFileSync(path.join(REPO, 'agent', 'package.json'), 'utf8'));
  if (!fs.existsSync(path.join(REPO, 'agent', 'dist', 'electron', 'main.js'))) {
    throw new Error('agent/dist/electron/main.js is missing: run npm run build first');
  }
  fs.rmSync(out, { recursive: true, force: true });
  const { packages, entryDir } = assembleNodePayload({
    repo: REPO,
    entryDir: path.join(REPO, 'agent'),
    outDir: out,
    forRebuild: true,
  });
  // The app is the agent itself: its dist at the top (its version is read from ../../package.json).
  fs.renameSync(path.join(entryDir, 'dist'), path.join(out, 'dist'));
  fs.rmSync(entryDir, { recursive: true, force: true });
  fs.writeFileSync(
    path.join(out, 'package.json'),
    `${JSON.stringify(
      {
        name: 'vigil-agent',
        productName: 'Vigil Agent',
        version: root.version,
        description: 'Vigil safeguarding agent: tray app',
        author: 'Vigil contributors',
        license: 'SEE LICENSE IN node_modules/@vigil/agent',
        private: true,
        main: 'dist/electron/main.js',
        // As installed in node_modules (the workspace packages @vigil/shared and @vigil/keyword-lists included).
        dependencies: agent.dependencies ?? {},
        devDependencies: { electron: '41.7.1' },
      },
      null,
      2,
    )}\n`,
  );
  fs.copyFileSync(path.join(INSTALLERS, 'electron', 'electron-builder.yml'), path.join(out, 'electron-builder.yml'));
  process.stdout.write(
    `${out}: ${packages.length} packages; next: cd ${path.relative(process.cwd(), out) || '.'} && npx electron-builder@26 --config electron-builder.yml --win --x64\n`,
  );
} catch (error) {
  process.stderr.write(`stage-electron-app: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
