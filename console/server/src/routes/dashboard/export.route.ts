import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema } from '@vigil/shared';
import { ConsoleError } from '../../errors';
import { CAPTURE_EXPORTERS, CAPTURE_READERS } from '../../auth/access';
import type { StoredCapture } from '../../repositories/captures.repository';
import { auditRequest } from '../../services/audit.service';
import { captureCsvRow, csvHeader, incidentReportPdf } from '../../services/capture-export.service';
import { CaptureIdParamsSchema, CaptureListQuerySchema } from './dashboard.schema';

export const EXPORT_API = {
  csv: '/api/captures/export.csv',
  pdf: '/api/captures/:id/report.pdf',
} as const;

/** At most this many captures in one CSV: narrow the filters for more. */
export const CSV_MAX_ROWS = 50_000;
const PAGE = 500;

const { cursor: _cursor, limit: _limit, ...exportFilters } = CaptureListQuerySchema.properties;
const ExportQuerySchema = Type.Object(exportFilters, { additionalProperties: false });

/** Exports for dsl, deputy_dsl, org_admin and head: a CSV of the list, a PDF of one capture. Each is audited. */
export const exportRoute: FastifyPluginAsyncTypebox = async (app) => {
  const exportable = async (request: FastifyRequest, id: string): Promise<StoredCapture> => {
    const access = request.viewer!.access;
    if (!access.hasAnyRole(CAPTURE_EXPORTERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
    const capture = await app.repos.captures.byId(id);
    if (!capture || !access.can(CAPTURE_READERS, capture.schoolId)) {
      throw new ConsoleError('CONSOLE_ERR_NOT_FOUND', 'No such capture');
    }
    if (!access.can(CAPTURE_EXPORTERS, capture.schoolId)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
    return capture;
  };

  app.get(
    EXPORT_API.csv,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['captures'],
        summary: 'The filtered capture list as CSV (same filters as GET /api/captures), newest first',
        querystring: ExportQuerySchema,
        produces: ['text/csv'],
        response: {
          200: Type.String({ description: 'text/csv with a header row' }),
          400: ErrorResponseSchema,
          401: ErrorResponseSchema,
          403: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const access = request.viewer!.access;
      if (!access.hasAnyRole(CAPTURE_EXPORTERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      const { schoolId, from, to, ...filters } = request.query;
      const visible = access.schoolsWith(CAPTURE_EXPORTERS);
      const lines = [csvHeader()];
      let before: { capturedAt: string; id: string } | undefined;
      let count = 0;
      for (;;) {
        const page = await app.repos.captures.search({
          ...filters,
          schoolIds: schoolId === undefined ? visible : visible.filter((s) => s === schoolId),
          from: from === undefined ? undefined : new Date(from).toISOString(),
          to: to === undefined ? undefined : new Date(to).toISOString(),
          before,
          limit: Math.min(PAGE, CSV_MAX_ROWS - count),
        });
        for (const c of page) lines.push(captureCsvRow(c));
        count += page.length;
        const last = page.at(-1);
        if (!last || page.length < PAGE || count >= CSV_MAX_ROWS) break;
        before = { capturedAt: last.capturedAt, id: last.id };
      }
      await auditRequest(app, request, {
        action: 'capture.export',
        schoolId: schoolId ?? null,
        details: { format: 'csv', rows: count },
      });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="vigil-captures.csv"')
        .header('cache-control', 'private, no-store')
        .send(`${lines.join('\r\n')}\r\n`);
    },
  );

  app.get(
    EXPORT_API.pdf,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['captures'],
        summary:
          'A one-capture incident report (PDF): school, device, user, times, matches, context, history, screenshot',
        params: CaptureIdParamsSchema,
        produces: ['application/pdf'],
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'application/pdf' }),
          401: ErrorResponseSchema,
          403: ErrorResponseSchema,
          404: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const c = await exportable(request, request.params.id);
      const device = await app.repos.devices.byId(c.deviceId);
      const pdf = await incidentReportPdf({
        capture: c,
        schoolName: (await app.repos.schools.byId(c.schoolId))?.name ?? c.schoolId,
        device: device ? { hostname: device.hostname, os: device.os } : null,
        history: await app.repos.captures.history(c.id),
        screenshot: await app.blobs.get(c.screenshot.key),
        generatedAt: app.clock.now(),
        generatedBy: request.viewer!.user.email,
      });
      await auditRequest(app, request, {
        action: 'capture.export',
        schoolId: c.schoolId,
        targetId: c.id,
        details: { format: 'pdf', bytes: pdf.length },
      });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="vigil-incident-${c.id}.pdf"`)
        .header('cache-control', 'private, no-store')
        .send(pdf);
    },
  );
};
