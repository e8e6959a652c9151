import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../app';
import { loadConfig } from '../config';
import { openConsoleDatabase, currentSchemaVersion, type ConsoleDatabase, type Dialect } from '../db/database';
import { MIGRATIONS } from '../db/migrations';
import { postgresBinDir, startPostgres, type PostgresCluster } from '../test-support/postgres';
import { createUser, enrolDevice, signIn, uploadCapture } from '../test-support/harness';
import { AuditRepository, type AuditEntry } from './audit.repository';
import { CapturesRepository, type CaptureQuery, type StoredCapture } from './captures.repository';
import { CaptureGroupsRepository } from './capture-groups.repository';
import { PeopleQueriesRepository } from './people-queries.repository';
import { ListsRepository } from './lists.repository';
import { DevicesRepository } from './devices.repository';
import { SchoolsRepository } from './schools.repository';
import { SessionsRepository } from './sessions.repository';
import { UsersRepository } from './users.repository';
import { SummariesRepository } from '../summary/summaries.repository';
import { PupilsRepository } from '../summary/pupils.repository';
import type { SummaryData } from '../summary/summary.schema';

/**
 * The repositories' contract, run against every dialect the console supports: SQLite always,
 * PostgreSQL in a throwaway cluster (skipped, with a message, only when its binaries are absent).
 * The same calls must give the same answers on both.
 */
const PG_AVAILABLE = postgresBinDir() !== null;
if (!PG_AVAILABLE) {
  console.warn('PostgreSQL binaries not found (/usr/lib/postgresql/*/bin): the PostgreSQL contract tests are skipped');
}

let cluster: PostgresCluster | null = null;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-contract-'));
let files = 0;

beforeAll(async () => {
  if (PG_AVAILABLE) cluster = await startPostgres();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

async function open(dialect: Dialect): Promise<ConsoleDatabase> {
  if (dialect === 'postgres') {
    if (!cluster) throw new Error('no PostgreSQL cluster');
    return openConsoleDatabase({ databasePath: '', databaseUrl: await cluster.createDatabase() });
  }
  files += 1;
  return openConsoleDatabase({ databasePath: path.join(tmp, `c${files}.sqlite`) });
}

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

/**
 * The message a promise rejects with. (Not `rejects.toThrow`: better-sqlite3's native addon keeps the
 * error class of the first test file a jest worker loaded, which is not an `Error` of later files' realms.)
 */
const rejection = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (err: unknown) => String((err as { message?: unknown }).message),
  );

describe.each(DIALECTS)('repositories on %s', (dialect) => {
  const maybe = dialect === 'postgres' && !PG_AVAILABLE ? it.skip : it;
  let database: ConsoleDatabase;
  let schools: SchoolsRepository;
  let users: UsersRepository;
  let devices: DevicesRepository;
  let sessions: SessionsRepository;
  let audit: AuditRepository;
  let captures: CapturesRepository;

  beforeEach(async () => {
    if (dialect === 'postgres' && !PG_AVAILABLE) return;
    database = await open(dialect);
    schools = new SchoolsRepository(database.kysely);
    users = new UsersRepository(database.kysely);
    devices = new DevicesRepository(database.kysely);
    sessions = new SessionsRepository(database.kysely);
    audit = new AuditRepository(database.kysely);
    captures = new CapturesRepository(database.kysely);
  }, 60_000);

  afterEach(async () => {
    await database?.close();
  });

  maybe('migrates to the current schema version', async () => {
    expect(database.dialect).toBe(dialect);
    expect(await currentSchemaVersion(database.kysely)).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
  });

  maybe('schools: one default organisation, tokens, rotation, settings with defaults and upsert', async () => {
    const oak = await schools.create('Oak Academy', at(0));
    const elm = await schools.create('Elm Primary', at(1));
    expect(elm.organisationId).toBe(oak.organisationId);
    expect(await schools.count()).toBe(2);
    expect((await schools.list()).map((s) => s.name)).toEqual(['Oak Academy', 'Elm Primary']);
    expect(await schools.byEnrolmentToken(oak.enrolmentToken)).toEqual(oak);
    expect(await schools.byId('nope')).toBeUndefined();
    expect(await schools.idsOfOrganisations([oak.organisationId])).toEqual([oak.id, elm.id].sort());
    expect(await schools.idsOfOrganisations([])).toEqual([]);

    const token = await schools.rotateEnrolmentToken(oak.id);
    expect(token).not.toBe(oak.enrolmentToken);
    expect(await schools.byEnrolmentToken(oak.enrolmentToken)).toBeUndefined();
    expect((await schools.byEnrolmentToken(token))?.id).toBe(oak.id);

    expect(await schools.settings(oak.id)).toEqual({
      retentionDays: 90,
      minSeverity: null,
      alertSeverity: null,
      monitoredHours: null,
      supportCard: null,
      trayHidden: null,
      privacyNotice: null,
    });
    const settings = {
      retentionDays: 30,
      minSeverity: 2,
      alertSeverity: 4,
      monitoredHours: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '16:00' }],
      supportCard: true,
      trayHidden: false,
      privacyNotice: 'Monitored under the acceptable use policy',
    };
    await schools.saveSettings(oak.id, settings, at(2));
    await schools.saveSettings(oak.id, { ...settings, retentionDays: 45 }, at(3));
    expect(await schools.settings(oak.id)).toEqual({ ...settings, retentionDays: 45 });
    expect((await schools.settings(elm.id)).retentionDays).toBe(90);
  });

  maybe('users: grants, roles through the organisation, lockout, recovery codes, lists', async () => {
    const oak = await schools.create('Oak Academy', at(0));
    const elm = await schools.create('Elm Primary', at(0));
    const dsl = await users.create('DSL@Oak.sch.uk', 'hash-1', [{ role: 'dsl', schoolId: oak.id }], at(1));
    const org = await users.create(
      'admin@trust.org.uk',
      'hash-2',
      [{ role: 'org_admin', organisationId: oak.organisationId }],
      at(2),
    );
    const viewer = await users.create('viewer@elm.sch.uk', 'hash-3', [{ role: 'viewer', schoolId: elm.id }], at(3));

    expect((await users.byEmail('dsl@oak.sch.uk'))?.id).toBe(dsl.id);
    expect(await users.byId(dsl.id)).toEqual(dsl);
    expect(await users.count()).toBe(3);
    expect(await rejection(users.create('dsl@oak.sch.uk', 'x', [], at(4)))).toMatch(/unique|duplicate/i);
    expect(await users.count()).toBe(3);

    expect(await users.grantsOf(org.id)).toEqual([
      { role: 'org_admin', schoolId: null, organisationId: oak.organisationId },
    ]);
    await users.addGrant(dsl.id, { role: 'viewer', schoolId: elm.id });
    await users.addGrant(dsl.id, { role: 'viewer', schoolId: elm.id });
    expect(await users.grantsOf(dsl.id)).toEqual([
      { role: 'dsl', schoolId: oak.id, organisationId: null },
      { role: 'viewer', schoolId: elm.id, organisationId: null },
    ]);
    expect(await users.idsWithRoleAt([dsl.id, org.id, viewer.id], ['dsl', 'org_admin'], oak.id)).toEqual(
      [dsl.id, org.id].sort(),
    );
    expect(await users.idsWithRoleAt([dsl.id, org.id, viewer.id], ['viewer'], elm.id)).toEqual(
      [dsl.id, viewer.id].sort(),
    );
    expect((await users.listForSchool(elm.id, elm.organisationId)).map((u) => u.email)).toEqual([
      'admin@trust.org.uk',
      'dsl@oak.sch.uk',
      'viewer@elm.sch.uk',
    ]);
    expect(await users.removeSchoolGrant(dsl.id, elm.id, 'viewer')).toBe(1);
    expect(await users.removeSchoolGrant(dsl.id, elm.id, 'viewer')).toBe(0);
    expect(await users.removeOrganisationGrant(org.id, oak.organisationId, 'org_admin')).toBe(1);

    const lockUntil = at(30);
    expect(await users.recordLoginFailure(viewer.id, 3, lockUntil)).toEqual({ locked: false });
    expect(await users.recordLoginFailure(viewer.id, 3, lockUntil)).toEqual({ locked: false });
    expect((await users.byId(viewer.id))?.failedLogins).toBe(2);
    expect(await users.recordLoginFailure(viewer.id, 3, lockUntil)).toEqual({ locked: true });
    expect(await users.byId(viewer.id)).toMatchObject({ failedLogins: 0, lockedUntil: lockUntil.toISOString() });
    await users.setPassword(viewer.id, 'hash-4');
    expect(await users.byId(viewer.id)).toMatchObject({
      passwordHash: 'hash-4',
      mustChangePassword: false,
      lockedUntil: null,
    });

    await users.setTotpPending(dsl.id, 'sealed-pending');
    await users.confirmTotp(dsl.id, 'sealed-pending', ['c1', 'c2', 'c3'], at(5));
    expect(await users.byId(dsl.id)).toMatchObject({ totpSecretSealed: 'sealed-pending', totpPendingSealed: null });
    expect(await users.recoveryCodesLeft(dsl.id)).toBe(3);
    expect(await users.useRecoveryCode(dsl.id, 'c2', at(6))).toBe(true);
    expect(await users.useRecoveryCode(dsl.id, 'c2', at(7))).toBe(false);
    expect(await users.recoveryCodesLeft(dsl.id)).toBe(2);
    await users.replaceRecoveryCodes(dsl.id, ['d1'], at(8));
    expect(await users.useRecoveryCode(dsl.id, 'c1', at(9))).toBe(false);
    expect(await users.recoveryCodesLeft(dsl.id)).toBe(1);
    await users.clearTotp(dsl.id);
    expect(await users.recoveryCodesLeft(dsl.id)).toBe(0);
    expect((await users.byId(dsl.id))?.totpSecretSealed).toBeNull();

    await users.setDisabled(dsl.id, at(10));
    await users.recordSignIn(viewer.id, at(11));
    await users.setDisplayName(viewer.id, 'Vera Viewer');
    expect(await users.byId(dsl.id)).toMatchObject({ disabledAt: at(10).toISOString() });
    expect(await users.byId(viewer.id)).toMatchObject({
      lastSignInAt: at(11).toISOString(),
      displayName: 'Vera Viewer',
    });
  });

  maybe('devices: enrol, heartbeat keeps the last capture time when none is sent, revoke once', async () => {
    const oak = await schools.create('Oak Academy', at(0));
    const elm = await schools.create('Elm Primary', at(0));
    const base = { os: 'linux', osVersion: null, agentVersion: '0.1.0', secretHash: 'h' };
    await devices.insert({ ...base, id: 'd-b', schoolId: oak.id, hostname: 'laptop-b' }, at(1));
    await devices.insert({ ...base, id: 'd-a', schoolId: oak.id, hostname: 'laptop-a' }, at(1));
    await devices.insert({ ...base, id: 'd-e', schoolId: elm.id, hostname: 'laptop-a' }, at(1));
    expect((await devices.listBySchool(oak.id)).map((d) => d.id)).toEqual(['d-a', 'd-b']);
    expect((await devices.listBySchools([oak.id, elm.id])).map((d) => d.id)).toEqual(['d-a', 'd-e', 'd-b']);
    expect(await devices.listBySchools([])).toEqual([]);

    const hb = {
      agentVersion: '0.2.0',
      policyVersion: 'p7',
      queueDepth: 4,
      user: 'pupil01',
      lastCaptureAt: at(2).toISOString(),
      sentAt: at(3).toISOString(),
    };
    await devices.recordHeartbeat('d-a', hb, at(3));
    await devices.recordHeartbeat('d-a', { ...hb, queueDepth: 0, lastCaptureAt: null }, at(4));
    expect(await devices.byId('d-a')).toMatchObject({
      agentVersion: '0.2.0',
      policyVersion: 'p7',
      queueDepth: 0,
      lastUser: 'pupil01',
      lastCaptureAt: at(2).toISOString(),
      lastSeenAt: at(4).toISOString(),
    });
    await devices.revoke('d-a', at(5));
    await devices.revoke('d-a', at(6));
    expect((await devices.byId('d-a'))?.revokedAt).toBe(at(5).toISOString());
    await devices.touch('d-b', at(7));
    expect((await devices.byId('d-b'))?.lastSeenAt).toBe(at(7).toISOString());
    expect(await devices.byId('nope')).toBeUndefined();
  });

  maybe('sessions: by hash, touch, end all but one, expiry by age and idleness', async () => {
    const school = await schools.create('Oak Academy', at(0));
    const user = await users.create('dsl@oak.sch.uk', 'h', [{ role: 'dsl', schoolId: school.id }], at(0));
    const session = (idHash: string, expires: number) => ({
      idHash,
      userId: user.id,
      csrfToken: `csrf-${idHash}`,
      method: 'password',
      createdAt: at(0).toISOString(),
      lastSeenAt: at(0).toISOString(),
      expiresAt: at(expires).toISOString(),
    });
    await sessions.insert(session('s1', 600));
    await sessions.insert(session('s2', 600));
    await sessions.insert(session('s3', 10));
    expect(await sessions.byIdHash('s1')).toEqual(session('s1', 600));
    expect(await sessions.countForUser(user.id)).toBe(3);
    await sessions.touch('s2', at(50));
    // At minute 60, s3 has expired and s1 has been idle since minute 0 (idle limit: minute 30).
    expect(await sessions.deleteExpired(at(60), at(30))).toBe(2);
    expect(await sessions.byIdHash('s2')).toMatchObject({ lastSeenAt: at(50).toISOString() });
    await sessions.insert(session('s4', 600));
    expect(await sessions.deleteForUserExcept(user.id, 's4')).toBe(1);
    expect(await sessions.deleteForUser(user.id)).toBe(1);
    expect(await sessions.countForUser(user.id)).toBe(0);
  });

  maybe('audit: scoped by school or organisation, filtered, newest first, cursor; append-only', async () => {
    const oak = await schools.create('Oak Academy', at(0));
    const elm = await schools.create('Elm Primary', at(0));
    const entry = (over: Partial<AuditEntry>): AuditEntry => ({
      action: 'capture.view',
      outcome: 'success',
      actorUserId: 'u1',
      actorLabel: 'dsl@oak.sch.uk',
      organisationId: oak.organisationId,
      schoolId: oak.id,
      targetId: null,
      ip: '127.0.0.1',
      ...over,
    });
    await audit.append(entry({ details: { returned: 3, group: null } }), at(1));
    await audit.append(entry({ action: 'auth.login', schoolId: null }), at(2));
    await audit.append(entry({ schoolId: elm.id, actorUserId: 'u2' }), at(3));
    await audit.append(entry({ action: 'capture.review' }), at(4));

    const oakOnly = await audit.query({ schoolIds: [oak.id], organisationIds: [], limit: 10 });
    expect(oakOnly.map((r) => r.action)).toEqual(['capture.review', 'capture.view']);
    expect(oakOnly[1]?.details).toEqual({ returned: 3, group: null });
    const withOrg = await audit.query({ schoolIds: [oak.id], organisationIds: [oak.organisationId], limit: 10 });
    expect(withOrg).toHaveLength(4);
    expect(await audit.query({ schoolIds: [], organisationIds: [], limit: 10 })).toEqual([]);
    const filtered = await audit.query({
      schoolIds: [oak.id, elm.id],
      organisationIds: [],
      action: 'capture.view',
      actorUserId: 'u2',
      from: at(3).toISOString(),
      to: at(3).toISOString(),
      limit: 10,
    });
    expect(filtered.map((r) => r.schoolId)).toEqual([elm.id]);

    const first = await audit.query({ schoolIds: [oak.id, elm.id], organisationIds: [oak.organisationId], limit: 2 });
    const last = first[first.length - 1]!;
    const next = await audit.query({
      schoolIds: [oak.id, elm.id],
      organisationIds: [oak.organisationId],
      before: { at: last.at, id: last.id },
      limit: 10,
    });
    expect([...first, ...next].map((r) => r.at)).toEqual([at(4), at(3), at(2), at(1)].map((d) => d.toISOString()));

    expect(await rejection(sql`UPDATE audit_log SET outcome = 'failure'`.execute(database.kysely))).toMatch(
      /append-only/,
    );
    expect(await rejection(sql`DELETE FROM audit_log`.execute(database.kysely))).toMatch(/append-only/);
    expect(
      await audit.query({ schoolIds: [oak.id, elm.id], organisationIds: [oak.organisationId], limit: 10 }),
    ).toHaveLength(4);
  });

  maybe(
    'captures: stored once, filtered, searched case-blind, keyset pages, groups collapsed, reviewed, purged',
    async () => {
      const oak = await schools.create('Oak Academy', at(0));
      const elm = await schools.create('Elm Primary', at(0));
      const dsl = await users.create('dsl@oak.sch.uk', 'h', [{ role: 'dsl', schoolId: oak.id }], at(0));
      const base = { os: 'linux', osVersion: null, agentVersion: '0.1.0', secretHash: 'h', hostname: 'laptop' };
      await devices.insert({ ...base, id: 'd-oak', schoolId: oak.id }, at(0));
      await devices.insert({ ...base, id: 'd-elm', schoolId: elm.id }, at(0));
      const capture = (id: string, minute: number, over: Partial<StoredCapture> = {}) => ({
        id,
        schoolId: oak.id,
        deviceId: 'd-oak',
        capturedAt: at(minute).toISOString(),
        receivedAt: at(minute + 1).toISOString(),
        user: 'pupil01',
        source: 'typed' as const,
        app: 'xterm',
        windowTitle: 'Terminal',
        url: null,
        context: 'text around the match',
        matches: [{ entryId: 'bully.1', phrase: 'loser', category: 'bullying', severity: 3, start: 0, end: 5 }],
        severity: 3,
        count: 1,
        policyVersion: 'p1',
        screenshot: { key: `shots/${id}`, type: 'image/webp', width: 640, height: 400 },
        thumbnailKey: null,
        ...over,
      });
      expect(await captures.insert(capture('c1', 1))).toBe(true);
      expect(await captures.insert(capture('c1', 1, { context: 'changed' }))).toBe(false);
      await captures.insert(capture('c2', 2, { user: 'pupil02', context: 'Meet me AFTER school' }));
      await captures.insert(
        capture('c3', 3, {
          severity: 5,
          matches: [{ entryId: 'harm.1', phrase: 'hurt me', category: 'self_harm', severity: 5, start: 0, end: 7 }],
        }),
      );
      await captures.insert(capture('c4', 3, { windowTitle: '100%_sure' }));
      await captures.insert(capture('e1', 4, { schoolId: elm.id, deviceId: 'd-elm' }));

      const stored = await captures.byId('c1');
      expect(stored).toMatchObject({ context: 'text around the match', status: 'new', hold: false, groupId: null });
      expect(stored?.matches[0]?.phrase).toBe('loser');
      const ids = async (q: Partial<Parameters<CapturesRepository['search']>[0]>) =>
        (await captures.search({ schoolIds: [oak.id], limit: 50, ...q })).map((c) => c.id);
      expect(await ids({})).toEqual(['c4', 'c3', 'c2', 'c1']);
      expect(await ids({ schoolIds: [] })).toEqual([]);
      expect(await ids({ severityMin: 5 })).toEqual(['c3']);
      expect(await ids({ category: 'self_harm' })).toEqual(['c3']);
      expect(await ids({ category: 'self%' })).toEqual([]);
      expect(await ids({ q: 'after SCHOOL' })).toEqual(['c2']);
      expect(await ids({ q: '0%_' })).toEqual(['c4']);
      expect(await ids({ q: '0%x' })).toEqual([]);
      expect(await ids({ user: 'pupil02' })).toEqual(['c2']);
      expect(await ids({ from: at(2).toISOString(), to: at(3).toISOString() })).toEqual(['c4', 'c3', 'c2']);
      const page1 = await captures.search({ schoolIds: [oak.id], limit: 2 });
      const last = page1[1]!;
      expect(await ids({ before: { capturedAt: last.capturedAt, id: last.id } })).toEqual(['c2', 'c1']);
      expect((await captures.earlierForUser((await captures.byId('c4'))!, 10)).map((c) => c.id)).toEqual(['c3', 'c1']);
      expect((await captures.listBySchool(oak.id, at(2).toISOString())).map((c) => c.id)).toEqual(['c2', 'c3', 'c4']);

      await database.kysely
        .insertInto('capture_groups')
        .values({
          id: 'g1',
          school_id: oak.id,
          entry_id: 'bully.1',
          phrase: 'loser',
          category: 'bullying',
          created_at: at(5).toISOString(),
        })
        .execute();
      await database.kysely
        .updateTable('captures')
        .set({ group_id: 'g1' })
        .where('id', 'in', ['c1', 'c2', 'c4'])
        .execute();
      expect(await ids({ collapseGroups: true })).toEqual(['c4', 'c3']);

      const c2 = (await captures.byId('c2'))!;
      const c4 = (await captures.byId('c4'))!;
      await captures.reviewMany(
        [
          { capture: c2, historyId: 'h1' },
          { capture: c4, historyId: 'h2' },
        ],
        { status: 'false_positive', note: 'a class reading' },
        dsl.id,
        at(6),
      );
      const held = await captures.review(
        (await captures.byId('c1'))!,
        { hold: true, assigneeId: dsl.id },
        dsl.id,
        at(7),
        'h3',
      );
      expect(held).toMatchObject({ hold: true, assigneeId: dsl.id, status: 'new' });
      expect(await captures.history('c2')).toEqual([
        {
          id: 'h1',
          captureId: 'c2',
          userId: dsl.id,
          userEmail: 'dsl@oak.sch.uk',
          at: at(6).toISOString(),
          statusFrom: 'new',
          statusTo: 'false_positive',
          assigneeFrom: null,
          assigneeTo: null,
          holdTo: null,
          note: 'a class reading',
        },
      ]);
      expect((await captures.history('c1'))[0]).toMatchObject({ holdTo: true, assigneeTo: dsl.id, statusTo: null });
      expect(await captures.keywordStats([oak.id])).toEqual([
        { entryId: 'bully.1', phrase: 'loser', category: 'bullying', falsePositives: 2, total: 3 },
        { entryId: 'harm.1', phrase: 'hurt me', category: 'self_harm', falsePositives: 0, total: 1 },
      ]);

      // c1 is on hold: only c2..c4 may go.
      const purgeable = await captures.purgeable(oak.id, at(10).toISOString());
      expect(purgeable.map((c) => c.id)).toEqual(['c2', 'c3', 'c4']);
      expect(await captures.deleteMany(purgeable.map((c) => c.id))).toBe(3);
      expect(await captures.history('c2')).toEqual([]);
      expect(await ids({})).toEqual(['c1']);
      expect(await captures.search({ schoolIds: [elm.id], limit: 10 })).toHaveLength(1);
    },
  );

  maybe('capture groups and people queries: three pupils in an hour make a group, never at severity 5', async () => {
    const oak = await schools.create('Oak Academy', at(0));
    const groups = new CaptureGroupsRepository(database.kysely);
    const people = new PeopleQueriesRepository(database.kysely);
    const base = { os: 'linux', osVersion: null, agentVersion: '0.1.0', secretHash: 'h', schoolId: oak.id };
    await devices.insert({ ...base, id: 'd1', hostname: 'laptop-1' }, at(0));
    await devices.insert({ ...base, id: 'd2', hostname: 'laptop-2' }, at(0));
    const store = async (id: string, minute: number, user: string, severity = 3, deviceId = 'd1') => {
      const c = {
        id,
        schoolId: oak.id,
        deviceId,
        capturedAt: at(minute).toISOString(),
        receivedAt: at(minute).toISOString(),
        user,
        source: 'screen' as const,
        app: 'firefox',
        windowTitle: 'Macbeth',
        url: null,
        context: 'out damned spot',
        matches: [{ entryId: 'violence.1', phrase: 'stab', category: 'violence', severity, start: 0, end: 4 }],
        severity,
        count: 1,
        policyVersion: 'p1',
        screenshot: { key: `s/${id}`, type: 'image/webp', width: 10, height: 10 },
        thumbnailKey: null,
      };
      await captures.insert(c);
      return groups.assign(c, at(minute));
    };
    expect(await store('a', 0, 'p1')).toEqual({ groupId: null, changed: [] });
    expect(await store('b', 10, 'p2', 3, 'd2')).toEqual({ groupId: null, changed: [] });
    expect(await store('x', 20, 'p9', 5)).toEqual({ groupId: null, changed: [] });
    const third = await store('c', 30, 'p3');
    expect(third.groupId).not.toBeNull();
    expect(third.changed.sort()).toEqual(['a', 'b', 'c']);
    expect(await store('d', 50, 'p1')).toEqual({ groupId: third.groupId, changed: ['d'] });
    expect(await store('e', 200, 'p4')).toEqual({ groupId: null, changed: [] });
    expect(await groups.byId(third.groupId!)).toEqual({
      id: third.groupId,
      schoolId: oak.id,
      entryId: 'violence.1',
      phrase: 'stab',
      category: 'violence',
      severity: 3,
      firstAt: at(0).toISOString(),
      lastAt: at(50).toISOString(),
      memberCount: 4,
      pupilCount: 3,
    });
    expect(await groups.memberIds(third.groupId!)).toEqual(['d', 'c', 'b', 'a']);
    expect(await groups.byId('nope')).toBeUndefined();
    expect(await people.captureIdsOfPupil(oak.id, 'p1')).toEqual(['a', 'd']);
    await devices.recordHeartbeat(
      'd2',
      {
        agentVersion: '0.1.0',
        policyVersion: 'p1',
        queueDepth: 0,
        user: 'p1',
        lastCaptureAt: null,
        sentAt: at(1).toISOString(),
      },
      at(1),
    );
    expect(await people.deviceIdsOfPupil(oak.id, 'p1')).toEqual(['d1', 'd2']);
    expect(await people.backlog(oak.id)).toEqual({ unreviewed: 6, oldestUnreviewedAt: at(0).toISOString() });
    expect((await people.concernsBetween(oak.id, at(20).toISOString(), at(50).toISOString())).length).toBe(3);
    // The group keeps its span (0 to 50): one captured at -5 and uploaded late joins and moves its
    // start, so 56 (within the hour of 0, not of -5) stays out and 55 joins.
    expect(await store('late', -5, 'p5')).toEqual({ groupId: third.groupId, changed: ['late'] });
    expect(await store('f', 56, 'p6')).toEqual({ groupId: null, changed: [] });
    expect(await store('g', 55, 'p6')).toEqual({ groupId: third.groupId, changed: ['g'] });
    expect(await groups.byId(third.groupId!)).toMatchObject({
      firstAt: at(-5).toISOString(),
      lastAt: at(55).toISOString(),
      memberCount: 6,
    });
    // Collapsed and filtered, the group is its newest member that the filters select.
    const collapsed = async (filter: Partial<CaptureQuery>) =>
      (await captures.search({ schoolIds: [oak.id], limit: 50, collapseGroups: true, ...filter }))
        .filter((c) => c.groupId === third.groupId)
        .map((c) => c.id);
    expect(await collapsed({})).toEqual(['g']);
    expect(await collapsed({ user: 'p1' })).toEqual(['d']);
    expect(await collapsed({ deviceId: 'd2' })).toEqual(['b']);
    expect(await collapsed({ user: 'p2', deviceId: 'd1' })).toEqual([]);
  });

  maybe(
    'keyword lists: draft upsert, numbered versions with the publisher, policy stamp, false positives',
    async () => {
      const oak = await schools.create('Oak Academy', at(0));
      const admin = await users.create('it@oak.sch.uk', 'h', [{ role: 'school_admin', schoolId: oak.id }], at(0));
      const lists = new ListsRepository(database.kysely);
      expect(await lists.draft(oak.id)).toBeUndefined();
      await lists.saveDraft(oak.id, { disabledCategories: ['gambling'] }, admin.id, at(1));
      await lists.saveDraft(oak.id, { disabledCategories: ['profanity'] }, null, at(2));
      expect(await lists.draft(oak.id)).toEqual({ disabledCategories: ['profanity'] });

      const stamp0 = await lists.policyStamp(oak.id);
      const version = (n: number) => ({
        id: `v${n}`,
        schoolId: oak.id,
        overrides: { exclusions: [`phrase ${n}`] },
        policyVersion: `p${n}`,
        etag: `"e${n}"`,
        publishedAt: at(n * 10).toISOString(),
        publishedById: n === 1 ? admin.id : null,
        changelog: `change ${n}`,
      });
      expect(await lists.insertVersion(version(1))).toBe(1);
      const stamp1 = await lists.policyStamp(oak.id);
      expect(stamp1).not.toBe(stamp0);
      expect(await lists.insertVersion(version(2))).toBe(2);
      expect(await lists.latest(oak.id)).toMatchObject({
        version: 2,
        publishedBy: null,
        overrides: { exclusions: ['phrase 2'] },
      });
      expect((await lists.versions(oak.id)).map((v) => [v.version, v.publishedBy])).toEqual([
        [2, null],
        [1, 'it@oak.sch.uk'],
      ]);
      expect(
        (await lists.publishedBetween(oak.id, at(10).toISOString(), at(20).toISOString())).map((v) => v.id),
      ).toEqual(['v1']);
      const stamp2 = await lists.policyStamp(oak.id);
      expect(await lists.policyStamp(oak.id)).toBe(stamp2);
      await schools.saveSettings(oak.id, { ...(await schools.settings(oak.id)), minSeverity: 3 }, at(30));
      expect(await lists.policyStamp(oak.id)).not.toBe(stamp2);

      await devices.insert(
        { id: 'd1', schoolId: oak.id, hostname: 'l', os: 'linux', osVersion: null, agentVersion: '1', secretHash: 'h' },
        at(0),
      );
      const fp = async (id: string, entries: string[]) => {
        await captures.insert({
          id,
          schoolId: oak.id,
          deviceId: 'd1',
          capturedAt: at(1).toISOString(),
          receivedAt: at(1).toISOString(),
          user: 'p',
          source: 'typed',
          app: 'a',
          windowTitle: 'w',
          url: null,
          context: 'c',
          matches: entries.map((e) => ({ entryId: e, phrase: e, category: 'x', severity: 2, start: 0, end: 1 })),
          severity: 2,
          count: entries.length,
          policyVersion: 'p',
          screenshot: { key: id, type: 'image/webp', width: 1, height: 1 },
          thumbnailKey: null,
        });
        await captures.review((await captures.byId(id))!, { status: 'false_positive' }, admin.id, at(2), `h-${id}`);
      };
      await fp('f1', ['a', 'a', 'b']);
      await fp('f2', ['a']);
      expect(Object.fromEntries(await lists.falsePositives(oak.id))).toEqual({ a: 2, b: 1 });
    },
  );

  maybe('summaries: one per school and week, one send claim, one digest per day, recipients by role', async () => {
    const store = new SummariesRepository(database.kysely);
    const oak = await schools.create('Oak Academy', at(0));
    await users.create('head@oak.sch.uk', 'x', [{ role: 'head', schoolId: oak.id }], at(0));
    await users.create('dsl@oak.sch.uk', 'x', [{ role: 'dsl', schoolId: oak.id }], at(0));
    const data = { week: '2026-W09' } as unknown as SummaryData;
    const first = await store.insertIfAbsent({
      id: 's1',
      schoolId: oak.id,
      week: '2026-W09',
      builtAt: at(1).toISOString(),
      sendState: 'pending',
      data,
    });
    const again = await store.insertIfAbsent({ ...first.summary, id: 's2' });
    expect([first.created, again.created, again.summary.id]).toEqual([true, false, 's1']);
    expect(await store.claimSend('s1')).toBe(true);
    expect(await store.claimSend('s1')).toBe(false);
    expect((await store.byId('s1'))?.sendState).toBe('sending');
    expect(await store.listForSchools([oak.id])).toEqual([
      { id: 's1', schoolId: oak.id, week: '2026-W09', builtAt: at(1).toISOString(), sendState: 'sending' },
    ]);
    expect(await store.claimDigest(oak.id, '2026-03-01', 'd1', at(2))).toBe(true);
    expect(await store.claimDigest(oak.id, '2026-03-01', 'd2', at(3))).toBe(false);
    expect(await store.claimDigest(oak.id, '2026-03-02', 'd3', at(4))).toBe(true);
    expect((await store.alertSends(oak.id)).map((a) => a.id)).toEqual(['d1', 'd3']);

    expect(await store.settings(oak.id)).toMatchObject({
      alertSeverity: 4,
      summaryRoles: ['head', 'dsl', 'deputy_dsl'],
    });
    const s = {
      ...(await store.settings(oak.id)),
      alertRoles: ['head' as const],
      alertExtraEmails: ['head@oak.sch.uk'],
    };
    await store.saveSettings(s, at(5));
    await store.saveSettings({ ...s, alertSeverity: 5 }, at(6));
    expect(await store.settings(oak.id)).toEqual({ ...s, alertSeverity: 5 });
    expect(await store.recipients(oak.id, 'summary')).toEqual([
      { email: 'dsl@oak.sch.uk', role: 'dsl' },
      { email: 'head@oak.sch.uk', role: 'head' },
    ]);
    // An address held by a user and given as an extra is emailed once.
    expect(await store.recipientEmails(oak.id, 'alert')).toEqual(['head@oak.sch.uk']);
  });

  maybe('pupil directory: replace in one transaction, listed by login key, counted', async () => {
    const pupils = new PupilsRepository(database.kysely);
    const oak = await schools.create('Oak Academy', at(0));
    const one = { login: 'OAK\\Zed', name: 'Zed Zee', yearGroup: 'Year 9' };
    expect(await pupils.replace(oak.id, [one, { login: 'amy', name: 'Amy A', yearGroup: null }], at(1))).toEqual({
      before: 0,
      after: 2,
    });
    expect((await pupils.list(oak.id)).map((p) => p.login)).toEqual(['amy', 'OAK\\Zed']);
    expect(await rejection(pupils.replace(oak.id, [one, { ...one, login: 'zed' }], at(2)))).toMatch(
      /unique|duplicate/i,
    );
    expect(await pupils.count(oak.id)).toBe(2);
    expect([...(await pupils.directory(oak.id)).keys()].sort()).toEqual(['amy', 'zed']);
  });
});

/** Every table, column (type, nullability) and named index the migrations make, dialect-neutral. */
async function schemaOf(database: ConsoleDatabase): Promise<{ columns: string[]; indexes: string[] }> {
  const db = database.kysely;
  if (database.dialect === 'sqlite') {
    const tables = (
      await sql<{
        name: string;
      }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`.execute(db)
    ).rows.map((r) => r.name);
    const columns: string[] = [];
    for (const t of tables) {
      const info = (
        await sql<{
          name: string;
          type: string;
          notnull: number;
          pk: number;
        }>`SELECT * FROM pragma_table_info(${t})`.execute(db)
      ).rows;
      const singlePk = info.filter((c) => c.pk > 0).length === 1;
      for (const c of info) {
        const nullable = c.notnull === 0 && !(singlePk && c.pk > 0);
        columns.push(`${t}.${c.name} ${c.type.toLowerCase()}${nullable ? '' : ' not null'}`);
      }
    }
    const indexes = (
      await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`.execute(db)
    ).rows.map((r) => r.name);
    return { columns: columns.sort(), indexes: indexes.sort() };
  }
  const columns = (
    await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>`
      SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
      WHERE table_schema = 'public'`.execute(db)
  ).rows.map((c) => `${c.table_name}.${c.column_name} ${c.data_type}${c.is_nullable === 'YES' ? '' : ' not null'}`);
  const indexes = (
    await sql<{ indexname: string }>`
      SELECT i.indexname FROM pg_indexes i
      WHERE i.schemaname = 'public'
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`.execute(db)
  ).rows.map((r) => r.indexname);
  return { columns: columns.sort(), indexes: indexes.sort() };
}

describe('migrations', () => {
  (PG_AVAILABLE ? it : it.skip)(
    'make the same tables, columns, nullability and indexes on SQLite and PostgreSQL',
    async () => {
      const lite = await open('sqlite');
      const pg = await open('postgres');
      try {
        const [a, b] = [await schemaOf(lite), await schemaOf(pg)];
        expect(a.columns.length).toBeGreaterThan(100);
        // The summaries' and pupil directory's tables (migrations 20, 21, 50, 51) are among them.
        expect(a.columns).toEqual(
          expect.arrayContaining([
            'pupils.login_key text not null',
            'summaries.data_json text not null',
            'summary_sends.outcome text not null',
            'alert_sends.digest_day text',
            'summary_settings.alert_extra_emails text',
          ]),
        );
        expect(a.indexes).toEqual(expect.arrayContaining(['alert_sends_digest_day', 'summary_sends_summary']));
        expect(b.columns).toEqual(a.columns);
        expect(b.indexes).toEqual(a.indexes);
      } finally {
        await lite.close();
        await pg.close();
      }
    },
    60_000,
  );
});

describe('the server on PostgreSQL', () => {
  (PG_AVAILABLE ? it : it.skip)(
    'starts from VIGIL_DATABASE_URL: a capture an agent uploads is listed to a DSL, and /health reads the database',
    async () => {
      const dataDir = fs.mkdtempSync(path.join(tmp, 'server-'));
      const config = loadConfig(
        { VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'silent', VIGIL_DATABASE_URL: await cluster!.createDatabase() },
        dataDir,
      );
      expect(config.databaseUrl).toMatch(/^postgres:\/\//);
      const app = await buildApp(config, { summary: { mailer: null } });
      try {
        expect(app.database.dialect).toBe('postgres');
        expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
        const school = await app.repos.schools.create('Oak Academy', new Date());
        const device = await enrolDevice(app, school.enrolmentToken);
        const meta = await uploadCapture(app, device);
        const dsl = await signIn(app, await createUser(app, 'dsl@oak.sch.uk', 'dsl', { schoolId: school.id }));
        const list = await app.inject({ method: 'GET', url: '/api/captures', headers: dsl.get });
        expect(list.statusCode).toBe(200);
        expect(list.json<{ items: { id: string }[] }>().items.map((c) => c.id)).toEqual([meta.id]);
        // Nothing of it is in a SQLite file: the data dir holds blobs only.
        expect(fs.existsSync(path.join(dataDir, 'vigil.sqlite'))).toBe(false);
      } finally {
        await app.close();
      }
    },
    60_000,
  );

  it('refuses a database URL that is not postgres://', () => {
    expect(() => loadConfig({ VIGIL_DATABASE_URL: 'mysql://db/vigil' }, tmp)).toThrow(/must start with postgres:\/\//);
  });
});
