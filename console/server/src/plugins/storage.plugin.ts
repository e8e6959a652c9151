import fp from 'fastify-plugin';
import { ConfigError, type ConsoleConfig } from '../config';
import type { Clock } from '../clock';
import { openConsoleDatabase, type ConsoleDatabase, type Db } from '../db/database';
import type { BlobStore, BlobStoreLog } from '../blob-store/blob-store';
import { openBlobStore } from '../blob-store/open-blob-store';
import { SchoolsRepository } from '../repositories/schools.repository';
import { DevicesRepository } from '../repositories/devices.repository';
import { CapturesRepository } from '../repositories/captures.repository';
import { UsersRepository } from '../repositories/users.repository';
import { SessionsRepository } from '../repositories/sessions.repository';
import { AuditRepository } from '../repositories/audit.repository';
import { SecretBox } from '../services/secret-box';

export interface Repositories {
  schools: SchoolsRepository;
  devices: DevicesRepository;
  captures: CapturesRepository;
  users: UsersRepository;
  sessions: SessionsRepository;
  audit: AuditRepository;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: ConsoleConfig;
    clock: Clock;
    /** The database chosen by config (SQLite or PostgreSQL) and Kysely over it. */
    database: ConsoleDatabase;
    /** SQLite only: the raw connection, for code not yet on Kysely (see docs/DESIGN.md). */
    db: Db;
    repos: Repositories;
    blobs: BlobStore;
    secrets: SecretBox;
  }
}

export interface StorageOptions {
  config: ConsoleConfig;
  clock: Clock;
  blobStore?: BlobStore;
}

export function repositoriesFor(database: ConsoleDatabase): Repositories {
  const db = database.kysely;
  return {
    schools: new SchoolsRepository(db),
    devices: new DevicesRepository(db),
    captures: new CapturesRepository(db),
    users: new UsersRepository(db),
    sessions: new SessionsRepository(db),
    audit: new AuditRepository(db),
  };
}

/** Stores not yet on Kysely: they run on the raw SQLite connection (see docs/DESIGN.md, data access). */
export const STILL_ON_SQLITE = ['summaries and alerts'] as const;

/**
 * The raw SQLite connection, for the repositories not yet on Kysely (see docs/DESIGN.md, data
 * access). On PostgreSQL there is none, and those repositories cannot run.
 */
export function sqliteOf(database: ConsoleDatabase): Db {
  if (!database.sqlite) {
    throw new Error('This part of the console still needs SQLite: unset VIGIL_DATABASE_URL (see docs/DESIGN.md)');
  }
  return database.sqlite;
}

/** The configured blob store (an S3 bucket that cannot be reached fails the start clearly); the database is closed if so. */
async function openBlobStoreOrClose(
  config: ConsoleConfig,
  app: { log: BlobStoreLog },
  database: ConsoleDatabase,
): Promise<BlobStore> {
  try {
    return await openBlobStore(config, app.log);
  } catch (err) {
    await database.close();
    throw err;
  }
}

/** The database (migrated on open), the repositories over it and the blob store; closed with the app. */
export const storagePlugin = fp<StorageOptions>(
  async (app, opts) => {
    const database = await openConsoleDatabase(opts.config);
    if (!database.sqlite) {
      // The CLI's school, user and device commands run on PostgreSQL already; the server does not yet.
      await database.close();
      throw new ConfigError(
        `VIGIL_DATABASE_URL: the server cannot run on PostgreSQL yet (${STILL_ON_SQLITE.join(', ')} still need SQLite); unset it to use SQLite`,
      );
    }
    app.decorate('config', opts.config);
    app.decorate('clock', opts.clock);
    app.decorate('database', database);
    app.decorate('db', database.sqlite);
    app.decorate('repos', repositoriesFor(database));
    app.decorate('secrets', SecretBox.open(opts.config.secretKeyPath));
    app.decorate('blobs', opts.blobStore ?? (await openBlobStoreOrClose(opts.config, app, database)));
    app.addHook('onClose', async () => {
      await database.close();
    });
    // A store given by the caller is the caller's to close.
    if (!opts.blobStore) app.addHook('onClose', async () => await app.blobs.close?.());
  },
  { name: 'vigil-storage', fastify: '5.x' },
);
