import path from 'node:path';
import { defaultDataDir, loadConfig, parseConsoleUrl } from './config';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({ HOME: '/home/pupil' });
    expect(config).toMatchObject({
      consoleUrl: null,
      logLevel: 'info',
      keyboardLayout: 'gb',
      heartbeatIntervalMs: 300_000,
      retryMaxMs: 300_000,
      httpTimeoutMs: 30_000,
    });
    expect(config.agentVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reads VIGIL_* variables', () => {
    const config = loadConfig({
      VIGIL_AGENT_DATA_DIR: 'rel/dir',
      VIGIL_CONSOLE_URL: 'https://vigil.example.sch.uk/',
      VIGIL_LOG_LEVEL: 'DEBUG',
      VIGIL_KEYBOARD_LAYOUT: 'us',
      VIGIL_HEARTBEAT_SECONDS: '15',
      VIGIL_RETRY_MAX_SECONDS: '20',
      VIGIL_HTTP_TIMEOUT_SECONDS: '5',
    });
    expect(config).toMatchObject({
      dataDir: path.resolve('rel/dir'),
      consoleUrl: 'https://vigil.example.sch.uk',
      logLevel: 'debug',
      keyboardLayout: 'us',
      heartbeatIntervalMs: 15_000,
      retryMaxMs: 20_000,
      httpTimeoutMs: 5_000,
    });
  });

  it('names every invalid variable at once', () => {
    expect(() =>
      loadConfig({ VIGIL_HEARTBEAT_SECONDS: '1', VIGIL_KEYBOARD_LAYOUT: 'dvorak', VIGIL_CONSOLE_URL: 'ftp://x' }),
    ).toThrow(
      expect.objectContaining({
        code: 'AGENT_ERR_CONFIG_INVALID',
        message: expect.stringMatching(
          /^(?=.*VIGIL_HEARTBEAT_SECONDS)(?=.*VIGIL_KEYBOARD_LAYOUT)(?=.*VIGIL_CONSOLE_URL)/,
        ),
      }),
    );
  });
});

describe('defaultDataDir', () => {
  it.each([
    ['linux', {}, '/home/p/.local/share/vigil-agent'],
    ['linux', { XDG_DATA_HOME: '/data/p' }, '/data/p/vigil-agent'],
    ['darwin', {}, '/home/p/Library/Application Support/Vigil Agent'],
    ['win32', { LOCALAPPDATA: 'C:\\Users\\p\\AppData\\Local' }, 'C:\\Users\\p\\AppData\\Local\\Vigil\\Agent'],
  ] as const)('%s %j', (platform, env, expected) => {
    expect(defaultDataDir(platform, env, '/home/p')).toBe(expected);
  });
});

describe('parseConsoleUrl', () => {
  it.each([
    ['https://vigil.example.sch.uk', 'https://vigil.example.sch.uk'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['https://trust.example/vigil/', 'https://trust.example/vigil'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('%s', (input, expected) => {
    expect(parseConsoleUrl(input)).toBe(expected);
  });

  it.each([
    'not a url',
    'ftp://x',
    'https://u:p@x',
    'https://x/?a=1',
    'http://vigil.example.sch.uk',
    'http://192.168.1.10:8080',
  ])('refuses %s', (input) => {
    expect(() => parseConsoleUrl(input)).toThrow(expect.objectContaining({ code: 'AGENT_ERR_USAGE' }));
  });
});
