import fs from 'node:fs';
import type { Repositories } from '../plugins/storage.plugin';
import type { BlobStore } from '../blob-store/blob-store';
import type { Role } from '../repositories/users.repository';
import type { School } from '../repositories/schools.repository';
import { PeopleQueriesRepository } from '../repositories/people-queries.repository';
import type { Kdb } from '../db/database';
import type { Actor } from './user-accounts.service';

/** Who may export everything held about one pupil. */
export const SUBJECT_ACCESS_ROLES: readonly Role[] = ['org_admin', 'school_admin', 'dsl'];

/**
 * Everything the console holds about one pupil (the OS user the agents report) at one school:
 * every capture with its metadata, context, matches, review history and notes, its screenshot and
 * thumbnail as base64, and the devices they used. The answer to a subject access request.
 */
export async function buildSubjectAccess(
  db: Kdb,
  repos: Repositories,
  blobs: BlobStore,
  school: School,
  pupil: string,
  now: Date,
): Promise<{ document: Record<string, unknown>; captures: number; devices: number }> {
  const queries = new PeopleQueriesRepository(db);
  const captures = [];
  for (const id of await queries.captureIdsOfPupil(school.id, pupil)) {
    const c = await repos.captures.byId(id);
    if (!c) continue;
    const screenshot = await blobs.get(c.screenshot.key);
    const thumbnail = c.thumbnailKey ? await blobs.get(c.thumbnailKey) : undefined;
    const history = await repos.captures.history(c.id);
    captures.push({
      id: c.id,
      capturedAt: c.capturedAt,
      receivedAt: c.receivedAt,
      deviceId: c.deviceId,
      user: c.user,
      source: c.source,
      app: c.app,
      windowTitle: c.windowTitle,
      url: c.url,
      context: c.context,
      matches: c.matches,
      severity: c.severity,
      count: c.count,
      policyVersion: c.policyVersion,
      status: c.status,
      assigneeId: c.assigneeId,
      hold: c.hold,
      history: history.map((e) => ({
        at: e.at,
        by: e.userEmail,
        statusFrom: e.statusFrom,
        statusTo: e.statusTo,
        assigneeFrom: e.assigneeFrom,
        assigneeTo: e.assigneeTo,
        holdTo: e.holdTo,
        note: e.note,
      })),
      notes: history.flatMap((e) => (e.note ? [{ at: e.at, by: e.userEmail, note: e.note }] : [])),
      screenshot: {
        type: c.screenshot.type,
        width: c.screenshot.width,
        height: c.screenshot.height,
        base64: screenshot ? screenshot.toString('base64') : null,
      },
      thumbnail: thumbnail ? { base64: thumbnail.toString('base64') } : null,
    });
  }
  const devices = [];
  for (const id of await queries.deviceIdsOfPupil(school.id, pupil)) {
    const d = await repos.devices.byId(id);
    if (d)
      devices.push({
        id: d.id,
        hostname: d.hostname,
        os: d.os,
        osVersion: d.osVersion,
        agentVersion: d.agentVersion,
        enrolledAt: d.enrolledAt,
        lastSeenAt: d.lastSeenAt,
        lastUser: d.lastUser,
        revokedAt: d.revokedAt,
      });
  }
  return {
    document: {
      kind: 'vigil-subject-access',
      generatedAt: now.toISOString(),
      school: { id: school.id, name: school.name },
      pupil,
      captureCount: captures.length,
      captures,
      devices,
    },
    captures: captures.length,
    devices: devices.length,
  };
}

export async function auditSubjectAccess(
  repos: Repositories,
  school: School,
  pupil: string,
  counts: { captures: number; devices: number },
  actor: Actor,
  now: Date,
): Promise<void> {
  await repos.audit.append(
    {
      action: 'subject_access.export',
      outcome: 'success',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      organisationId: school.organisationId,
      schoolId: school.id,
      targetId: null,
      ip: actor.ip,
      details: { pupil, captures: counts.captures, devices: counts.devices },
    },
    now,
  );
}

/** A file name safe on every system: vigil-subject-access-<pupil>-<date>.json */
export const subjectAccessFileName = (pupil: string, now: Date): string =>
  `vigil-subject-access-${pupil.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}-${now.toISOString().slice(0, 10)}.json`;

/** Writes the export readable by its owner only: it holds screenshots and typed text. */
export function writePrivateFile(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
