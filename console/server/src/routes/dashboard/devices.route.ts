import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema } from '@vigil/shared';
import { ConsoleError } from '../../errors';
import { DEVICE_READERS, SCHOOL_ADMINS } from '../../auth/access';
import type { Device } from '../../repositories/devices.repository';
import { revokeDevice } from '../../services/school-admin.service';
import type { Actor } from '../../services/user-accounts.service';
import { DeviceSchema, IdParamsSchema, type DeviceView } from './dashboard.schema';

export const DEVICES_API = {
  list: '/api/devices',
  revoke: '/api/devices/:id/revoke',
} as const;

/** The signed-in user as the actor of a change made through a service. */
export const actorOf = (request: FastifyRequest): Actor => ({
  userId: request.viewer?.user.id ?? null,
  label: request.viewer?.user.email ?? 'anonymous',
  ip: request.ip,
});

export function deviceView(app: FastifyInstance, d: Device, now: Date): DeviceView {
  const seen = d.lastSeenAt === null ? Number.NaN : Date.parse(d.lastSeenAt);
  return {
    id: d.id,
    schoolId: d.schoolId,
    hostname: d.hostname,
    os: d.os,
    osVersion: d.osVersion,
    agentVersion: d.agentVersion,
    policyVersion: d.policyVersion,
    queueDepth: d.queueDepth,
    user: d.lastUser,
    enrolledAt: d.enrolledAt,
    lastSeenAt: d.lastSeenAt,
    lastCaptureAt: d.lastCaptureAt,
    revoked: d.revokedAt !== null,
    revokedAt: d.revokedAt,
    reporting: d.revokedAt === null && now.getTime() - seen < app.config.notReportingMinutes * 60_000,
  };
}

const idRouteErrors = { 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema };

/**
 * Devices of the user's schools: school_admin, org_admin, dsl, deputy_dsl and head see them;
 * only school_admin and org_admin revoke. A device of a school the user cannot see is 404.
 */
export const devicesRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    DEVICES_API.list,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['devices'],
        summary: "Devices of the user's schools, not reporting first, then by last seen",
        querystring: Type.Object(
          { schoolId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(DeviceSchema) }),
          401: ErrorResponseSchema,
          403: ErrorResponseSchema,
        },
      },
    },
    async (request) => {
      const access = request.viewer!.access;
      if (!access.hasAnyRole(DEVICE_READERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      const { schoolId } = request.query;
      const visible = access.schoolsWith(DEVICE_READERS);
      const now = app.clock.now();
      const items = (
        await app.repos.devices.listBySchools(schoolId === undefined ? visible : visible.filter((s) => s === schoolId))
      )
        .map((d) => deviceView(app, d, now))
        .sort(
          (a, b) =>
            Number(a.reporting) - Number(b.reporting) ||
            (a.lastSeenAt ?? '').localeCompare(b.lastSeenAt ?? '') ||
            a.hostname.localeCompare(b.hostname),
        );
      return { items };
    },
  );

  app.post(
    DEVICES_API.revoke,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['devices'],
        summary: 'Revoke a device (school_admin, org_admin): its uploads and heartbeats are refused from now on',
        params: IdParamsSchema,
        response: { 200: DeviceSchema, ...idRouteErrors },
      },
    },
    async (request) => {
      const access = request.viewer!.access;
      if (!access.hasAnyRole(SCHOOL_ADMINS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      const device = await app.repos.devices.byId(request.params.id);
      if (!device || !access.can(DEVICE_READERS, device.schoolId)) {
        throw new ConsoleError('CONSOLE_ERR_NOT_FOUND', 'No such device');
      }
      if (!access.can(SCHOOL_ADMINS, device.schoolId)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      const revoked = await revokeDevice(app.repos, device, app.clock.now(), actorOf(request));
      app.live.deviceStatus(revoked);
      return deviceView(app, revoked, app.clock.now());
    },
  );
};
