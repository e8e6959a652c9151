import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema } from '@vigil/shared';
import { ConsoleError } from '../errors';
import type { Role } from '../repositories/users.repository';
import { SummaryDataSchema } from './summary.schema';
import { renderSummaryHtml, renderSummaryPdf } from './summary-render';
import type { StoredSummary } from './summaries.repository';
import { auditRequest } from '../services/audit.service';

/** Who may read summaries: the heads, DSLs and deputy DSLs of the school, and org admins. */
export const SUMMARY_READERS: readonly Role[] = ['head', 'dsl', 'deputy_dsl', 'org_admin'];

export const SUMMARIES_API = {
  list: '/api/summaries',
  one: '/api/summaries/:id',
  pdf: '/api/summaries/:id/pdf',
  settings: '/api/summary-settings',
} as const;

const SEND_STATES = ['pending', 'sending', 'sent', 'failed', 'not_configured', 'no_recipients'] as const;
const SendStateSchema = Type.Union(SEND_STATES.map((s) => Type.Literal(s)));

export const SummaryListItemSchema = Type.Object({
  id: Type.String(),
  schoolId: Type.String(),
  week: Type.String(),
  builtAt: Type.String(),
  sendState: SendStateSchema,
});
export const SummaryDetailSchema = Type.Object({
  id: Type.String(),
  schoolId: Type.String(),
  week: Type.String(),
  builtAt: Type.String(),
  sendState: SendStateSchema,
  data: SummaryDataSchema,
  html: Type.String(),
});
export const SummarySettingsResponseSchema = Type.Object({
  emailConfigured: Type.Boolean(),
  recipients: Type.Array(Type.Object({ schoolId: Type.String(), emails: Type.Array(Type.String()) })),
  /** Each school's settings (changed with `npm run console -- summary-settings` for now). */
  schools: Type.Array(
    Type.Object({
      schoolId: Type.String(),
      summaryTime: Type.String({ description: 'HH:MM on Mondays, Europe/London' }),
      alertSeverity: Type.Integer(),
      dailyDigest: Type.Boolean(),
      showNames: Type.Boolean(),
    }),
  ),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const errors = { 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema };

/** The dashboard's Summaries page. A summary of a school the user cannot read is 404, like an unknown id. */
export const summariesRoute: FastifyPluginAsyncTypebox = async (app) => {
  const readable = async (request: FastifyRequest, id: string): Promise<StoredSummary> => {
    const access = request.viewer!.access;
    if (!access.hasAnyRole(SUMMARY_READERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
    const summary = await app.summaryStore.byId(id);
    if (!summary || !access.can(SUMMARY_READERS, summary.schoolId)) {
      throw new ConsoleError('CONSOLE_ERR_NOT_FOUND', 'No such summary');
    }
    return summary;
  };
  const schoolsOf = (request: FastifyRequest): string[] => {
    const access = request.viewer!.access;
    if (!access.hasAnyRole(SUMMARY_READERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
    return access.schoolsWith(SUMMARY_READERS);
  };

  app.get(
    SUMMARIES_API.list,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['summaries'],
        summary: "Weekly summaries of the user's schools, newest week first",
        response: {
          200: Type.Object({ items: Type.Array(SummaryListItemSchema) }),
          401: ErrorResponseSchema,
          403: ErrorResponseSchema,
        },
      },
    },
    async (request) => ({ items: await app.summaryStore.listForSchools(schoolsOf(request)) }),
  );

  app.get(
    SUMMARIES_API.one,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['summaries'],
        summary: 'One weekly summary: its data and the email HTML',
        params: IdParams,
        response: { 200: SummaryDetailSchema, ...errors },
      },
    },
    async (request) => {
      const s = await readable(request, request.params.id);
      await auditRequest(app, request, { action: 'summary.view', schoolId: s.schoolId, targetId: s.id });
      return { ...s, html: renderSummaryHtml(s.data) };
    },
  );

  app.get(
    SUMMARIES_API.pdf,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['summaries'],
        summary: 'One weekly summary as a PDF',
        params: IdParams,
        produces: ['application/pdf'],
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errors },
      },
    },
    async (request, reply) => {
      const s = await readable(request, request.params.id);
      const pdf = await renderSummaryPdf(s.data);
      await auditRequest(app, request, { action: 'summary.pdf', schoolId: s.schoolId, targetId: s.id });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="vigil-summary-${s.week}.pdf"`)
        .header('cache-control', 'private, no-store')
        .send(pdf);
    },
  );

  app.get(
    SUMMARIES_API.settings,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['summaries'],
        summary: 'Whether email is configured, and who receives each school summary',
        response: { 200: SummarySettingsResponseSchema, 401: ErrorResponseSchema, 403: ErrorResponseSchema },
      },
    },
    async (request) => {
      const schools = schoolsOf(request);
      return {
        emailConfigured: app.summaries.emailConfigured,
        recipients: await Promise.all(
          schools.map(async (schoolId) => ({ schoolId, emails: await app.summaries.recipients(schoolId) })),
        ),
        schools: await Promise.all(
          schools.map(async (schoolId) => {
            const { summaryTime, alertSeverity, dailyDigest, showNames } = await app.summaryStore.settings(schoolId);
            return { schoolId, summaryTime, alertSeverity, dailyDigest, showNames };
          }),
        ),
      };
    },
  );
};
