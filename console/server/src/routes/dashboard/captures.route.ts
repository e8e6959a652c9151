import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema } from '@vigil/shared';
import { ConsoleError } from '../../errors';
import { newId } from '../../ids';
import { CAPTURE_READERS, CAPTURE_REVIEWERS } from '../../auth/access';
import type { StoredCapture } from '../../repositories/captures.repository';
import { auditRequest } from '../../services/audit.service';
import {
  CaptureBulkResponseSchema,
  CaptureBulkSchema,
  CaptureDetailSchema,
  CaptureIdParamsSchema,
  CaptureListQuerySchema,
  CaptureListResponseSchema,
  CapturePatchSchema,
  HistoryEntrySchema,
  KeywordStatsResponseSchema,
  decodeCursor,
  encodeCursor,
  type CaptureSummary,
  type ReviewStatus,
} from './dashboard.schema';

export const DASHBOARD_CAPTURES_API = {
  list: '/api/captures',
  one: '/api/captures/:id',
  screenshot: '/api/captures/:id/screenshot',
  thumbnail: '/api/captures/:id/thumbnail',
  history: '/api/captures/:id/history',
  bulk: '/api/captures/bulk',
  keywordStats: '/api/keyword-stats',
} as const;

const EARLIER_CAPTURES = 5;
const IMAGE_TYPES: Record<string, string> = { webp: 'image/webp', png: 'image/png', jpeg: 'image/jpeg' };

export const summary = (c: StoredCapture): CaptureSummary => ({
  id: c.id,
  schoolId: c.schoolId,
  capturedAt: c.capturedAt,
  receivedAt: c.receivedAt,
  deviceId: c.deviceId,
  user: c.user,
  source: c.source,
  app: c.app,
  windowTitle: c.windowTitle,
  url: c.url,
  context: c.context,
  matches: c.matches,
  severity: c.severity,
  count: c.count,
  status: c.status as ReviewStatus,
  assigneeId: c.assigneeId,
  hold: c.hold,
  hasThumbnail: c.thumbnailKey !== null,
  groupId: c.groupId,
});

/** What a collapsed list shows of a capture's group. */
const groupInfo = async (app: FastifyInstance, groupId: string | null) => {
  const g = groupId ? await app.captureGroups.byId(groupId) : undefined;
  return g
    ? { id: g.id, memberCount: g.memberCount, pupilCount: g.pupilCount, firstAt: g.firstAt, lastAt: g.lastAt }
    : null;
};

const idRouteErrors = { 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema };

/**
 * The DSL's captures. Roles: org_admin, dsl and deputy_dsl read and review; head reads only; every
 * other role (school_admin, viewer) gets 403 on every capture route, whatever the id. A capture of
 * a school the user has no reading role in is 404, exactly as if it did not exist.
 */
export const dashboardCapturesRoute: FastifyPluginAsyncTypebox = async (app) => {
  /** The capture, if this user may read it; otherwise the same 404 as for an unknown id. */
  const readable = async (request: FastifyRequest, id: string): Promise<StoredCapture> => {
    const access = request.viewer!.access;
    if (!access.hasAnyRole(CAPTURE_READERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
    const capture = await app.repos.captures.byId(id);
    if (!capture || !access.can(CAPTURE_READERS, capture.schoolId)) {
      throw new ConsoleError('CONSOLE_ERR_NOT_FOUND', 'No such capture');
    }
    return capture;
  };

  app.get(
    DASHBOARD_CAPTURES_API.list,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['captures'],
        summary: "Captures of the user's schools, newest first, filtered, cursor-paginated",
        querystring: CaptureListQuerySchema,
        response: {
          200: CaptureListResponseSchema,
          400: ErrorResponseSchema,
          401: ErrorResponseSchema,
          403: ErrorResponseSchema,
        },
      },
    },
    async (request) => {
      const access = request.viewer!.access;
      if (!access.hasAnyRole(CAPTURE_READERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      const { cursor, limit = 50, schoolId, from, to, collapseGroups, ...filters } = request.query;
      const before = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !before) throw new ConsoleError('CONSOLE_ERR_VALIDATION', 'cursor is not valid');
      const visible = access.schoolsWith(CAPTURE_READERS);
      const rows = await app.repos.captures.search({
        ...filters,
        schoolIds: schoolId === undefined ? visible : visible.filter((s) => s === schoolId),
        from: from === undefined ? undefined : new Date(from).toISOString(),
        to: to === undefined ? undefined : new Date(to).toISOString(),
        before: before && { capturedAt: before.at, id: before.id },
        collapseGroups,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      await auditRequest(app, request, { action: 'capture.list', details: { returned: page.length } });
      return {
        items: collapseGroups
          ? await Promise.all(page.map(async (c) => ({ ...summary(c), group: await groupInfo(app, c.groupId) })))
          : page.map(summary),
        nextCursor: rows.length > limit && last ? encodeCursor(last.capturedAt, last.id) : null,
      };
    },
  );

  app.get(
    DASHBOARD_CAPTURES_API.one,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['captures'],
        summary: "One capture with the pupil's earlier captures; 404 when the user may not see it",
        params: CaptureIdParamsSchema,
        response: { 200: CaptureDetailSchema, ...idRouteErrors },
      },
    },
    async (request) => {
      const c = await readable(request, request.params.id);
      await auditRequest(app, request, { action: 'capture.view', schoolId: c.schoolId, targetId: c.id });
      return {
        ...summary(c),
        policyVersion: c.policyVersion,
        screenshot: { type: c.screenshot.type, width: c.screenshot.width, height: c.screenshot.height },
        earlierCaptures: (await app.repos.captures.earlierForUser(c, EARLIER_CAPTURES)).map(summary),
      };
    },
  );

  for (const kind of ['screenshot', 'thumbnail'] as const) {
    app.get(
      DASHBOARD_CAPTURES_API[kind],
      {
        onRequest: app.authenticateUser,
        schema: {
          tags: ['captures'],
          summary: `The capture's ${kind} image (private, never cached)`,
          params: CaptureIdParamsSchema,
          produces: Object.values(IMAGE_TYPES),
          response: {
            200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'WebP, PNG or JPEG' }),
            ...idRouteErrors,
          },
        },
      },
      async (request, reply) => {
        const c = await readable(request, request.params.id);
        const key = kind === 'screenshot' ? c.screenshot.key : c.thumbnailKey;
        const bytes = key ? await app.blobs.get(key) : undefined;
        if (!key || !bytes) throw new ConsoleError('CONSOLE_ERR_NOT_FOUND', `This capture has no ${kind}`);
        await auditRequest(app, request, { action: `capture.${kind}`, schoolId: c.schoolId, targetId: c.id });
        const type =
          kind === 'screenshot'
            ? c.screenshot.type
            : (IMAGE_TYPES[key.split('.').at(-1) ?? ''] ?? 'application/octet-stream');
        return reply
          .header('content-type', type)
          .header('cache-control', 'private, no-store')
          .header('x-content-type-options', 'nosniff')
          .send(bytes);
      },
    );
  }

  app.patch(
    DASHBOARD_CAPTURES_API.one,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['captures'],
        summary: 'Review: status, note, assignee (dsl, deputy_dsl, org_admin; every change kept as history)',
        params: CaptureIdParamsSchema,
        body: CapturePatchSchema,
        response: { 200: CaptureDetailSchema, 400: ErrorResponseSchema, ...idRouteErrors },
      },
    },
    async (request) => {
      const viewer = request.viewer!;
      if (!viewer.access.hasAnyRole(CAPTURE_REVIEWERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      const c = await readable(request, request.params.id);
      // A head of this school who is a DSL elsewhere still may not review here: read-only is per school.
      if (!viewer.access.can(CAPTURE_REVIEWERS, c.schoolId)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      const { status, note, assigneeId, hold } = request.body;
      if (assigneeId) {
        const ok = (await app.repos.users.idsWithRoleAt([assigneeId], CAPTURE_REVIEWERS, c.schoolId)).length === 1;
        if (!ok)
          throw new ConsoleError('CONSOLE_ERR_VALIDATION', 'assigneeId must be a user who can review this school');
      }
      const updated = await app.repos.captures.review(
        c,
        { status, note, assigneeId, hold },
        viewer.user.id,
        app.clock.now(),
        newId(),
      );
      await auditRequest(app, request, {
        action: 'capture.review',
        schoolId: c.schoolId,
        targetId: c.id,
        details: {
          statusFrom: c.status,
          statusTo: updated.status,
          assigneeTo: updated.assigneeId,
          hold: updated.hold,
          note: note !== undefined,
        },
      });
      app.live.captureUpdated(updated);
      return {
        ...summary(updated),
        policyVersion: updated.policyVersion,
        screenshot: {
          type: updated.screenshot.type,
          width: updated.screenshot.width,
          height: updated.screenshot.height,
        },
        earlierCaptures: (await app.repos.captures.earlierForUser(updated, EARLIER_CAPTURES)).map(summary),
      };
    },
  );

  app.get(
    DASHBOARD_CAPTURES_API.history,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['captures'],
        summary: 'Every review change of a capture, oldest first, with who and when',
        params: CaptureIdParamsSchema,
        response: { 200: Type.Object({ items: Type.Array(HistoryEntrySchema) }), ...idRouteErrors },
      },
    },
    async (request) => {
      const c = await readable(request, request.params.id);
      return { items: await app.repos.captures.history(c.id) };
    },
  );

  app.post(
    DASHBOARD_CAPTURES_API.bulk,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['captures'],
        summary:
          'Review several captures at once: the same status (and note) for each, each with its history row; all or nothing',
        body: CaptureBulkSchema,
        response: {
          200: CaptureBulkResponseSchema,
          400: ErrorResponseSchema,
          401: ErrorResponseSchema,
          403: ErrorResponseSchema,
          404: ErrorResponseSchema,
        },
      },
    },
    async (request) => {
      const viewer = request.viewer!;
      if (!viewer.access.hasAnyRole(CAPTURE_REVIEWERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      const { ids, status, note } = request.body;
      // Every id is checked before anything changes: one capture the user may not see or review stops them all.
      const captures: StoredCapture[] = [];
      for (const id of ids) captures.push(await readable(request, id));
      for (const c of captures) {
        if (!viewer.access.can(CAPTURE_REVIEWERS, c.schoolId)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      }
      const updated = await app.repos.captures.reviewMany(
        captures.map((capture) => ({ capture, historyId: newId() })),
        { status, note },
        viewer.user.id,
        app.clock.now(),
      );
      for (const c of captures) {
        await auditRequest(app, request, {
          action: 'capture.review',
          schoolId: c.schoolId,
          targetId: c.id,
          details: { statusFrom: c.status, statusTo: status, bulk: true, note: note !== undefined },
        });
      }
      for (const u of updated) app.live.captureUpdated(u);
      return {
        items: captures.map((c, i) => ({
          id: c.id,
          statusFrom: c.status as ReviewStatus,
          status: updated[i]!.status as ReviewStatus,
        })),
      };
    },
  );

  app.get(
    DASHBOARD_CAPTURES_API.keywordStats,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['captures'],
        summary: "Per keyword entry, over the user's schools: captures matching it and how many were false positives",
        response: { 200: KeywordStatsResponseSchema, 401: ErrorResponseSchema, 403: ErrorResponseSchema },
      },
    },
    async (request) => {
      const access = request.viewer!.access;
      if (!access.hasAnyRole(CAPTURE_READERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      return await app.repos.captures.keywordStats(access.schoolsWith(CAPTURE_READERS));
    },
  );
};
