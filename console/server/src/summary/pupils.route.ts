import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema } from '@vigil/shared';
import { ConsoleError } from '../errors';
import type { Role } from '../repositories/users.repository';
import { auditRequest } from '../services/audit.service';
import { IdParamsSchema } from '../routes/dashboard/dashboard.schema';
import { schoolWithRole } from '../routes/dashboard/lists.route';
import {
  PupilDirectoryError,
  PupilEntrySchema,
  PupilUploadSchema,
  pupilsFromCsv,
  pupilsFromJson,
  type PupilEntry,
  type PupilUpload,
} from './pupil-directory';

/** Who may load the directory, and who may read it (names of pupils: the people who act on captures). */
export const PUPIL_DIRECTORY_WRITERS: readonly Role[] = ['org_admin', 'school_admin', 'dsl'];
export const PUPIL_DIRECTORY_READERS: readonly Role[] = ['org_admin', 'school_admin', 'dsl', 'deputy_dsl'];

export const SCHOOL_PUPILS_API = '/api/schools/:id/pupils';
/** Windows labels a .csv file `application/vnd.ms-excel` when Excel is installed; browsers send that type. */
const CSV_TYPES = ['text/csv', 'application/csv', 'application/vnd.ms-excel'];
/** A CSV of a few thousand pupils is well under this. */
const UPLOAD_LIMIT = 4 * 1024 * 1024;

export const PupilDirectoryResponseSchema = Type.Object({
  schoolId: Type.String(),
  count: Type.Integer(),
  pupils: Type.Array(PupilEntrySchema),
});

const errors = { 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema };

/**
 * The school's pupil directory (login name → name, year group), which summaries and alerts use to
 * show "J.S., Year 9". PUT replaces the whole directory at once: a JSON array, or `text/csv` with a
 * header row. One bad row refuses the upload with its line number, and nothing is stored.
 */
export const pupilsRoute: FastifyPluginAsyncTypebox = async (app) => {
  // Scoped to this plugin: only this route takes CSV.
  app.addContentTypeParser(CSV_TYPES, { parseAs: 'string', bodyLimit: UPLOAD_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  app.get(
    SCHOOL_PUPILS_API,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['summaries'],
        summary: "The school's pupil directory (org_admin, school_admin, dsl, deputy_dsl)",
        params: IdParamsSchema,
        response: { 200: PupilDirectoryResponseSchema, ...errors },
      },
    },
    async (request) => {
      const school = await schoolWithRole(app, request, request.params.id, PUPIL_DIRECTORY_READERS);
      const pupils = await app.pupilDirectory.list(school.id);
      await auditRequest(app, request, {
        action: 'pupils.view',
        schoolId: school.id,
        targetId: school.id,
        details: { count: pupils.length },
      });
      return { schoolId: school.id, count: pupils.length, pupils };
    },
  );

  app.put(
    SCHOOL_PUPILS_API,
    {
      onRequest: app.authenticateUser,
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: ['summaries'],
        summary: 'Replace the pupil directory: JSON [{ login, name, yearGroup }] or text/csv with a header row',
        description:
          'CSV columns (header row, any order): login (or username), name, year group (optional; "9" becomes ' +
          '"Year 9"). A bad row answers 400 with its line number and stores nothing (org_admin, school_admin, dsl).',
        params: IdParamsSchema,
        body: {
          content: {
            'application/json': { schema: PupilUploadSchema },
            ...Object.fromEntries(CSV_TYPES.map((t) => [t, { schema: Type.String() }])),
          },
        } as unknown as typeof PupilUploadSchema,
        response: { 200: PupilDirectoryResponseSchema, 400: ErrorResponseSchema, ...errors },
      },
    },
    async (request) => {
      const school = await schoolWithRole(app, request, request.params.id, PUPIL_DIRECTORY_WRITERS);
      const body = request.body as PupilUpload | string;
      const format = typeof body === 'string' ? 'csv' : 'json';
      let pupils: PupilEntry[];
      try {
        pupils = typeof body === 'string' ? pupilsFromCsv(body) : pupilsFromJson(body);
      } catch (err) {
        if (!(err instanceof PupilDirectoryError)) throw err;
        await auditRequest(app, request, {
          action: 'pupils.import',
          outcome: 'failure',
          schoolId: school.id,
          targetId: school.id,
          details: { format, line: err.line ?? null },
        });
        throw new ConsoleError('CONSOLE_ERR_VALIDATION', `The pupil directory was not changed: ${err.message}`);
      }
      const { before, after } = await app.pupilDirectory.replace(school.id, pupils, app.clock.now());
      await auditRequest(app, request, {
        action: 'pupils.import',
        schoolId: school.id,
        targetId: school.id,
        details: { format, before, after },
      });
      return { schoolId: school.id, count: pupils.length, pupils: await app.pupilDirectory.list(school.id) };
    },
  );
};
