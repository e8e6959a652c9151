import { readFileSync } from 'node:fs';
import path from 'node:path';
import { machineConfigFrom, parseRegQuery } from './machine-config';
import { autostartRegistration, desktopEntry, launchAgentPlist } from './autostart';
import { IPC, parseSubmitReport } from './ipc';
import { formatWhen } from './tray-menu';
import {
  CONTENT_SECURITY_POLICY,
  appAssetPath,
  isNavigationAllowed,
  pageUrl,
  secureWebPreferences,
} from './window-security';

describe('autostart registration per OS', () => {
  it('Windows: the Run key, HKLM for the installer and HKCU for a per-user copy, with the path quoted', () => {
    const target = {
      platform: 'win32' as const,
      executable: 'C:\\Program Files\\Vigil Agent\\Vigil Agent.exe',
      home: 'C:\\Users\\pupil',
    };
    expect(autostartRegistration({ ...target, scope: 'machine' })).toEqual({
      kind: 'registry-run',
      hive: 'HKLM',
      key: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
      name: 'Vigil Agent',
      value: '"C:\\Program Files\\Vigil Agent\\Vigil Agent.exe" --autostart',
    });
    expect(autostartRegistration({ ...target, scope: 'user' })).toMatchObject({ hive: 'HKCU' });
  });

  it('macOS: a LaunchAgent for every GUI session, kept alive', () => {
    const reg = autostartRegistration({
      platform: 'darwin',
      executable: '/Applications/Vigil Agent.app/Contents/MacOS/Vigil Agent',
      scope: 'machine',
      home: '/Users/pupil',
    });
    expect(reg).toMatchObject({ kind: 'launch-agent', file: '/Library/LaunchAgents/uk.org.vigil.agent.plist' });
    const plist = reg.kind === 'launch-agent' ? reg.plist : '';
    expect(plist).toContain('<string>/Applications/Vigil Agent.app/Contents/MacOS/Vigil Agent</string>');
    expect(plist).toMatch(/<key>RunAtLoad<\/key>\s*<true\/>/);
    expect(plist).toMatch(/<key>KeepAlive<\/key>\s*<true\/>/);
    expect(plist).toMatch(/<key>LimitLoadToSessionType<\/key>\s*<string>Aqua<\/string>/);
    expect(launchAgentPlist('/a&b<c>')).toContain('<string>/a&amp;b&lt;c&gt;</string>');
  });

  it('Linux: an XDG autostart entry, system-wide or in the user’s ~/.config/autostart', () => {
    expect(
      autostartRegistration({
        platform: 'linux',
        executable: '/opt/Vigil/vigil-agent',
        scope: 'machine',
        home: '/home/p',
      }),
    ).toMatchObject({ kind: 'xdg-autostart', file: '/etc/xdg/autostart/vigil-agent.desktop' });
    expect(
      autostartRegistration({
        platform: 'linux',
        executable: '/opt/Vigil/vigil-agent',
        scope: 'user',
        home: '/home/p',
      }),
    ).toMatchObject({ file: '/home/p/.config/autostart/vigil-agent.desktop' });
    expect(desktopEntry('/opt/Vigil/vigil-agent')).toMatch(/^Exec=\/opt\/Vigil\/vigil-agent --autostart$/m);
    expect(desktopEntry('/opt/Vigil Agent/vigil "agent"')).toMatch(
      /^Exec="\/opt\/Vigil Agent\/vigil \\"agent\\"" --autostart$/m,
    );
  });
});

describe('window security', () => {
  it('every window is isolated and sandboxed, with no Node and no webview', () => {
    expect(secureWebPreferences('/app/preload.js', { devTools: false })).toMatchObject({
      preload: '/app/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      devTools: false,
    });
  });

  it('the content security policy allows only the app’s own scripts and styles, and no network', () => {
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/connect-src 'none'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  it.each([
    ['https://example.com/', false],
    ['vigil://app/privacy.html', false],
    ['file:///etc/passwd', false],
    ['vigil://app/report.html#x', false],
    ['vigil://app/report.html', true],
  ])('the report window may navigate to %s: %s', (url, allowed) => {
    expect(isNavigationAllowed(url, 'report')).toBe(allowed);
  });

  it('the app scheme serves its pages and assets and nothing else', () => {
    expect(appAssetPath(pageUrl('support'))).toBe('support.html');
    expect(appAssetPath('vigil://app/page.js')).toBe('page.js');
    expect(appAssetPath('vigil://app/../preload.js')).toBeNull();
    expect(appAssetPath('vigil://app/%2e%2e/main.js')).toBeNull();
    expect(appAssetPath('vigil://other/page.js')).toBeNull();
    expect(appAssetPath('not a url')).toBeNull();
  });
});

describe('the bridge', () => {
  it('accepts a report as { text } only', () => {
    expect(parseSubmitReport({ text: 'hello' })).toEqual({ text: 'hello' });
    expect(parseSubmitReport({ text: 'hello', evidence: 'x' })).toBeNull();
    expect(parseSubmitReport('hello')).toBeNull();
    expect(parseSubmitReport({ text: 'x'.repeat(20_001) })).toBeNull();
  });
});

describe('times in the menu', () => {
  const now = new Date('2026-11-25T12:00:00.000Z');
  it.each([
    ['2026-11-25T11:59:30.000Z', 'just now'],
    ['2026-11-25T11:59:00.000Z', '1 minute ago'],
    ['2026-11-25T11:15:00.000Z', '45 minutes ago'],
    ['2026-11-25T09:00:00.000Z', '3 hours ago'],
    // UK time: 24 Nov 2026 is GMT, 1 Jul is BST.
    ['2026-11-24T08:05:00.000Z', '24 Nov, 08:05'],
    ['2026-07-01T08:05:00.000Z', '1 Jul, 09:05'],
  ])('%s is "%s"', (iso, text) => {
    expect(formatWhen(iso, now)).toBe(text);
  });
});

describe('machine config', () => {
  it('reads the values reg.exe prints for the installer’s key', () => {
    const output = [
      '',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Vigil\\Agent',
      '    ConsoleUrl    REG_SZ    https://vigil.oak.sch.uk',
      '    EnrolmentToken    REG_SZ    tok-123456789',
      '    Empty    REG_SZ    ',
      '    Count    REG_DWORD    0x1',
      '',
    ].join('\r\n');
    const values = parseRegQuery(output);
    expect(values.get('ConsoleUrl')).toBe('https://vigil.oak.sch.uk');
    expect(values.get('EnrolmentToken')).toBe('tok-123456789');
    expect(values.has('Count')).toBe(false);
  });

  it('checks the console URL as the agent does, and ignores a token of the wrong size', () => {
    expect(machineConfigFrom({ consoleUrl: 'https://vigil.oak.sch.uk/', enrolmentToken: 'tok-123456789' })).toEqual({
      consoleUrl: 'https://vigil.oak.sch.uk',
      enrolmentToken: 'tok-123456789',
    });
    expect(machineConfigFrom({ consoleUrl: 'https://vigil.oak.sch.uk', enrolmentToken: 'short' })).toMatchObject({
      enrolmentToken: null,
    });
    expect(machineConfigFrom({})).toBeNull();
    expect(() => machineConfigFrom({ consoleUrl: 'http://vigil.oak.sch.uk' })).toThrow(/https/);
  });
});

describe('the preload', () => {
  const source = readFileSync(path.join(__dirname, 'preload.ts'), 'utf8');

  it('requires nothing but electron at run time (sandboxed preloads cannot)', () => {
    const runtimeImports = [...source.matchAll(/^import\s+(?!type\b)[^;]*from\s+'([^']+)'/gm)].map((m) => m[1]);
    expect(runtimeImports).toEqual(['electron']);
  });

  it('uses the channels the main process listens on, and exposes one object', () => {
    for (const channel of Object.values(IPC)) expect(source).toContain(`'${channel}'`);
    expect(source.match(/exposeInMainWorld\(/g)).toHaveLength(1);
  });
});
