import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDesktop, type Desktop } from '../support/desktop';
import { REPO, run, sleep, waitFor } from '../support/processes';
import { capturesOf, startConsole, type RunningConsole } from '../support/vigil';

/**
 * The .deb as a school's IT admin uses it: built by `npm run build:installers`, installed as root
 * with the console and enrolment token in the environment, started by the desktop session's
 * autostart entry as an ordinary user (not root) on a real X display, a phrase typed, the capture
 * read back from the real console; then removed and purged, leaving nothing running or installed.
 */
const BUILD = path.join(REPO, 'installers', 'scripts', 'build.mjs');
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** The desktop user: nobody, with a home of its own for the test. */
const USER = { name: 'nobody', uid: 65534, gid: 65534 };
const PREFIX = '/opt/vigil-agent';

if (!isRoot) {
  console.warn(
    'SKIPPED: the .deb install test installs a system package with dpkg and must run as root ' +
      '(CI runs it as root; locally: sudo npx jest src/installers/deb-install.e2e.test.ts in test/).',
  );
}
const describeAsRoot = isRoot ? describe : describe.skip;

/** Programs running as the desktop user, and any process running the package's Node runtime. */
function vigilProcesses(): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const exe = fs.readlinkSync(`/proc/${pid}/exe`);
      const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      if (exe.startsWith(PREFIX) || uid === USER.uid) {
        found.push(`${pid} ${exe} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
      }
    } catch {
      // gone, or a kernel thread
    }
  }
  return found;
}

const installed = async (): Promise<boolean> => {
  const { stdout } = await run('dpkg-query', ['-W', '-f=${db:Status-Status}', 'vigil-agent']).catch(() => ({
    stdout: '',
  }));
  return stdout.trim() === 'installed';
};

describeAsRoot('the .deb on a Linux laptop', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-deb-'));
  const home = path.join(work, 'home');
  let deb: string;
  let desktop: Desktop;
  let server: RunningConsole;
  let session: ChildProcess | undefined;
  let sessionOutput = '';

  const sessionEnv = () => ({
    HOME: home,
    USER: USER.name,
    LOGNAME: USER.name,
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    DISPLAY: desktop.display,
  });
  /** A command as the desktop user would run it in their session. */
  const asUser = (file: string, args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(file, args, { uid: USER.uid, gid: USER.gid, env: sessionEnv() });
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} exited ${code}: ${err}`))));
    });

  beforeAll(async () => {
    if (await installed()) {
      throw new Error(
        'vigil-agent is already installed on this machine; this test installs and purges it: run dpkg -P vigil-agent first',
      );
    }
    fs.mkdirSync(home, { mode: 0o700 });
    fs.chownSync(home, USER.uid, USER.gid);
    fs.chmodSync(work, 0o755);
    const out = path.join(work, 'out');
    await run('node', [BUILD, '--only', 'deb', '--out', out], {}, 180_000);
    deb = path.join(out, `vigil-agent_${VERSION}_amd64.deb`);
    [desktop, server] = await Promise.all([startDesktop(1280, 800), startConsole(path.join(work, 'console'))]);
  }, 240_000);

  afterAll(async () => {
    session?.kill('SIGKILL');
    // When an assertion failed before the package was removed: end what this test started
    // (the session's agent and its key helper run as the desktop user).
    for (const line of vigilProcesses()) {
      try {
        process.kill(Number(line.split(' ')[0]), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    // Never leave the package on the machine, whatever happened above.
    await run('dpkg', ['-P', 'vigil-agent']).catch(() => undefined);
    await server?.stop();
    await desktop?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('refuses a console URL that is not https before installing anything', async () => {
    await expect(
      run('dpkg', ['-i', deb], {
        VIGIL_CONSOLE_URL: 'http://vigil.example.sch.uk',
        VIGIL_ENROLMENT_TOKEN: 'x'.repeat(20),
      }),
    ).rejects.toThrow(/VIGIL_CONSOLE_URL must start with https:\/\/.*Nothing was installed/s);
    expect(await installed()).toBe(false);
    expect(fs.existsSync(PREFIX)).toBe(false);
    expect(fs.existsSync('/etc/vigil')).toBe(false);
  });

  it('installs, enrols from the environment, starts in a desktop session, captures, and is removed cleanly', async () => {
    const school = await server.createSchool('Elm Primary');
    const { stderr } = await run('dpkg', ['-i', deb], {
      VIGIL_CONSOLE_URL: server.url,
      VIGIL_ENROLMENT_TOKEN: school.enrolmentToken,
    });
    expect(await installed()).toBe(true);
    // The install enrolled this machine once with the school's console.
    expect(stderr).toMatch(/enrolled this machine as device \S+ in Elm Primary/);
    expect(stderr).not.toContain(school.enrolmentToken);
    const devices = JSON.parse(await server.cli('list-devices', '--school', school.id, '--json')) as { id: string }[];
    expect(devices).toHaveLength(1);

    // Machine config: the console, and no token once it has been used.
    const config = JSON.parse(fs.readFileSync('/etc/vigil/agent.json', 'utf8')) as Record<string, unknown>;
    expect(config).toEqual({ consoleUrl: server.url });
    // The bundled runtime and the agent's command line.
    expect(fs.statSync(`${PREFIX}/node/bin/node`).mode & 0o111).not.toBe(0);
    expect((await run('/usr/bin/vigil-agent', ['help'])).stdout).toMatch(/Vigil agent/);
    // Autostart for every desktop user.
    const entry = fs.readFileSync('/etc/xdg/autostart/vigil-agent.desktop', 'utf8');
    expect(entry).toMatch(/^Type=Application$/m);
    const exec = /^Exec=(.*)$/m.exec(entry)?.[1];
    expect(exec).toBe(`${PREFIX}/bin/vigil-agent-session`);

    // Log in: the session runs the autostart entry as the user.
    session = spawn(exec!, [], { uid: USER.uid, gid: USER.gid, env: sessionEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    session.stdout!.on('data', (b: Buffer) => (sessionOutput = (sessionOutput + b.toString()).slice(-20_000)));
    session.stderr!.on('data', (b: Buffer) => (sessionOutput = (sessionOutput + b.toString()).slice(-20_000)));
    const status = await waitFor(
      'the agent to listen to the keyboard',
      async () => {
        if (session!.exitCode !== null) throw new Error(`the session exited:\n${sessionOutput}`);
        const report = JSON.parse(await asUser('/usr/bin/vigil-agent', ['status', '--json'])) as {
          running: boolean;
          keyboard: string;
          deviceId: string;
        };
        return report.running && report.keyboard === 'listening' ? report : undefined;
      },
      45_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nsession output:\n${sessionOutput}`);
    });
    // The session took the machine's enrolment: the same device, no second one.
    expect(status.deviceId).toBe(devices[0]!.id);

    const terminal = await desktop.openTerminal('Vigil deb terminal');
    await desktop.type(terminal, 'echo i want to kill myself\n');
    const captures = await waitFor(
      'the capture to reach the console',
      async () => {
        const found = capturesOf(await server.exportCaptures(school.id), 'kill myself');
        return found.length > 0 ? found : undefined;
      },
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nsession output:\n${sessionOutput}`);
    });
    expect(captures[0]).toMatchObject({ source: 'typed', user: USER.name, deviceId: devices[0]!.id });

    // Remove: every agent stops, the program and its autostart entry go.
    expect(vigilProcesses().length).toBeGreaterThan(0);
    await run('dpkg', ['-r', 'vigil-agent']);
    await waitFor(
      'the session to end',
      async () => (session!.exitCode !== null || session!.signalCode !== null ? true : undefined),
      5_000,
    );
    await sleep(500);
    expect(vigilProcesses()).toEqual([]);
    for (const gone of [
      PREFIX,
      '/usr/bin/vigil-agent',
      '/usr/sbin/vigil-agent-setup',
      '/etc/xdg/autostart/vigil-agent.desktop',
    ]) {
      expect(fs.existsSync(gone)).toBe(false);
    }
    // remove keeps the machine's config and enrolment (a reinstall carries on as the same
    // device); purge removes them too.
    expect(fs.existsSync('/etc/vigil/agent.json')).toBe(true);
    await run('dpkg', ['-P', 'vigil-agent']);
    expect(fs.existsSync('/etc/vigil')).toBe(false);
    expect(fs.existsSync('/var/lib/vigil-agent')).toBe(false);
    const { stdout } = await run('dpkg-query', ['-W', '-f=${db:Status-Abbrev}', 'vigil-agent']).catch(() => ({
      stdout: '',
    }));
    expect(stdout.trim()).not.toMatch(/^[ir]/);
  });

  it('enrols from /etc/vigil/agent.json written by the admin before the install', async () => {
    const school = await server.createSchool('Ash High');
    fs.mkdirSync('/etc/vigil', { recursive: true });
    fs.writeFileSync(
      '/etc/vigil/agent.json',
      JSON.stringify({ consoleUrl: server.url, enrolmentToken: school.enrolmentToken, ocr: false }),
    );
    const { stderr } = await run('dpkg', ['-i', deb]);
    expect(stderr).toMatch(/enrolled this machine as device \S+ in Ash High/);
    const devices = JSON.parse(await server.cli('list-devices', '--school', school.id, '--json')) as unknown[];
    expect(devices).toHaveLength(1);
    // The admin's other settings stay; the token, once used, goes.
    expect(JSON.parse(fs.readFileSync('/etc/vigil/agent.json', 'utf8'))).toEqual({
      consoleUrl: server.url,
      ocr: false,
    });
    await run('dpkg', ['-P', 'vigil-agent']);
    expect(fs.existsSync('/etc/vigil')).toBe(false);
  });
});
