import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema } from '@vigil/shared';
import { SCHOOL_ADMINS } from '../../auth/access';
import { SchoolUsersService } from '../../services/school-users.service';
import { actorOf } from './devices.route';
import { schoolFor } from './school-access';
import {
  ResetPasswordSchema,
  SchoolIdParamsSchema,
  SchoolUserParamsSchema,
  SchoolUserSchema,
  UserCreateResponseSchema,
  UserCreateSchema,
  UserPatchSchema,
} from './people.schema';

export const USERS_API = {
  list: '/api/schools/:id/users',
  one: '/api/schools/:id/users/:userId',
  resetPassword: '/api/schools/:id/users/:userId/reset-password',
} as const;

const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
  409: ErrorResponseSchema,
};

/** Users and roles of a school: its school_admins and its organisation's org_admins; others 403. */
export const usersRoute: FastifyPluginAsyncTypebox = async (app) => {
  const serviceFor = async (request: FastifyRequest, schoolId: string) =>
    new SchoolUsersService(
      app.repos,
      app.secrets,
      await schoolFor(app, request, schoolId, SCHOOL_ADMINS),
      request.viewer!.access,
      actorOf(request),
    );

  app.get(
    USERS_API.list,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['users'],
        summary: "The school's users with their roles there (organisation-wide roles included), by email",
        params: SchoolIdParamsSchema,
        response: { 200: Type.Object({ items: Type.Array(SchoolUserSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await (await serviceFor(request, request.params.id)).list() }),
  );

  app.post(
    USERS_API.list,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['users'],
        summary: 'Add a person: a new account with a one-time password, or roles here for an existing account',
        description:
          'A new account signs in with the one-time password, sets up an authenticator if a role needs it, then chooses a password. Only an org_admin grants org_admin (it covers every school of the organisation).',
        params: SchoolIdParamsSchema,
        body: UserCreateSchema,
        response: { 201: UserCreateResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const created = await (await serviceFor(request, request.params.id)).create(request.body, app.clock.now());
      return reply.status(201).send(created);
    },
  );

  app.patch(
    USERS_API.one,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['users'],
        summary: "Change a person's roles at this school, disable or enable their account, or their display name",
        description: 'Disabling ends their sessions. Roles replace those held here.',
        params: SchoolUserParamsSchema,
        body: UserPatchSchema,
        response: { 200: Type.Object({ user: SchoolUserSchema }), ...errors },
      },
    },
    async (request) => ({
      user: await (
        await serviceFor(request, request.params.id)
      ).update(request.params.userId, request.body, app.clock.now()),
    }),
  );

  app.post(
    USERS_API.resetPassword,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['users'],
        summary:
          'A new one-time password (lifts a lockout, ends their sessions); resetTotp also removes the authenticator',
        params: SchoolUserParamsSchema,
        body: Type.Optional(ResetPasswordSchema),
        response: { 200: Type.Object({ oneTimePassword: Type.String() }), ...errors },
      },
    },
    async (request) =>
      (await serviceFor(request, request.params.id)).resetPassword(
        request.params.userId,
        request.body?.resetTotp === true,
        app.clock.now(),
      ),
  );

  app.delete(
    USERS_API.one,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['users'],
        summary: "Remove a person's roles at this school",
        params: SchoolUserParamsSchema,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await (await serviceFor(request, request.params.id)).remove(request.params.userId, app.clock.now());
      return reply.status(204).send(null);
    },
  );
};
