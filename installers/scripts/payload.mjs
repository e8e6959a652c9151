// @ts-check
// The headless agent as it runs on a laptop: @vigil/agent's dist and every package it needs at
// run time, copied out of this repository's installed node_modules (no network), laid out as a
// plain node_modules tree that the bundled Node runtime can load.
import fs from 'node:fs';
import path from 'node:path';

/**
 * @typedef {{ name: string, version: string, dependencies?: Record<string,string>,
 *   optionalDependencies?: Record<string,string>, files?: string[] }} PackageJson
 */

/** @param {string} file @returns {PackageJson} */
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** What is left out of third-party packages: sources and build leftovers no running agent reads. */
const SKIP_IN_PACKAGE = {
  'better-sqlite3': [
    'deps',
    'src',
    'build/Release/obj',
    'build/Release/obj.target',
    'build/Release/.deps',
    'build/deps',
  ],
};

/** Used only to compile or download a native module at `npm install`: the payload ships the result. */
const INSTALL_TIME_ONLY = new Set(['prebuild-install', 'node-gyp']);

/**
 * Finds `name` as Node would from `fromDir` (node_modules up the tree), returning its real dir.
 * @param {string} name @param {string} fromDir @returns {string | undefined}
 */
function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Copies the run-time closure of the workspace package at `entryDir` into `outDir/node_modules`.
 * With `forRebuild`, native modules keep their sources and install-time helpers, so that
 * electron-builder can rebuild them for Electron's ABI.
 * Workspace packages (symlinked in node_modules) are copied as published: package.json plus their
 * `files` (or dist/). Returns the install dir of the entry package and the list of packages.
 * @param {{ repo: string, entryDir: string, outDir: string, forRebuild?: boolean }} options
 */
export function assembleNodePayload({ repo, entryDir, outDir, forRebuild = false }) {
  const rootModules = path.join(repo, 'node_modules');
  /** @type {Map<string, string>} real dir -> dir in the payload */
  const placed = new Map();
  /** @type {string[]} */
  const packages = [];

  /** @param {string} realDir @param {string} name */
  const isWorkspace = (realDir) => !realDir.split(path.sep).includes('node_modules');

  /** @param {string} realDir @param {string} name @returns {string} */
  const placeOf = (realDir, name) => {
    if (isWorkspace(realDir)) return path.join(outDir, 'node_modules', name);
    // Keep third-party packages where npm put them, relative to the workspace that holds them.
    const rel = path.relative(repo, realDir);
    const [owner] = rel.split(`${path.sep}node_modules${path.sep}`);
    if (owner === undefined || rel.startsWith('node_modules')) return path.join(outDir, rel);
    const ownerPlace = placed.get(path.join(repo, owner));
    if (!ownerPlace) throw new Error(`payload: ${rel} is nested in a workspace that is not in the payload`);
    return path.join(ownerPlace, rel.slice(owner.length + 1));
  };

  /** @param {string} realDir @param {string} name */
  const visit = (realDir, name) => {
    if (placed.has(realDir)) return;
    const pkg = readJson(path.join(realDir, 'package.json'));
    const dest = placeOf(realDir, name);
    placed.set(realDir, dest);
    packages.push(`${pkg.name}@${pkg.version}`);
    if (isWorkspace(realDir)) {
      fs.mkdirSync(dest, { recursive: true });
      fs.copyFileSync(path.join(realDir, 'package.json'), path.join(dest, 'package.json'));
      for (const entry of [...(pkg.files ?? ['dist']), 'README.md', 'NOTICE', 'NOTICE.md']) {
        const from = path.join(realDir, entry);
        if (!fs.existsSync(from)) continue;
        fs.cpSync(from, path.join(dest, entry), {
          recursive: true,
          // Tests, their fakes and source maps are not shipped.
          filter: (src) => !/\.(test|fake)\.(js|d\.ts)$|\.map$|[\\/]test-support([\\/]|$)/.test(src),
        });
      }
    } else {
      const skip = (
        forRebuild ? [] : (SKIP_IN_PACKAGE[/** @type {keyof typeof SKIP_IN_PACKAGE} */ (pkg.name)] ?? [])
      ).map((s) => path.join(realDir, s));
      fs.cpSync(realDir, dest, {
        recursive: true,
        filter: (src) => {
          if (skip.includes(src)) return false;
          // Nested node_modules are copied by the dependency walk, only with what is needed.
          return !(src !== realDir && path.basename(src) === 'node_modules');
        },
      });
    }
    const deps = { ...(pkg.dependencies ?? {}), ...(pkg.optionalDependencies ?? {}) };
    for (const dep of Object.keys(deps)) {
      if (INSTALL_TIME_ONLY.has(dep) && !forRebuild) continue;
      const depDir = resolvePackage(dep, realDir);
      if (depDir === undefined) {
        if (pkg.optionalDependencies?.[dep] !== undefined) continue; // another platform's binary
        throw new Error(`payload: ${pkg.name} needs ${dep}, which is not installed (run npm ci)`);
      }
      visit(depDir, dep);
    }
  };

  const entry = readJson(path.join(entryDir, 'package.json'));
  if (!fs.existsSync(path.join(entryDir, 'dist'))) {
    throw new Error(
      `payload: ${entry.name} is not built (${path.join(entryDir, 'dist')} is missing): run npm run build`,
    );
  }
  if (!fs.existsSync(rootModules)) throw new Error('payload: node_modules is missing: run npm ci');
  visit(fs.realpathSync(entryDir), entry.name);
  const entryPlace = placed.get(fs.realpathSync(entryDir));
  if (entryPlace === undefined) throw new Error('payload: entry not placed');
  return { entryDir: entryPlace, packages: packages.sort() };
}
