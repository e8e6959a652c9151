#!/usr/bin/env node
// @ts-check
// `npm run build:installers`: the Linux .deb, the Windows MSI (wixl) and EXE (makensis), offline,
// versioned from the root package.json, into installers/dist/.
//
//   node installers/scripts/build.mjs [--only deb,msi,exe] [--out DIR]
//
// The Windows payload is the Electron app as electron-builder lays it out (`win-unpacked`), which
// only a machine that can download Electron can make (installers/README.md says how). Its folder
// is VIGIL_WIN_APP_DIR, or installers/input/win-unpacked. Without it the MSI and EXE are built
// around a placeholder payload and named `-placeholder`: their own logic (properties, machine
// config, autostart, uninstall) is the same and is what the tests check.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleNodePayload } from './payload.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const INSTALLERS = path.resolve(HERE, '..');
const REPO = path.resolve(INSTALLERS, '..');
const WIN_EXE = 'Vigil Agent.exe';
const PLACEHOLDER_NOTE = 'PLACEHOLDER-electron-app-missing.txt';

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ only: Set<string>, out: string }} */
  const options = { only: new Set(['deb', 'msi', 'exe']), out: path.join(INSTALLERS, 'dist') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--only') {
      const kinds = (argv[++i] ?? '').split(',').filter(Boolean);
      const bad = kinds.filter((k) => !['deb', 'msi', 'exe'].includes(k));
      if (kinds.length === 0 || bad.length > 0) usage(`--only takes deb, msi and/or exe (got "${argv[i] ?? ''}")`);
      options.only = new Set(kinds);
    } else if (arg === '--out') {
      const out = argv[++i];
      if (!out) usage('--out needs a directory');
      options.out = path.resolve(out);
    } else {
      usage(`unknown argument "${arg}"`);
    }
  }
  return options;
}

/** @param {string} message @returns {never} */
function usage(message) {
  process.stderr.write(
    `build-installers: ${message}\nusage: node installers/scripts/build.mjs [--only deb,msi,exe] [--out DIR]\n`,
  );
  process.exit(2);
}

/** @param {string} file @param {string[]} args @param {{ cwd?: string }} [options] */
function run(file, args, options = {}) {
  try {
    return execFileSync(file, args, { cwd: options.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = /** @type {{ stderr?: string, stdout?: string, message: string, code?: string }} */ (error);
    if (e.code === 'ENOENT') throw new Error(`${file} is not installed (Debian: see installers/README.md)`);
    throw new Error(`${file} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

function readVersion() {
  const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`the root package.json version "${version}" must be MAJOR.MINOR.PATCH (MSI and NSIS need numbers)`);
  }
  return version;
}

/** @param {string} dir */
function dirBytes(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

// ── .deb ───────────────────────────────────────────────────────────────────────────────────

/** @param {string} version @param {string} out @param {string} work */
function buildDeb(version, out, work) {
  const arch = { x64: 'amd64', arm64: 'arm64' }[/** @type {'x64'|'arm64'} */ (process.arch)];
  if (!arch || process.platform !== 'linux')
    throw new Error(`the .deb is built on Linux x64 or arm64 (this is ${process.platform} ${process.arch})`);
  const root = path.join(work, 'deb');
  const prefix = path.join(root, 'opt', 'vigil-agent');
  const deb = path.join(INSTALLERS, 'deb');

  // The agent and what it needs at run time, and the Node runtime it was built and tested with
  // (its native modules, better-sqlite3 and sharp, are built for this Node's ABI).
  const { packages } = assembleNodePayload({
    repo: REPO,
    entryDir: path.join(REPO, 'agent'),
    outDir: path.join(prefix, 'app'),
  });
  fs.mkdirSync(path.join(prefix, 'node', 'bin'), { recursive: true });
  fs.copyFileSync(process.execPath, path.join(prefix, 'node', 'bin', 'node'));
  fs.chmodSync(path.join(prefix, 'node', 'bin', 'node'), 0o755);
  for (const extra of ['LICENSE', 'README.md']) {
    const from = path.join(path.dirname(process.execPath), '..', 'share', 'doc', 'node', extra);
    if (fs.existsSync(from)) fs.copyFileSync(from, path.join(prefix, 'node', extra));
  }
  fs.writeFileSync(path.join(prefix, 'node', 'VERSION'), `${process.version}\n`);

  fs.mkdirSync(path.join(prefix, 'lib'), { recursive: true });
  for (const file of ['session.js', 'setup.js', 'machine-config.js']) {
    fs.copyFileSync(path.join(deb, file), path.join(prefix, 'lib', file));
  }
  fs.mkdirSync(path.join(prefix, 'bin'), { recursive: true });
  for (const [from, to] of [
    ['vigil-agent.sh', 'vigil-agent'],
    ['vigil-agent-session.sh', 'vigil-agent-session'],
    ['vigil-agent-setup.sh', 'vigil-agent-setup'],
  ]) {
    fs.copyFileSync(path.join(deb, /** @type {string} */ (from)), path.join(prefix, 'bin', /** @type {string} */ (to)));
    fs.chmodSync(path.join(prefix, 'bin', /** @type {string} */ (to)), 0o755);
  }
  fs.mkdirSync(path.join(root, 'usr', 'bin'), { recursive: true });
  fs.symlinkSync('/opt/vigil-agent/bin/vigil-agent', path.join(root, 'usr', 'bin', 'vigil-agent'));
  fs.mkdirSync(path.join(root, 'usr', 'sbin'), { recursive: true });
  fs.symlinkSync('/opt/vigil-agent/bin/vigil-agent-setup', path.join(root, 'usr', 'sbin', 'vigil-agent-setup'));
  fs.mkdirSync(path.join(root, 'etc', 'xdg', 'autostart'), { recursive: true });
  fs.copyFileSync(
    path.join(deb, 'vigil-agent.desktop'),
    path.join(root, 'etc', 'xdg', 'autostart', 'vigil-agent.desktop'),
  );
  fs.mkdirSync(path.join(root, 'usr', 'share', 'doc', 'vigil-agent'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'usr', 'share', 'doc', 'vigil-agent', 'packages.txt'),
    `Node.js ${process.version} (bundled runtime)\n${packages.join('\n')}\n`,
  );

  const control = path.join(root, 'DEBIAN');
  fs.mkdirSync(control);
  const installedKb = Math.ceil(dirBytes(root) / 1024);
  fs.writeFileSync(
    path.join(control, 'control'),
    [
      'Package: vigil-agent',
      `Version: ${version}`,
      `Architecture: ${arch}`,
      'Section: admin',
      'Priority: optional',
      'Maintainer: Vigil <vigil@localhost>',
      `Installed-Size: ${installedKb}`,
      // get-windows reads windows with xprop/xwininfo, screenshots go through ImageMagick's import,
      // displays through xrandr, the clipboard through xclip.
      'Depends: x11-utils, x11-xserver-utils, xclip, imagemagick',
      'Description: Vigil safeguarding agent (headless, for school laptops)',
      " Matches typed and on-screen text against the school's keyword lists, takes a",
      " timestamped screenshot of every match and uploads it to the school's Vigil console.",
      ' Starts in every desktop session (XDG autostart). Configure with /etc/vigil/agent.json',
      ' or VIGIL_CONSOLE_URL and VIGIL_ENROLMENT_TOKEN at install.',
      '',
    ].join('\n'),
  );
  for (const script of ['preinst', 'postinst', 'prerm', 'postrm']) {
    fs.copyFileSync(path.join(deb, script), path.join(control, script));
    fs.chmodSync(path.join(control, script), 0o755);
  }
  const file = path.join(out, `vigil-agent_${version}_${arch}.deb`);
  // gzip: about as small as xz for this payload (mostly binaries), and far quicker to build.
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z6', '--build', root, file]);
  return { kind: 'deb', file, placeholder: false, packages: packages.length, node: process.version };
}

// ── Windows payload ────────────────────────────────────────────────────────────────────────

/** @param {string} work */
function windowsPayload(work) {
  const input = process.env.VIGIL_WIN_APP_DIR
    ? path.resolve(process.env.VIGIL_WIN_APP_DIR)
    : path.join(INSTALLERS, 'input', 'win-unpacked');
  if (fs.existsSync(input)) {
    if (!fs.existsSync(path.join(input, WIN_EXE))) {
      throw new Error(
        `${input} has no "${WIN_EXE}": it must be electron-builder's win-unpacked folder (installers/README.md)`,
      );
    }
    return { dir: input, placeholder: false };
  }
  if (process.env.VIGIL_WIN_APP_DIR) throw new Error(`VIGIL_WIN_APP_DIR ${input} does not exist`);
  const dir = path.join(work, 'win-placeholder');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, PLACEHOLDER_NOTE),
    [
      'THIS IS A PLACEHOLDER, NOT THE VIGIL AGENT.',
      '',
      `The installer was built without the Windows Electron app ("${WIN_EXE}" and its runtime),`,
      'which only a build machine that can download Electron can make. Its registry entries,',
      'machine configuration, autostart and uninstall steps are real; the program is missing.',
      'See installers/README.md, "The Windows app (input folder)".',
      '',
    ].join('\r\n'),
  );
  return { dir, placeholder: true };
}

// ── MSI ────────────────────────────────────────────────────────────────────────────────────

/** @param {string} version @param {string} out @param {string} work @param {{dir: string, placeholder: boolean}} payload */
function buildMsi(version, out, work, payload) {
  const dir = path.join(work, 'msi');
  fs.mkdirSync(dir, { recursive: true });
  // wixl resolves sources relative to its working directory; the payload is linked in beside it.
  fs.symlinkSync(payload.dir, path.join(dir, 'payload'));
  const files = listFiles(payload.dir).map((f) => `payload/${f}`);
  const heat = execFileSync(
    'wixl-heat',
    [
      '-p',
      'payload/',
      '--component-group',
      'Payload',
      '--var',
      'var.PayloadDir',
      '--directory-ref',
      'INSTALLDIR',
      '--win64',
    ],
    { input: `${files.join('\n')}\n`, encoding: 'utf8' },
  );
  fs.writeFileSync(path.join(dir, 'payload.wxs'), heat);
  fs.copyFileSync(path.join(INSTALLERS, 'windows', 'vigil-agent.wxs'), path.join(dir, 'vigil-agent.wxs'));
  const file = path.join(out, `vigil-agent-${version}-x64${payload.placeholder ? '-placeholder' : ''}.msi`);
  fs.rmSync(file, { force: true });
  run(
    'wixl',
    [
      '-a',
      'x64',
      '-D',
      'Win64=yes',
      '-D',
      `Version=${version}`,
      '-D',
      'PayloadDir=payload',
      '-o',
      file,
      'vigil-agent.wxs',
      'payload.wxs',
    ],
    {
      cwd: dir,
    },
  );
  // What wixl cannot say in WiX source, set in the tables directly.
  const query = (/** @type {string} */ sql) => run('msibuild', [file, '-q', sql]);
  query("UPDATE `Component` SET `Condition` = 'CONSOLE_URL' WHERE `Component` = 'MachineConsoleUrl'");
  query("UPDATE `Component` SET `Condition` = 'ENROLMENT_TOKEN' WHERE `Component` = 'MachineEnrolmentToken'");
  query(
    "UPDATE `Property` SET `Value` = 'WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;CONSOLE_URL;ENROLMENT_TOKEN' WHERE `Property` = 'SecureCustomProperties'",
  );
  // After AppSearch (50), before costing; the old version goes (stopping its processes) before
  // the new one is installed; processes stop before their files are removed.
  query("UPDATE `InstallExecuteSequence` SET `Sequence` = 60 WHERE `Action` = 'KeepConsoleUrl'");
  query("UPDATE `InstallExecuteSequence` SET `Sequence` = 1410 WHERE `Action` = 'RemoveExistingProducts'");
  query("UPDATE `InstallExecuteSequence` SET `Sequence` = 3450 WHERE `Action` = 'StopAgent'");
  return { kind: 'msi', file, placeholder: payload.placeholder };
}

/** @param {string} dir @returns {string[]} */
function listFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

// ── EXE ────────────────────────────────────────────────────────────────────────────────────

/** @param {string} version @param {string} out @param {{dir: string, placeholder: boolean}} payload */
function buildExe(version, out, payload) {
  const file = path.join(out, `vigil-agent-setup-${version}-x64${payload.placeholder ? '-placeholder' : ''}.exe`);
  fs.rmSync(file, { force: true });
  run('makensis', [
    '-V2',
    `-DVERSION=${version}`,
    `-DPAYLOAD_DIR=${payload.dir}`,
    `-DOUT_FILE=${file}`,
    path.join(INSTALLERS, 'windows', 'vigil-agent.nsi'),
  ]);
  return { kind: 'exe', file, placeholder: payload.placeholder };
}

// ── main ───────────────────────────────────────────────────────────────────────────────────

function main() {
  const options = parseArgs(process.argv.slice(2));
  const version = readVersion();
  fs.mkdirSync(options.out, { recursive: true });
  const work = fs.mkdtempSync(path.join(options.out, '.work-'));
  try {
    /** @type {Array<Record<string, unknown> & { file: string }>} */
    const built = [];
    if (options.only.has('deb')) built.push(buildDeb(version, options.out, work));
    if (options.only.has('msi') || options.only.has('exe')) {
      const payload = windowsPayload(work);
      if (payload.placeholder) {
        process.stderr.write(
          `build-installers: no Windows app in installers/input/win-unpacked (or VIGIL_WIN_APP_DIR): the MSI and EXE carry a placeholder payload\n`,
        );
      }
      if (options.only.has('msi')) built.push(buildMsi(version, options.out, work, payload));
      if (options.only.has('exe')) built.push(buildExe(version, options.out, payload));
    }
    const summary = built.map((b) => ({ ...b, file: path.basename(b.file), bytes: fs.statSync(b.file).size }));
    fs.writeFileSync(
      path.join(options.out, 'installers.json'),
      `${JSON.stringify({ version, built: summary }, null, 2)}\n`,
    );
    for (const b of summary) {
      process.stdout.write(
        `${b.file}  ${(b.bytes / 1024 / 1024).toFixed(1)} MiB${b.placeholder ? '  (placeholder payload)' : ''}\n`,
      );
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`build-installers: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
