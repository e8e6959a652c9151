import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema } from '@vigil/shared';
import { CAPTURE_REVIEWERS } from '../../auth/access';
import { schoolFor } from './school-access';
import { SchoolIdParamsSchema } from './people.schema';

export const REVIEWERS_API = { list: '/api/schools/:id/reviewers' } as const;

export const ReviewerSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
});
export const ReviewersResponseSchema = Type.Object({ items: Type.Array(ReviewerSchema) });

/**
 * The people a capture of this school can be assigned to (dsl, deputy_dsl, org_admin of its
 * organisation; disabled accounts left out), for those who review its captures. Only what the
 * assignment picker shows: no roles, sign-in state or anything else the users route keeps for admins.
 */
export const reviewersRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    REVIEWERS_API.list,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['captures'],
        summary: 'Who captures of this school can be assigned to (for reviewers)',
        params: SchoolIdParamsSchema,
        response: {
          200: ReviewersResponseSchema,
          401: ErrorResponseSchema,
          403: ErrorResponseSchema,
          404: ErrorResponseSchema,
        },
      },
    },
    async (request) => {
      const school = await schoolFor(app, request, request.params.id, CAPTURE_REVIEWERS);
      const users = (await app.repos.users.listForSchool(school.id, school.organisationId)).filter(
        (u) => u.disabledAt === null,
      );
      const reviewers = new Set(
        await app.repos.users.idsWithRoleAt(
          users.map((u) => u.id),
          CAPTURE_REVIEWERS,
          school.id,
        ),
      );
      return {
        items: users
          .filter((u) => reviewers.has(u.id))
          .map((u) => ({ id: u.id, email: u.email, displayName: u.displayName })),
      };
    },
  );
};
