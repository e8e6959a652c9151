import type { Repositories } from '../plugins/storage.plugin';
import type { Device } from '../repositories/devices.repository';
import { CLI_ACTOR, type Actor } from './user-accounts.service';

/**
 * Revokes a device: its credentials stop working at once (device auth refuses revoked devices),
 * so its uploads and heartbeats get 401. Revoking a revoked device changes nothing. Audited.
 */
export async function revokeDevice(
  repos: Repositories,
  device: Device,
  now: Date,
  actor: Actor = CLI_ACTOR,
): Promise<Device> {
  const wasRevoked = device.revokedAt !== null;
  if (!wasRevoked) await repos.devices.revoke(device.id, now);
  await repos.audit.append(
    {
      action: 'device.revoke',
      outcome: 'success',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      organisationId: (await repos.schools.byId(device.schoolId))?.organisationId ?? null,
      schoolId: device.schoolId,
      targetId: device.id,
      ip: actor.ip,
      details: { alreadyRevoked: wasRevoked },
    },
    now,
  );
  return (await repos.devices.byId(device.id)) ?? device;
}

/** A new enrolment token for a school; the old one stops working at once. Audited (never the token). */
export async function rotateEnrolmentToken(
  repos: Repositories,
  schoolId: string,
  now: Date,
  actor: Actor = CLI_ACTOR,
): Promise<string> {
  const token = await repos.schools.rotateEnrolmentToken(schoolId);
  await repos.audit.append(
    {
      action: 'school.enrolment_token_rotate',
      outcome: 'success',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      organisationId: (await repos.schools.byId(schoolId))?.organisationId ?? null,
      schoolId,
      targetId: schoolId,
      ip: actor.ip,
    },
    now,
  );
  return token;
}
