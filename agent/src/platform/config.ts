import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentError } from '../errors';
import { KEYBOARD_LAYOUTS, type KeyboardLayout } from '../core/typed-text';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SWITCH = ['on', 'off'] as const;

/** Everything the agent reads from its environment, read once at start and validated. */
export interface AgentConfig {
  /** VIGIL_AGENT_DATA_DIR: credentials, outbox and status live here. */
  dataDir: string;
  /** VIGIL_CONSOLE_URL: the console to enrol with when `enrol` is given no --console. */
  consoleUrl: string | null;
  /** VIGIL_LOG_LEVEL: debug | info | warn | error | silent (default info). Logs go to stderr. */
  logLevel: LogLevel;
  /** VIGIL_KEYBOARD_LAYOUT: gb | us (default gb), how key positions become characters. */
  keyboardLayout: KeyboardLayout;
  /** VIGIL_HEARTBEAT_SECONDS: 5…86400 (default 300, every 5 minutes). */
  heartbeatIntervalMs: number;
  /** VIGIL_RETRY_MAX_SECONDS: the longest wait between upload retries, 1…3600 (default 300). */
  retryMaxMs: number;
  /** VIGIL_HTTP_TIMEOUT_SECONDS: 1…600 (default 30). */
  httpTimeoutMs: number;
  /** From agent/package.json. */
  agentVersion: string;
  /** The capture sources besides the keyboard (the active window's title and URL are always read). */
  sources: SourceConfig;
}

export interface SourceConfig {
  /** VIGIL_CLIPBOARD: on | off (default on). */
  clipboard: boolean;
  /** VIGIL_OCR: on | off (default on): the text on screen, by OCR. */
  ocr: boolean;
  /** VIGIL_OCR_INTERVAL_SECONDS: 1…3600 (default 10), how often an unchanged active window is looked at again. */
  ocrIntervalMs: number;
  /** VIGIL_OCR_BUDGET_SECONDS: 1…3600 (default 5), the CPU budget: at most one OCR per this many seconds. */
  ocrBudgetMs: number;
}

/** Where each file lives in the data dir. */
export interface AgentPaths {
  credentials: string;
  outbox: string;
  status: string;
  /** The last good policy from the console. */
  policy: string;
  /** Helper binaries the agent had to copy to make executable (Linux key listener). */
  bin: string;
}

export function agentPaths(dataDir: string): AgentPaths {
  return {
    credentials: path.join(dataDir, 'credentials.json'),
    // The queue's format version is in its name: an agent that cannot read a newer queue leaves it alone.
    outbox: path.join(dataDir, 'outbox.v1.sqlite'),
    status: path.join(dataDir, 'status.json'),
    policy: path.join(dataDir, 'policy.json'),
    bin: path.join(dataDir, 'bin'),
  };
}

/** A per-user data dir that follows each platform's convention. */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'win32') {
    return path.win32.join(env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local'), 'Vigil', 'Agent');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Vigil Agent');
  const xdgData =
    env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(xdgData, 'vigil-agent');
}

/** A console base URL: http(s), no credentials, no query; returned without a trailing slash. */
export function parseConsoleUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AgentError(
      'AGENT_ERR_USAGE',
      `"${value}" is not a URL: give the console's address, e.g. https://vigil.example.sch.uk`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AgentError(
      'AGENT_ERR_USAGE',
      'The console URL must start with https:// (or http:// for a local test console).',
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new AgentError('AGENT_ERR_USAGE', 'The console URL must not carry credentials, a query or a fragment.');
  }
  // Captures are evidence about children: they travel over HTTPS. Plain HTTP only to this machine.
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new AgentError(
      'AGENT_ERR_USAGE',
      `The console URL must use https:// (plain http:// is allowed only for a console on this machine, not ${url.hostname}).`,
    );
  }
  return url.toString().replace(/\/+$/, '');
}

/** localhost, 127.0.0.0/8 or ::1. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const problems: string[] = [];

  const intSeconds = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback * 1000;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number of seconds from ${min} to ${max}`);
      return fallback * 1000;
    }
    return value * 1000;
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const found = allowed.find((a) => a === raw.toLowerCase());
    if (found === undefined) problems.push(`${name} must be one of ${allowed.join(', ')}`);
    return found ?? fallback;
  };

  const dataDirRaw = env.VIGIL_AGENT_DATA_DIR;
  const dataDir = dataDirRaw ? path.resolve(dataDirRaw) : defaultDataDir(process.platform, env);

  let consoleUrl: string | null = null;
  if (env.VIGIL_CONSOLE_URL) {
    try {
      consoleUrl = parseConsoleUrl(env.VIGIL_CONSOLE_URL);
    } catch (error) {
      problems.push(`VIGIL_CONSOLE_URL: ${error instanceof Error ? error.message.replace(/\.$/, '') : 'invalid'}`);
    }
  }

  const config: AgentConfig = {
    dataDir,
    consoleUrl,
    logLevel: oneOf('VIGIL_LOG_LEVEL', LOG_LEVELS, 'info'),
    keyboardLayout: oneOf('VIGIL_KEYBOARD_LAYOUT', KEYBOARD_LAYOUTS, 'gb'),
    heartbeatIntervalMs: intSeconds('VIGIL_HEARTBEAT_SECONDS', 300, 5, 86_400),
    retryMaxMs: intSeconds('VIGIL_RETRY_MAX_SECONDS', 300, 1, 3_600),
    httpTimeoutMs: intSeconds('VIGIL_HTTP_TIMEOUT_SECONDS', 30, 1, 600),
    agentVersion: readAgentVersion(),
    sources: {
      clipboard: oneOf('VIGIL_CLIPBOARD', SWITCH, 'on') === 'on',
      ocr: oneOf('VIGIL_OCR', SWITCH, 'on') === 'on',
      ocrIntervalMs: intSeconds('VIGIL_OCR_INTERVAL_SECONDS', 10, 1, 3_600),
      ocrBudgetMs: intSeconds('VIGIL_OCR_BUDGET_SECONDS', 5, 1, 3_600),
    },
  };
  if (problems.length > 0) {
    throw new AgentError('AGENT_ERR_CONFIG_INVALID', `Invalid configuration: ${problems.join('; ')}.`);
  }
  return config;
}

/** agent/package.json sits two levels above this file in both src/ and dist/. */
function readAgentVersion(): string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') {
      return parsed.version;
    }
  } catch {
    // fall through
  }
  return '0.0.0';
}
