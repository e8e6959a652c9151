import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AGENT_API, ErrorResponseSchema, HeartbeatRequestSchema, HeartbeatResponseSchema } from '@vigil/shared';

export const heartbeatRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    AGENT_API.heartbeat,
    {
      onRequest: app.authenticateDevice,
      schema: {
        body: HeartbeatRequestSchema,
        response: { 200: HeartbeatResponseSchema, 400: ErrorResponseSchema, 401: ErrorResponseSchema },
      },
    },
    async (request) => {
      const device = request.device!;
      const now = app.clock.now();
      // The update returns the row, so the live view needs no second read.
      const updated = await app.writes.run((r) => r.devices.recordHeartbeat(device.id, request.body, now));
      if (updated) app.live.deviceStatus(updated);
      return {
        serverTime: now.toISOString(),
        policyVersion: (await app.policies.served(device.schoolId)).policy.version,
      };
    },
  );
};
