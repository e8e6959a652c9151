import type { HeartbeatRequest } from '@vigil/shared';
import { Prepared, type Kdb } from '../db/database';
import type { Selectable } from 'kysely';
import type { DevicesTable } from '../db/schema';

export interface Device {
  id: string;
  schoolId: string;
  hostname: string;
  os: string;
  osVersion: string | null;
  agentVersion: string;
  secretHash: string;
  enrolledAt: string;
  revokedAt: string | null;
  lastSeenAt: string | null;
  policyVersion: string | null;
  queueDepth: number | null;
  lastUser: string | null;
  lastCaptureAt: string | null;
}

/** A row as the database returns it. */
type DeviceRow = Selectable<DevicesTable>;

const toDevice = (r: DeviceRow): Device => ({
  id: r.id,
  schoolId: r.school_id,
  hostname: r.hostname,
  os: r.os,
  osVersion: r.os_version,
  agentVersion: r.agent_version,
  secretHash: r.secret_hash,
  enrolledAt: r.enrolled_at,
  revokedAt: r.revoked_at,
  lastSeenAt: r.last_seen_at,
  policyVersion: r.policy_version,
  queueDepth: r.queue_depth,
  lastUser: r.last_user,
  lastCaptureAt: r.last_capture_at,
});

export type NewDevice = Pick<
  Device,
  'id' | 'schoolId' | 'hostname' | 'os' | 'osVersion' | 'agentVersion' | 'secretHash'
>;

// The agents' hot paths (every request's device check, every heartbeat), compiled once.
const BY_ID = new Prepared(1, (db, id: string) => db.selectFrom('devices').selectAll().where('id', '=', id));
const HEARTBEAT = new Prepared(
  7,
  (
    db,
    now: string,
    agentVersion: string,
    policyVersion: string,
    queueDepth: number,
    user: string,
    lastCaptureAt: string | null,
    id: string,
  ) =>
    db
      .updateTable('devices')
      .set((eb) => ({
        last_seen_at: now,
        agent_version: agentVersion,
        policy_version: policyVersion,
        queue_depth: queueDepth,
        last_user: user,
        last_capture_at: eb.fn.coalesce(eb.val(lastCaptureAt), eb.ref('last_capture_at')),
      }))
      .where('id', '=', id)
      .returningAll(),
);
const TOUCH = new Prepared(2, (db, now: string, id: string) =>
  db.updateTable('devices').set({ last_seen_at: now }).where('id', '=', id),
);

export class DevicesRepository {
  constructor(private readonly db: Kdb) {}

  async insert(d: NewDevice, now: Date): Promise<void> {
    await this.db
      .insertInto('devices')
      .values({
        id: d.id,
        school_id: d.schoolId,
        hostname: d.hostname,
        os: d.os,
        os_version: d.osVersion,
        agent_version: d.agentVersion,
        secret_hash: d.secretHash,
        enrolled_at: now.toISOString(),
        last_seen_at: now.toISOString(),
      })
      .execute();
  }

  async byId(id: string): Promise<Device | undefined> {
    const r = (await BY_ID.execute(this.db, id)).rows[0];
    return r && toDevice(r);
  }

  async listBySchool(schoolId: string): Promise<Device[]> {
    const rows = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('school_id', '=', schoolId)
      .orderBy('hostname')
      .execute();
    return rows.map(toDevice);
  }

  /** Devices of these schools (not reporting is decided by the caller, which knows the clock). */
  async listBySchools(schoolIds: readonly string[]): Promise<Device[]> {
    if (schoolIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('school_id', 'in', schoolIds)
      .orderBy('hostname')
      .orderBy('id')
      .execute();
    return rows.map(toDevice);
  }

  /** Records a heartbeat; the device as it now is (undefined if there is no such device). */
  async recordHeartbeat(id: string, hb: HeartbeatRequest, now: Date): Promise<Device | undefined> {
    const { rows } = await HEARTBEAT.execute(
      this.db,
      now.toISOString(),
      hb.agentVersion,
      hb.policyVersion,
      hb.queueDepth,
      hb.user,
      hb.lastCaptureAt,
      id,
    );
    return rows[0] && toDevice(rows[0]);
  }

  async touch(id: string, now: Date): Promise<void> {
    await TOUCH.execute(this.db, now.toISOString(), id);
  }

  async revoke(id: string, now: Date): Promise<void> {
    await this.db
      .updateTable('devices')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
