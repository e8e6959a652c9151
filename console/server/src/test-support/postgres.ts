import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temp dir as the `postgres` user, started
 * with `pg_ctl` on a free port with its unix socket in /tmp (no TCP listener), removed by `stop()`.
 * Each `createDatabase()` is a fresh, empty database in it.
 */
export interface PostgresCluster {
  /** A new empty database; returns its connection URL (unix socket). */
  createDatabase(): Promise<string>;
  /** The URL of the cluster's `postgres` database (for creating more databases from elsewhere). */
  adminUrl: string;
  stop(): Promise<void>;
}

const PG_ROOTS = ['/usr/lib/postgresql'];

/** The directory holding initdb/pg_ctl/postgres, newest version first; null when PostgreSQL is not installed. */
export function postgresBinDir(): string | null {
  for (const root of PG_ROOTS) {
    if (!fs.existsSync(root)) continue;
    const versions = fs
      .readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const bin = path.join(root, v, 'bin');
      if (['initdb', 'pg_ctl', 'postgres'].every((b) => fs.existsSync(path.join(bin, b)))) return bin;
    }
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary as the postgres user when we are root (initdb refuses to run as root). */
function asPostgres(bin: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

/** Starts a cluster, or returns null when the PostgreSQL binaries are absent. */
export async function startPostgres(): Promise<PostgresCluster | null> {
  const bin = postgresBinDir();
  if (!bin) return null;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-pg-'));
  const dataDir = path.join(base, 'data');
  const socketDir = path.join(base, 'sock');
  fs.mkdirSync(socketDir);
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', base]);
  fs.chmodSync(base, 0o755);
  const port = await freePort();
  asPostgres(path.join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  const options = `-p ${port} -k ${socketDir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  asPostgres(path.join(bin, 'pg_ctl'), [
    '-D',
    dataDir,
    '-o',
    options,
    '-l',
    path.join(base, 'log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);
  const url = (db: string) => `postgres://postgres@localhost:${port}/${db}?host=${encodeURIComponent(socketDir)}`;
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  let n = 0;
  return {
    adminUrl: url('postgres'),
    async createDatabase() {
      n += 1;
      const name = `vigil_test_${n}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return url(name);
    },
    async stop() {
      await admin.end().catch(() => undefined);
      try {
        asPostgres(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    },
  };
}
