import fp from 'fastify-plugin';
import type { ConsoleConfig } from '../config';
import type { Clock } from '../clock';
import { openDatabase, type Db } from '../db/database';
import type { BlobStore } from '../blob-store/blob-store';
import { DiskBlobStore } from '../blob-store/disk-blob-store';
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

export function repositoriesFor(db: Db): Repositories {
  return {
    schools: new SchoolsRepository(db),
    devices: new DevicesRepository(db),
    captures: new CapturesRepository(db),
    users: new UsersRepository(db),
    sessions: new SessionsRepository(db),
    audit: new AuditRepository(db),
  };
}

/** The database (migrated on open), the repositories over it and the blob store; closed with the app. */
export const storagePlugin = fp<StorageOptions>(
  async (app, opts) => {
    const db = openDatabase(opts.config.databasePath);
    app.decorate('config', opts.config);
    app.decorate('clock', opts.clock);
    app.decorate('db', db);
    app.decorate('repos', repositoriesFor(db));
    app.decorate('secrets', SecretBox.open(opts.config.secretKeyPath));
    app.decorate('blobs', opts.blobStore ?? new DiskBlobStore(opts.config.blobDir));
    app.addHook('onClose', async () => {
      db.close();
    });
  },
  { name: 'vigil-storage', fastify: '5.x' },
);
