import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema } from '@vigil/shared';
import { ConsoleError } from '../../errors';
import { AUDIT_READERS } from '../../auth/access';
import { AuditQuerySchema, AuditResponseSchema, decodeCursor, encodeCursor } from './dashboard.schema';

export const DASHBOARD_AUDIT_API = { list: '/api/audit' } as const;

/**
 * The audit log for admins: a school_admin sees the rows of their schools; an org_admin also sees
 * the organisation-wide rows (sign-ins, sign-outs, capture lists) of their organisation.
 */
export const auditRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    DASHBOARD_AUDIT_API.list,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['audit'],
        summary: 'The append-only audit log of your schools, newest first (org_admin, school_admin)',
        querystring: AuditQuerySchema,
        response: {
          200: AuditResponseSchema,
          400: ErrorResponseSchema,
          401: ErrorResponseSchema,
          403: ErrorResponseSchema,
        },
      },
    },
    async (request) => {
      const access = request.viewer!.access;
      if (!access.hasAnyRole(AUDIT_READERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      const { cursor, limit = 50, from, to, userId, action } = request.query;
      const before = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !before) throw new ConsoleError('CONSOLE_ERR_VALIDATION', 'cursor is not valid');
      const rows = await app.repos.audit.query({
        schoolIds: access.schoolsWith(AUDIT_READERS),
        organisationIds: access.organisationsAdministered(),
        action,
        actorUserId: userId,
        from: from === undefined ? undefined : new Date(from).toISOString(),
        to: to === undefined ? undefined : new Date(to).toISOString(),
        before,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page, nextCursor: rows.length > limit && last ? encodeCursor(last.at, last.id) : null };
    },
  );
};
