import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AGENT_API, EnrolRequestSchema, EnrolResponseSchema, ErrorResponseSchema } from '@vigil/shared';
import { ConsoleError } from '../../errors';
import { newId, newSecret } from '../../ids';
import { hashDeviceSecret } from '../../plugins/device-auth.plugin';

export const enrolRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    AGENT_API.enrol,
    {
      schema: {
        body: EnrolRequestSchema,
        response: { 201: EnrolResponseSchema, 400: ErrorResponseSchema, 401: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      const school = await app.repos.schools.byEnrolmentToken(request.body.token);
      if (!school) throw new ConsoleError('CONSOLE_ERR_ENROLMENT_TOKEN_INVALID');
      const deviceId = newId();
      const deviceSecret = newSecret(32);
      await app.repos.devices.insert(
        {
          id: deviceId,
          schoolId: school.id,
          hostname: request.body.hostname,
          os: request.body.os,
          osVersion: request.body.osVersion ?? null,
          agentVersion: request.body.agentVersion,
          secretHash: hashDeviceSecret(deviceSecret),
        },
        app.clock.now(),
      );
      request.log.info({ deviceId, schoolId: school.id }, 'device enrolled');
      return reply.status(201).send({ deviceId, deviceSecret, schoolId: school.id, schoolName: school.name });
    },
  );
};
