import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AGENT_API, ErrorResponseSchema, PolicySchema } from '@vigil/shared';

export const policyRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    AGENT_API.policy,
    {
      onRequest: app.authenticateDevice,
      schema: { response: { 200: PolicySchema, 304: Type.Null(), 401: ErrorResponseSchema } },
    },
    async (request, reply) => {
      const device = request.device!;
      await app.repos.devices.touch(device.id, app.clock.now());
      const { policy, etag } = await app.policies.served(device.schoolId);
      reply.header('ETag', etag).header('Cache-Control', 'private, no-cache');
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag)) {
        return reply.status(304).send(null);
      }
      return policy;
    },
  );
};
