import type { HeartbeatRequest } from '@vigil/shared';
import type { Db } from '../db/database';

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

interface DeviceRow {
  id: string;
  school_id: string;
  hostname: string;
  os: string;
  os_version: string | null;
  agent_version: string;
  secret_hash: string;
  enrolled_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
  policy_version: string | null;
  queue_depth: number | null;
  last_user: string | null;
  last_capture_at: string | null;
}

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

export class DevicesRepository {
  constructor(private readonly db: Db) {}

  insert(d: NewDevice, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO devices (id, school_id, hostname, os, os_version, agent_version, secret_hash, enrolled_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        d.id,
        d.schoolId,
        d.hostname,
        d.os,
        d.osVersion,
        d.agentVersion,
        d.secretHash,
        now.toISOString(),
        now.toISOString(),
      );
  }

  byId(id: string): Device | undefined {
    const r = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow | undefined;
    return r && toDevice(r);
  }

  listBySchool(schoolId: string): Device[] {
    return (
      this.db.prepare('SELECT * FROM devices WHERE school_id = ? ORDER BY hostname').all(schoolId) as DeviceRow[]
    ).map(toDevice);
  }

  /** Devices of these schools (not reporting is decided by the caller, which knows the clock). */
  listBySchools(schoolIds: readonly string[]): Device[] {
    if (schoolIds.length === 0) return [];
    return (
      this.db
        .prepare(
          `SELECT * FROM devices WHERE school_id IN (${schoolIds.map(() => '?').join(', ')}) ORDER BY hostname, id`,
        )
        .all(...schoolIds) as DeviceRow[]
    ).map(toDevice);
  }

  recordHeartbeat(id: string, hb: HeartbeatRequest, now: Date): void {
    this.db
      .prepare(
        `UPDATE devices SET last_seen_at = ?, agent_version = ?, policy_version = ?, queue_depth = ?,
           last_user = ?, last_capture_at = COALESCE(?, last_capture_at) WHERE id = ?`,
      )
      .run(now.toISOString(), hb.agentVersion, hb.policyVersion, hb.queueDepth, hb.user, hb.lastCaptureAt, id);
  }

  touch(id: string, now: Date): void {
    this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(now.toISOString(), id);
  }

  revoke(id: string, now: Date): void {
    this.db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now.toISOString(), id);
  }
}
