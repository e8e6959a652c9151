import path from 'node:path';
import { s3ConfigFrom, type S3BlobStoreConfig } from './blob-store/s3-config';

/** Everything the console reads from its environment, read once and validated at start. */
export interface ConsoleConfig {
  host: string;
  port: number;
  dataDir: string;
  /** SQLite file; `:memory:` for tests. Used unless `databaseUrl` is set. */
  databasePath: string;
  /** `VIGIL_DATABASE_URL` (postgres://…): the console runs on PostgreSQL instead of the SQLite file. */
  databaseUrl: string | null;
  blobDir: string;
  /** The address people and agents use to reach the console, for links and printed instructions. */
  publicUrl: string;
  /** Minutes without a heartbeat before a device counts as not reporting. */
  notReportingMinutes: number;
  /** Session cookies carry `Secure` unless the public URL is http on localhost. */
  secureCookies: boolean;
  /** A session ends after this many minutes without a request... */
  sessionIdleMinutes: number;
  /** ...and in any case this many hours after sign-in. */
  sessionMaxHours: number;
  /** Sign-in attempts per minute from one address. */
  loginRatePerMinute: number;
  /** 32 random bytes that seal secrets at rest (TOTP secrets); made on first use, mode 0600. */
  secretKeyPath: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Outgoing email (summaries and alerts); null when not configured: summaries are still built and kept. */
  smtp: SmtpConfig | null;
  /** Screenshots on an S3-compatible store (`VIGIL_S3_*`, see blob-store/s3-config.ts); null: on disk in `blobDir`. */
  s3: S3BlobStoreConfig | null;
}

/** SMTP settings: `VIGIL_SMTP_URL` (smtp:// or smtps://user:pass@host:port) or the separate variables. */
export interface SmtpConfig {
  host: string;
  port: number;
  /** true: TLS from the start (smtps, usually 465); false: STARTTLS when the server offers it. */
  secure: boolean;
  user: string | null;
  password: string | null;
  /** The From address of summaries and alerts (`VIGIL_SMTP_FROM`). */
  from: string;
}

export class ConfigError extends Error {
  readonly code = 'CONSOLE_ERR_CONFIG';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

function isLocalHttp(publicUrl: string): boolean {
  const url = new URL(publicUrl);
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ConsoleConfig {
  const port = intFrom(env, 'PORT', 8080, 0, 65535);
  const host = env.VIGIL_HOST || env.HOST || '0.0.0.0';
  const dataDir = path.resolve(cwd, env.VIGIL_DATA_DIR || 'data');
  const logLevel = (env.VIGIL_LOG_LEVEL || 'info') as ConsoleConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`VIGIL_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`);
  }
  const publicUrl = (env.VIGIL_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`VIGIL_PUBLIC_URL must be an absolute URL, not "${publicUrl}"`);
  }
  return {
    host,
    port,
    dataDir,
    databasePath: path.join(dataDir, 'vigil.sqlite'),
    databaseUrl: databaseUrlFrom(env),
    blobDir: path.join(dataDir, 'blobs'),
    publicUrl,
    secureCookies: !isLocalHttp(publicUrl),
    sessionIdleMinutes: intFrom(env, 'VIGIL_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionMaxHours: intFrom(env, 'VIGIL_SESSION_MAX_HOURS', 12, 1, 24 * 30),
    loginRatePerMinute: intFrom(env, 'VIGIL_LOGIN_RATE_PER_MINUTE', 20, 1, 10_000),
    secretKeyPath: path.join(dataDir, 'secret.key'),
    notReportingMinutes: intFrom(env, 'VIGIL_NOT_REPORTING_MINUTES', 60, 1, 60 * 24 * 30),
    logLevel,
    smtp: smtpFrom(env),
    s3: s3ConfigFrom(env),
  };
}

function databaseUrlFrom(env: NodeJS.ProcessEnv): string | null {
  const raw = env.VIGIL_DATABASE_URL;
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      'VIGIL_DATABASE_URL must be a URL such as postgres://vigil:password@db.example.org:5432/vigil',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('VIGIL_DATABASE_URL must start with postgres:// (leave it unset to use SQLite)');
  }
  return raw;
}

function smtpFrom(env: NodeJS.ProcessEnv): SmtpConfig | null {
  const from = env.VIGIL_SMTP_FROM || 'Vigil <vigil@localhost>';
  if (env.VIGIL_SMTP_URL) {
    let url: URL;
    try {
      url = new URL(env.VIGIL_SMTP_URL);
    } catch {
      throw new ConfigError('VIGIL_SMTP_URL must be a URL such as smtp://user:password@mail.example.org:587');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      throw new ConfigError('VIGIL_SMTP_URL must start with smtp:// or smtps://');
    }
    const secure = url.protocol === 'smtps:';
    return {
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      user: url.username ? decodeURIComponent(url.username) : null,
      password: url.password ? decodeURIComponent(url.password) : null,
      from,
    };
  }
  if (!env.VIGIL_SMTP_HOST) return null;
  const tls = (env.VIGIL_SMTP_TLS || 'starttls').toLowerCase();
  if (tls !== 'on' && tls !== 'starttls') throw new ConfigError('VIGIL_SMTP_TLS must be "on" (port 465) or "starttls"');
  return {
    host: env.VIGIL_SMTP_HOST,
    port: intFrom(env, 'VIGIL_SMTP_PORT', tls === 'on' ? 465 : 587, 1, 65535),
    secure: tls === 'on',
    user: env.VIGIL_SMTP_USER || null,
    password: env.VIGIL_SMTP_PASSWORD || null,
    from,
  };
}
