#!/usr/bin/env node
// Makes sure the system packages the tests need are installed: installs the missing ones with
// apt-get when running as root, otherwise stops and prints the exact command to run.
// Used by `npm test` (and so by .ci/run).
import { execFileSync, spawnSync } from 'node:child_process';

/** Debian package -> why the tests need it. */
const PACKAGES = {
  xvfb: 'a virtual X display for the desktop tests',
  openbox: 'a window manager, so windows take focus as on a laptop',
  xdotool: 'real key events typed into real windows',
  xterm: 'a window to type into',
  'x11-utils': 'xprop and xwininfo, which the agent reads the focused window with (get-windows), and xmessage',
  xclip: 'the agent reads the clipboard with it; the tests copy text with it',
  'x11-xserver-utils': 'xrandr, which screenshot-desktop uses to list displays',
  imagemagick: 'import, which screenshot-desktop uses to grab the screen',
  'fonts-dejavu-core': 'a font for text on screen and on screenshot banners',
  'wbritish-large': 'the British English dictionary the keyword lists are checked against for false positives',
  chromium: 'the browser the dashboard tests drive (playwright-core) and the summary email is rendered in',
  'poppler-utils': 'pdftoppm, which renders the PDF reports and summaries to PNG for a person to look at',
  msitools: 'msiinfo, which reads the Windows MSI installer back',
  wixl: 'builds the Windows MSI installer',
  nsis: 'makensis, which builds the Windows EXE installer',
  postgresql: 'a PostgreSQL server the console repositories are also tested against (a throwaway cluster per run)',
  'p7zip-full': '7z, which lists what the Windows EXE installer carries',
};

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

if (process.platform !== 'linux') {
  console.error('ensure-system-deps: not Linux; the desktop end-to-end tests need Linux with Xvfb.');
  process.exit(0);
}
const hasDpkg = spawnSync('dpkg-query', ['--version']).status === 0;
if (!hasDpkg) {
  console.error(
    'ensure-system-deps: this is not a Debian-like system; install the equivalents of: ' +
      Object.keys(PACKAGES).join(' '),
  );
  process.exit(1);
}

const missing = Object.keys(PACKAGES).filter((p) => !installed(p));
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot) {
  console.error('The tests need these system packages:');
  for (const p of missing) console.error(`  ${p}: ${PACKAGES[p]}`);
  console.error(`\nInstall them with:\n  sudo sh -c '${command}'\n`);
  process.exit(1);
}
console.error(`ensure-system-deps: installing ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env,
});
const still = missing.filter((p) => !installed(p));
if (still.length > 0) {
  console.error(`ensure-system-deps: still missing after install: ${still.join(' ')}`);
  process.exit(1);
}
