import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, run } from '../support/processes';

/**
 * The Windows MSI and EXE as `npm run build:installers` makes them, read back with msitools and
 * 7-Zip (no Windows here: what Windows Installer would do is read from the MSI's own tables).
 */
const BUILD = path.join(REPO, 'installers', 'scripts', 'build.mjs');
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

type Row = Record<string, string>;

/** One MSI table as rows keyed by column name (`msiinfo export` writes tab-separated IDT). */
async function table(msi: string, name: string): Promise<Row[]> {
  const { stdout } = await run('msiinfo', ['export', msi, name]);
  const [header, , , ...rows] = stdout.replace(/\r/g, '').split('\n');
  const columns = (header ?? '').split('\t');
  return rows
    .filter((line) => line !== '')
    .map((line) => Object.fromEntries(line.split('\t').map((value, i) => [columns[i] ?? `#${i}`, value])));
}

describe('Windows installers (built with wixl and makensis)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-win-installers-'));
  let msi: string;
  let exe: string;

  beforeAll(async () => {
    // No Windows app folder here: the build says so and names the outputs "-placeholder".
    const { stdout, stderr } = await run('node', [BUILD, '--only', 'msi,exe', '--out', out], {
      VIGIL_WIN_APP_DIR: '',
    });
    expect(stderr).toMatch(/placeholder payload/);
    msi = path.join(out, `vigil-agent-${VERSION}-x64-placeholder.msi`);
    exe = path.join(out, `vigil-agent-setup-${VERSION}-x64-placeholder.exe`);
    expect(stdout).toContain(path.basename(msi));
    expect(stdout).toContain(path.basename(exe));
  });

  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  describe('MSI', () => {
    it('is a per-machine x64 package named and versioned from the root package.json', async () => {
      const props = Object.fromEntries((await table(msi, 'Property')).map((r) => [r.Property, r.Value]));
      expect(props.ProductName).toBe('Vigil Agent');
      expect(props.ProductVersion).toBe(VERSION);
      expect(props.ALLUSERS).toBe('1');
      const { stdout } = await run('msiinfo', ['suminfo', msi]);
      expect(stdout).toMatch(/Template: x64;/);
      expect(props.ProductLanguage).toBe('2057');
    });

    it('takes CONSOLE_URL and ENROLMENT_TOKEN from msiexec, and keeps the token out of the log', async () => {
      const props = Object.fromEntries((await table(msi, 'Property')).map((r) => [r.Property, r.Value]));
      // Public properties passed to the server side of a managed (GPO/Intune) install must be secure.
      expect(props.SecureCustomProperties?.split(';')).toEqual(
        expect.arrayContaining(['CONSOLE_URL', 'ENROLMENT_TOKEN']),
      );
      expect(props.MsiHiddenProperties?.split(';')).toContain('ENROLMENT_TOKEN');
    });

    it('writes the properties to the machine config, each only when it is given', async () => {
      const registry = await table(msi, 'Registry');
      const components = Object.fromEntries((await table(msi, 'Component')).map((r) => [r.Component, r]));
      const value = (name: string) => registry.find((r) => r.Key === 'SOFTWARE\\Vigil\\Agent' && r.Name === name);
      // Root 2 is HKEY_LOCAL_MACHINE.
      expect(value('ConsoleUrl')).toMatchObject({ Root: '2', Value: '[CONSOLE_URL]' });
      expect(value('EnrolmentToken')).toMatchObject({ Root: '2', Value: '[ENROLMENT_TOKEN]' });
      expect(components[value('ConsoleUrl')!.Component_!]?.Condition).toBe('CONSOLE_URL');
      expect(components[value('EnrolmentToken')!.Component_!]?.Condition).toBe('ENROLMENT_TOKEN');
      // 64-bit registry view (msidbComponentAttributes64bit = 256).
      expect(Number(components[value('ConsoleUrl')!.Component_!]?.Attributes) & 256).toBe(256);
    });

    it('a repair or upgrade without CONSOLE_URL keeps the machine’s console', async () => {
      const locator = (await table(msi, 'RegLocator')).find((r) => r.Key === 'SOFTWARE\\Vigil\\Agent');
      expect(locator).toMatchObject({ Root: '2', Name: 'ConsoleUrl' });
      const search = (await table(msi, 'AppSearch')).find((r) => r.Signature_ === locator!.Signature_);
      const keep = (await table(msi, 'CustomAction')).find((r) => r.Source === 'CONSOLE_URL');
      expect(keep?.Target).toBe(`[${search!.Property}]`);
      const sequence = await table(msi, 'InstallExecuteSequence');
      const at = (action: string) => Number(sequence.find((r) => r.Action === action)?.Sequence);
      const keepRow = sequence.find((r) => r.Action === keep!.Action)!;
      expect(keepRow.Condition).toBe(`NOT CONSOLE_URL AND ${search!.Property}`);
      expect(at(keep!.Action!)).toBeGreaterThan(at('AppSearch'));
      expect(at(keep!.Action!)).toBeLessThan(at('CostInitialize'));
    });

    it('starts the app at every user’s login (HKLM Run) from Program Files', async () => {
      const run = (await table(msi, 'Registry')).find(
        (r) => r.Key === 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
      );
      expect(run).toMatchObject({ Root: '2', Name: 'Vigil Agent', Value: '"[INSTALLDIR]Vigil Agent.exe" --autostart' });
      const dirs = Object.fromEntries((await table(msi, 'Directory')).map((r) => [r.Directory, r]));
      expect(dirs.INSTALLDIR).toMatchObject({ Directory_Parent: 'ProgramFiles64Folder', DefaultDir: 'Vigil Agent' });
    });

    it('stops every running copy before its files are removed, on uninstall and upgrade', async () => {
      const actions = await table(msi, 'CustomAction');
      const sequence = await table(msi, 'InstallExecuteSequence');
      const at = (action: string) => Number(sequence.find((r) => r.Action === action)?.Sequence);
      const stop = actions.find((r) => r.Target?.includes('/IM "Vigil Agent.exe"'));
      expect(stop?.Target).toBe('/F /T /IM "Vigil Agent.exe"');
      const type = Number(stop!.Type);
      // 50: run the program a property names; deferred (0x400), as LocalSystem (0x800, so it
      // reaches every user's process), and a failure (none running) does not fail the uninstall (0x40).
      expect(type & 0x3f).toBe(50);
      expect(type & 0x400).toBe(0x400);
      expect(type & 0x800).toBe(0x800);
      expect(type & 0x40).toBe(0x40);
      const finder = actions.find((r) => r.Source === stop!.Source && r.Action !== stop!.Action);
      expect(finder?.Target).toBe('[System64Folder]taskkill.exe');
      const stopRow = sequence.find((r) => r.Action === stop!.Action)!;
      expect(stopRow.Condition).toBe('Installed');
      expect(at(finder!.Action!)).toBeLessThan(at('InstallInitialize'));
      expect(at(stop!.Action!)).toBeGreaterThan(at('InstallInitialize'));
      expect(at(stop!.Action!)).toBeLessThan(at('RemoveFiles'));
      // A new version removes the old one (and so stops it) before installing.
      expect(at('RemoveExistingProducts')).toBeLessThan(at('InstallInitialize'));
      const upgrade = await table(msi, 'Upgrade');
      expect(upgrade.map((r) => r.ActionProperty)).toContain('WIX_UPGRADE_DETECTED');
    });

    it('carries the payload, here the placeholder that says it is one', async () => {
      const files = (await table(msi, 'File')).map((r) => r.FileName);
      expect(files.some((f) => f?.includes('PLACEHOLDER-electron-app-missing.txt'))).toBe(true);
      const extracted = path.join(out, 'msi-files');
      await run('msiextract', ['-C', extracted, msi]);
      const note = fs
        .readdirSync(extracted, { recursive: true, withFileTypes: true })
        .find((e) => e.name === 'PLACEHOLDER-electron-app-missing.txt');
      expect(fs.readFileSync(path.join(note!.parentPath, note!.name), 'utf8')).toMatch(/THIS IS A PLACEHOLDER/);
    });
  });

  describe('EXE', () => {
    it('is an NSIS installer with the payload, an uninstaller and the process-stopping plugin', async () => {
      const { stdout } = await run('7z', ['l', '-slt', exe]);
      expect(stdout).toMatch(/SubType = NSIS-3 Unicode/);
      const paths = [...stdout.matchAll(/^Path = (.*)$/gm)].map((m) => m[1]);
      expect(paths).toEqual(
        expect.arrayContaining(['PLACEHOLDER-electron-app-missing.txt', 'Uninstall.exe', '$PLUGINSDIR/nsExec.dll']),
      );
    });

    it('is versioned from the root package.json', async () => {
      // The version resource (VS_VERSIONINFO) is UTF-16 text in the EXE.
      const text = fs.readFileSync(exe).toString('utf16le');
      expect(text).toContain(`ProductVersion\u0000${VERSION}`);
    });
  });

  it('refuses an installer kind it does not build, building nothing', async () => {
    await expect(run('node', [BUILD, '--only', 'dmg', '--out', path.join(out, 'bad')])).rejects.toThrow(
      /--only takes deb, msi and\/or exe/,
    );
    expect(fs.existsSync(path.join(out, 'bad'))).toBe(false);
  });

  it('stages the Electron app for electron-builder: main is the shell, and it loads from its own node_modules', async () => {
    const app = path.join(out, 'electron-app');
    await run('node', [path.join(REPO, 'installers', 'scripts', 'stage-electron-app.mjs'), '--out', app], {}, 120_000);
    const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ productName: 'Vigil Agent', version: VERSION, main: 'dist/electron/main.js' });
    expect(fs.existsSync(path.join(app, 'electron-builder.yml'))).toBe(true);
    // It lives outside the repository: nothing can come from the repository's node_modules.
    const script =
      "require('./dist/daemon.js'); const { TrayShell } = require('./dist/electron/tray-shell.js'); " +
      "console.log(typeof TrayShell, require('./dist/platform/config.js').loadConfig({}).agentVersion)";
    const { stdout } = await run('sh', ['-c', 'cd "$APP" && node -e "$SCRIPT"'], { APP: app, SCRIPT: script });
    expect(stdout.trim()).toBe(`function ${VERSION}`);
  });
});
