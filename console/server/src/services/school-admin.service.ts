import type { Repositories } from '../plugins/storage.plugin';
import type { Device } from '../repositories/devices.repository';
import { CLI_ACTOR, type Actor } from './user-accounts.service';

/**
 * Revokes a device: its credentials stop working at once (device auth refuses revoked devices),
 * so its uploads and heartbeats get 401. Revoking a revoked device changes nothing. Audited.
 */
export function revokeDevice(repos: Repositories, device: Device, now: Date, actor: Actor = CLI_ACTOR): Device {
  const wasRevoked = device.revokedAt !== null;
  if (!wasRevoked) repos.devices.revoke(device.id, now);
  repos.audit.append(
    {
      action: 'device.revoke',
      outcome: 'success',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      organisationId: repos.schools.byId(device.schoolId)?.organisationId ?? null,
      schoolId: device.schoolId,
      targetId: device.id,
      ip: actor.ip,
      details: { alreadyRevoked: wasRevoked },
    },
    now,
  );
  return repos.devices.byId(device.id) ?? device;
}

/** A new enrolment token for a school; the old one stops working at once. Audited (never the token). */
export function rotateEnrolmentToken(
  repos: Repositories,
  schoolId: string,
  now: Date,
  actor: Actor = CLI_ACTOR,
): string {
  const token = repos.schools.rotateEnrolmentToken(schoolId);
  repos.audit.append(
    {
      action: 'school.enrolment_token_rotate',
      outcome: 'success',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      organisationId: repos.schools.byId(schoolId)?.organisationId ?? null,
      schoolId,
      targetId: schoolId,
      ip: actor.ip,
    },
    now,
  );
  return token;
}
