import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema } from '@vigil/shared';
import { CAPTURE_READERS } from '../../auth/access';
import { buildOverview } from '../../services/overview.service';
import { schoolFor } from './school-access';
import { OverviewQuerySchema, OverviewSchema, SchoolIdParamsSchema } from './people.schema';

export const OVERVIEW_API = { overview: '/api/schools/:id/overview' } as const;

/** The school's overview for those who see captures (org_admin, dsl, deputy_dsl, head). */
export const overviewRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    OVERVIEW_API.overview,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['overview'],
        summary:
          'The last N days (default 28, Europe/London days): captures by day and category, severities, pupils with repeated concerns, backlog, devices not reporting',
        description:
          'False positives are left out of the counts. A capture with matches in two categories counts in each. Repeated concerns: 3 or more captures in the period, or any of severity 5.',
        params: SchoolIdParamsSchema,
        querystring: OverviewQuerySchema,
        response: {
          200: OverviewSchema,
          400: ErrorResponseSchema,
          401: ErrorResponseSchema,
          403: ErrorResponseSchema,
          404: ErrorResponseSchema,
        },
      },
    },
    async (request) => {
      const school = await schoolFor(app, request, request.params.id, CAPTURE_READERS);
      return await buildOverview(app, school.id, request.query.days ?? 28, app.clock.now());
    },
  );
};
