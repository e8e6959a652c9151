import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema } from '@vigil/shared';
import {
  auditSubjectAccess,
  buildSubjectAccess,
  subjectAccessFileName,
  SUBJECT_ACCESS_ROLES,
} from '../../services/subject-access.service';
import { actorOf } from './devices.route';
import { schoolFor } from './school-access';
import { SchoolIdParamsSchema, SubjectAccessQuerySchema } from './people.schema';

export const SUBJECT_ACCESS_API = { export: '/api/schools/:id/subject-access' } as const;

/** Subject access: a JSON download of everything held about one pupil (org_admin, school_admin, dsl); audited. */
export const subjectAccessRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    SUBJECT_ACCESS_API.export,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['subject access'],
        summary:
          'Everything held about one pupil, as a JSON download (captures with history, notes and screenshots; devices)',
        description:
          'The pupil is the OS user the agents report. The file holds every capture of theirs at this school (metadata, context, matches, review history and notes, screenshot and thumbnail as base64) and the devices they used. Audited.',
        params: SchoolIdParamsSchema,
        querystring: SubjectAccessQuerySchema,
        response: {
          400: ErrorResponseSchema,
          401: ErrorResponseSchema,
          403: ErrorResponseSchema,
          404: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const school = await schoolFor(app, request, request.params.id, SUBJECT_ACCESS_ROLES);
      const now = app.clock.now();
      const pupil = request.query.pupil;
      const result = await buildSubjectAccess(app.database.kysely, app.repos, app.blobs, school, pupil, now);
      await auditSubjectAccess(app.repos, school, pupil, result, actorOf(request), now);
      return (
        reply
          .header('content-type', 'application/json; charset=utf-8')
          .header('content-disposition', `attachment; filename="${subjectAccessFileName(pupil, now)}"`)
          .header('cache-control', 'private, no-store')
          // A finished JSON file: sent as bytes, not through the response serialiser.
          .send(Buffer.from(`${JSON.stringify(result.document, null, 2)}\n`, 'utf8') as never)
      );
    },
  );
};
