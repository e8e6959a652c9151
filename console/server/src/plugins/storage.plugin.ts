import fp from 'fastify-plugin';
import type { ConsoleConfig } from '../config';
import type { Clock } from '../clock';
import { openConsoleDatabase, type ConsoleDatabase } from '../db/database';
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
    app.decorate('config', opts.config);
    app.decorate('clock', opts.clock);
    app.decorate('database', database);
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
