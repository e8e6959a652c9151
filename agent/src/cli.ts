#!/usr/bin/env node
/**
 * `npm run agent -- <command>`: enrol, run, status, test-capture. Results go to stdout (JSON
 * with --json), logs to stderr. Exit codes: 0 done, 1 failed, 2 usage.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { Value } from '@sinclair/typebox/value';
import { EnrolRequestSchema, type EnrolRequest } from '@vigil/shared';
import { BUILTIN_LIST, BUILTIN_POLICY_VERSION } from './core/builtin-list';
import { CaptureEngine } from './core/engine';
import type { KeyboardSource, Logger } from './core/ports';
import { Uploader } from './core/uploader';
import { attemptRecorder, currentUser, requireCredentials, startDaemon } from './daemon';
import { AGENT_ERRORS, AgentError, errorCode, type AgentErrorCode } from './errors';
import { ensurePrivateDir } from './platform/atomic-file';
import { systemClock } from './platform/clock.system';
import { agentPaths, loadConfig, parseConsoleUrl, type AgentConfig } from './platform/config';
import { FileCredentialsStore, type DeviceCredentials } from './platform/credentials.file';
import { createStderrLogger } from './platform/log.stderr';
import { SqliteOutbox } from './platform/outbox.sqlite';
import { NativeScreenshot } from './platform/screenshot.native';
import { FileStatusStore } from './platform/status.file';
import { HttpTransport } from './platform/transport.http';
import { unknownWindow } from './platform/window.unknown';

const USAGE = `Vigil agent

Usage: npm run agent -- <command> [options]

Commands:
  enrol --console URL --token TOKEN [--force] [--json]
                     enrol this device with a school's console (stores the device credentials)
  run                start the monitoring daemon in the foreground (Ctrl+C or SIGTERM stops it)
  status [--json]    enrolment, console, last connection, policy version, queue depth
  test-capture [--timeout SECONDS] [--json]
                     take a real screenshot, queue it as a capture (source "test") and upload it;
                     exits 0 once the console acknowledged it
  help               this text

Environment:
  VIGIL_AGENT_DATA_DIR        data dir (default ~/.local/share/vigil-agent on Linux)
  VIGIL_CONSOLE_URL           console URL for enrol when --console is not given
  VIGIL_LOG_LEVEL             debug | info | warn | error | silent (default info; logs go to stderr)
  VIGIL_KEYBOARD_LAYOUT       gb | us (default gb)
  VIGIL_HEARTBEAT_SECONDS     default 60
  VIGIL_RETRY_MAX_SECONDS     longest wait between upload retries, default 300
  VIGIL_HTTP_TIMEOUT_SECONDS  default 30
  VIGIL_CLIPBOARD             on | off: match text copied to the clipboard (default on)
  VIGIL_OCR                   on | off: match the text on screen by OCR (default on)
  VIGIL_OCR_INTERVAL_SECONDS  how often an unchanged window is read again, default 10
  VIGIL_OCR_BUDGET_SECONDS    at most one OCR per this many seconds, default 5
`;

/** Exit code and, when it failed, why. */
class CliFailure extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

interface ParsedArgs {
  command: string | undefined;
  flags: Map<string, string | true>;
}

const FLAGS: Readonly<Record<string, { value: boolean; commands: readonly string[] }>> = {
  console: { value: true, commands: ['enrol'] },
  token: { value: true, commands: ['enrol'] },
  force: { value: false, commands: ['enrol'] },
  timeout: { value: true, commands: ['test-capture'] },
  json: { value: false, commands: ['enrol', 'status', 'test-capture'] },
  help: { value: false, commands: ['enrol', 'run', 'status', 'test-capture', 'help'] },
};

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = match?.[1];
    const spec = name === undefined ? undefined : FLAGS[name];
    if (!match || name === undefined || !spec || (command !== undefined && !spec.commands.includes(command))) {
      throw new CliFailure(
        'AGENT_ERR_USAGE',
        `Unknown argument "${arg}" for "${command ?? ''}". ${AGENT_ERRORS.AGENT_ERR_USAGE}`,
        2,
      );
    }
    if (!spec.value) {
      flags.set(name, true);
      continue;
    }
    const value = match[2] ?? rest[++i];
    if (value === undefined || value === '') {
      throw new CliFailure('AGENT_ERR_USAGE', `--${name} needs a value.`, 2);
    }
    flags.set(name, value);
  }
  return { command, flags };
}

const flagString = (args: ParsedArgs, name: string): string | undefined => {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
};

function print(args: ParsedArgs, json: unknown, text: string): void {
  process.stdout.write(args.flags.has('json') ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
}

// ── enrol ──────────────────────────────────────────────────────────────────────────────────

async function enrol(config: AgentConfig, args: ParsedArgs, log: Logger): Promise<void> {
  const consoleArg = flagString(args, 'console') ?? config.consoleUrl;
  const token = flagString(args, 'token');
  if (!consoleArg || !token) {
    throw new CliFailure('AGENT_ERR_USAGE', 'enrol needs --console URL and --token TOKEN.', 2);
  }
  const consoleUrl = parseConsoleUrl(consoleArg);
  const paths = agentPaths(config.dataDir);
  const store = new FileCredentialsStore(paths.credentials);
  let existing: DeviceCredentials | undefined;
  try {
    existing = await store.read();
  } catch (error) {
    if (errorCode(error) !== 'AGENT_ERR_CREDENTIALS_INVALID') throw error;
    log.warn('enrol.replacing_unreadable_credentials', { code: 'AGENT_ERR_CREDENTIALS_INVALID' });
  }
  if (existing && !args.flags.has('force')) {
    throw new CliFailure(
      'AGENT_ERR_ALREADY_ENROLLED',
      `This device is already enrolled as ${existing.deviceId} with ${existing.consoleUrl} (${existing.schoolName}). Pass --force to enrol it again.`,
    );
  }
  const request: EnrolRequest = {
    token,
    hostname: os.hostname().slice(0, 255) || 'unknown',
    os: process.platform,
    osVersion: os.release().slice(0, 200),
    agentVersion: config.agentVersion,
  };
  if (!Value.Check(EnrolRequestSchema, request)) {
    throw new CliFailure('AGENT_ERR_USAGE', 'The enrolment token must be 8 to 200 characters.', 2);
  }

  await ensurePrivateDir(config.dataDir);
  const status = new FileStatusStore(paths.status);
  const transport = new HttpTransport({ consoleUrl, timeoutMs: config.httpTimeoutMs });
  const result = await transport.enrol(request);
  const at = new Date().toISOString();
  if (result.kind !== 'ok') {
    await status.update({
      lastAttempt: { at, call: 'enrol', ok: false, code: result.code, httpStatus: result.httpStatus },
    });
    const detail = [result.httpStatus && `HTTP ${result.httpStatus}`, 'consoleCode' in result && result.consoleCode]
      .filter(Boolean)
      .join(', ');
    throw new CliFailure(
      result.code,
      `${AGENT_ERRORS[result.code]}${detail ? ` (${detail})` : ''} Console: ${consoleUrl}`,
    );
  }
  const credentials: DeviceCredentials = { ...result.value, consoleUrl, enrolledAt: at };
  await store.write(credentials);
  await status.update({
    lastAttempt: { at, call: 'enrol', ok: true, code: null, httpStatus: 201 },
    lastSuccessAt: at,
    consolePolicyVersion: null,
  });
  log.info('enrol.done', { deviceId: credentials.deviceId, schoolId: credentials.schoolId });
  print(
    args,
    { deviceId: credentials.deviceId, schoolId: credentials.schoolId, schoolName: credentials.schoolName, consoleUrl },
    `Enrolled as device ${credentials.deviceId} in ${credentials.schoolName} (${consoleUrl}).\nStart monitoring with: npm run agent -- run`,
  );
}

// ── run ────────────────────────────────────────────────────────────────────────────────────

async function run(config: AgentConfig, log: Logger): Promise<void> {
  process.on('unhandledRejection', (reason) => log.error('process.unhandled_rejection', { code: errorCode(reason) }));
  const daemon = await startDaemon(config, { log });
  await new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals): void => {
      log.info('daemon.stopping', { signal });
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      daemon.stop().then(resolve, (error: unknown) => {
        log.error('daemon.stop_failed', { code: errorCode(error) });
        resolve();
      });
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}

// ── status ─────────────────────────────────────────────────────────────────────────────────

export interface StatusReport {
  agentVersion: string;
  dataDir: string;
  enrolled: boolean;
  deviceId: string | null;
  schoolId: string | null;
  schoolName: string | null;
  consoleUrl: string | null;
  enrolledAt: string | null;
  /** Whether an agent daemon (`run`) is running for this data dir, and whether it hears keys. */
  running: boolean;
  keyboard: 'listening' | 'unavailable' | 'stopped';
  connection: {
    state: 'ok' | 'failing' | 'unknown';
    lastAttemptAt: string | null;
    call: string | null;
    code: string | null;
    httpStatus: number | null;
    lastSuccessAt: string | null;
  };
  policyVersion: string;
  consolePolicyVersion: string | null;
  queueDepth: number;
  setAside: number;
  lastCaptureAt: string | null;
}

async function status(config: AgentConfig, args: ParsedArgs): Promise<void> {
  const paths = agentPaths(config.dataDir);
  const credentials = await new FileCredentialsStore(paths.credentials).read();
  const saved = await new FileStatusStore(paths.status).read();
  let queueDepth = 0;
  let setAside = 0;
  if (existsSync(paths.outbox)) {
    const outbox = SqliteOutbox.open(paths.outbox);
    try {
      queueDepth = await outbox.depth();
      setAside = await outbox.setAsideCount();
    } finally {
      await outbox.close();
    }
  }
  const last = saved.lastAttempt;
  const running = saved.daemonPid !== null && isAlive(saved.daemonPid);
  const report: StatusReport = {
    agentVersion: config.agentVersion,
    dataDir: config.dataDir,
    enrolled: credentials !== undefined,
    deviceId: credentials?.deviceId ?? null,
    schoolId: credentials?.schoolId ?? null,
    schoolName: credentials?.schoolName ?? null,
    consoleUrl: credentials?.consoleUrl ?? null,
    enrolledAt: credentials?.enrolledAt ?? null,
    running,
    keyboard: running ? (saved.keyboard ?? 'unavailable') : 'stopped',
    connection: {
      state: last === null ? 'unknown' : last.ok ? 'ok' : 'failing',
      lastAttemptAt: last?.at ?? null,
      call: last?.call ?? null,
      code: last?.code ?? null,
      httpStatus: last?.httpStatus ?? null,
      lastSuccessAt: saved.lastSuccessAt,
    },
    policyVersion: BUILTIN_POLICY_VERSION,
    consolePolicyVersion: saved.consolePolicyVersion,
    queueDepth,
    setAside,
    lastCaptureAt: saved.lastCaptureAt,
  };
  const c = report.connection;
  const connection =
    c.state === 'unknown'
      ? 'no attempt yet'
      : c.state === 'ok'
        ? `ok (${c.call} at ${c.lastAttemptAt})`
        : `failing: ${c.code}${c.httpStatus ? ` (HTTP ${c.httpStatus})` : ''} on ${c.call} at ${c.lastAttemptAt}` +
          (c.lastSuccessAt ? `; last success ${c.lastSuccessAt}` : '');
  const lines = [
    `Vigil agent ${report.agentVersion}`,
    `Enrolled:       ${credentials ? `yes, device ${credentials.deviceId} in ${credentials.schoolName} (since ${credentials.enrolledAt})` : 'no (run: npm run agent -- enrol --console URL --token TOKEN)'}`,
    `Console:        ${report.consoleUrl ?? '-'}`,
    `Agent:          ${running ? `running (pid ${saved.daemonPid}), keyboard ${report.keyboard}` : 'not running (start it with: npm run agent -- run)'}`,
    `Connection:     ${connection}`,
    `Policy version: ${report.policyVersion}${report.consolePolicyVersion ? ` (console has ${report.consolePolicyVersion})` : ''}`,
    `Queue depth:    ${report.queueDepth}${report.setAside ? ` (${report.setAside} set aside)` : ''}`,
    `Last capture:   ${report.lastCaptureAt ?? '-'}`,
    `Data dir:       ${report.dataDir}`,
  ];
  print(args, report, lines.join('\n'));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}

// ── test-capture ───────────────────────────────────────────────────────────────────────────

const NO_KEYBOARD: KeyboardSource = { start: () => Promise.resolve(), stop: () => Promise.resolve() };

async function testCapture(config: AgentConfig, args: ParsedArgs, log: Logger): Promise<void> {
  const timeoutArg = flagString(args, 'timeout');
  const timeoutSeconds = timeoutArg === undefined ? 30 : Number(timeoutArg);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 3600) {
    throw new CliFailure('AGENT_ERR_USAGE', '--timeout must be a number of seconds from 1 to 3600.', 2);
  }
  const credentials = await requireCredentials(config);
  const paths = agentPaths(config.dataDir);
  const clock = systemClock;
  const status = new FileStatusStore(paths.status);
  const outbox = SqliteOutbox.open(paths.outbox);
  try {
    const transport = new HttpTransport({
      consoleUrl: credentials.consoleUrl,
      device: credentials,
      timeoutMs: Math.min(config.httpTimeoutMs, timeoutSeconds * 1000),
    });
    const engine = new CaptureEngine({
      keywords: BUILTIN_LIST,
      policyVersion: BUILTIN_POLICY_VERSION,
      deviceId: credentials.deviceId,
      deviceLabel: os.hostname(),
      user: currentUser(),
      keyboard: NO_KEYBOARD,
      screenshot: new NativeScreenshot(),
      activeWindow: unknownWindow,
      outbox,
      clock,
      log,
    });
    let id: string;
    try {
      const metadata = await engine.captureTest();
      id = metadata.id;
      await status.update({ lastCaptureAt: metadata.capturedAt });
    } catch (error) {
      const code = errorCode(error);
      const hint =
        process.platform === 'linux' && !process.env.DISPLAY
          ? ' DISPLAY is not set: run it in the desktop session.'
          : '';
      throw new CliFailure(code, `${error instanceof Error ? error.message : AGENT_ERRORS[code]}${hint}`);
    }

    const uploader = new Uploader({
      outbox,
      transport,
      clock,
      random: Math.random,
      log,
      backoff: { baseMs: 1_000, maxMs: 5_000 },
      onAttempt: attemptRecorder(status),
    });
    const deadline = clock.now() + timeoutSeconds * 1000;
    for (;;) {
      const item = await outbox.get(id);
      if (!item) {
        if ((await outbox.state(id)) === 'set-aside') {
          throw new CliFailure(
            'AGENT_ERR_TEST_CAPTURE_FAILED',
            `Test capture ${id} was refused by the console and set aside.`,
          );
        }
        // Another agent process (the daemon) uploaded it first.
        print(
          args,
          { id, acknowledged: true, duplicate: true },
          `Test capture ${id} acknowledged by ${credentials.consoleUrl}.`,
        );
        return;
      }
      const outcome = await uploader.send(item);
      if (outcome.kind === 'acked') {
        print(
          args,
          { id, acknowledged: true, duplicate: outcome.duplicate },
          `Test capture ${id} acknowledged by ${credentials.consoleUrl}${outcome.duplicate ? ' (already stored)' : ''}.`,
        );
        return;
      }
      if (outcome.kind === 'set-aside' || outcome.kind === 'paused') {
        throw new CliFailure(
          outcome.code === 'AGENT_ERR_DEVICE_UNAUTHORISED'
            ? 'AGENT_ERR_DEVICE_UNAUTHORISED'
            : 'AGENT_ERR_TEST_CAPTURE_FAILED',
          `Test capture ${id} was not accepted: ${outcome.code}. ${AGENT_ERRORS[asCode(outcome.code)]}`,
        );
      }
      if (outcome.until >= deadline) {
        throw new CliFailure(
          'AGENT_ERR_TEST_CAPTURE_FAILED',
          `Test capture ${id} was not acknowledged within ${timeoutSeconds} s: ${outcome.code}. ${AGENT_ERRORS[asCode(outcome.code)]} ` +
            'It stays queued; `npm run agent -- run` uploads it when the console is reachable.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, outcome.until - clock.now())));
    }
  } finally {
    await status.update({});
    await outbox.close();
  }
}

function asCode(code: string): AgentErrorCode {
  return code in AGENT_ERRORS ? (code as AgentErrorCode) : 'AGENT_ERR_INTERNAL';
}

// ── main ───────────────────────────────────────────────────────────────────────────────────

export async function main(argv: readonly string[]): Promise<number> {
  let args: ParsedArgs = { command: undefined, flags: new Map() };
  try {
    args = parseArgs(argv);
    if (args.command === undefined || args.command === 'help' || args.command === '--help' || args.flags.has('help')) {
      process.stdout.write(USAGE);
      return args.command === undefined ? 2 : 0;
    }
    const config = loadConfig();
    const log = createStderrLogger(config.logLevel);
    switch (args.command) {
      case 'enrol':
        await enrol(config, args, log);
        return 0;
      case 'run':
        await run(config, log);
        return 0;
      case 'status':
        await status(config, args);
        return 0;
      case 'test-capture':
        await testCapture(config, args, log);
        return 0;
      default:
        throw new CliFailure(
          'AGENT_ERR_USAGE',
          `Unknown command "${args.command}". ${AGENT_ERRORS.AGENT_ERR_USAGE}`,
          2,
        );
    }
  } catch (error) {
    const failure =
      error instanceof CliFailure
        ? error
        : error instanceof AgentError
          ? new CliFailure(error.code, error.message, error.code === 'AGENT_ERR_USAGE' ? 2 : 1)
          : new CliFailure(
              'AGENT_ERR_INTERNAL',
              `${AGENT_ERRORS.AGENT_ERR_INTERNAL}${error instanceof Error ? ` (${error.name}: ${error.message})` : ''}`,
            );
    if (args.flags.has('json')) {
      process.stdout.write(`${JSON.stringify({ code: failure.code, message: failure.message }, null, 2)}\n`);
    }
    process.stderr.write(`vigil-agent: ${failure.code}: ${failure.message}\n`);
    return failure.exitCode;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 1;
    },
  );
}
