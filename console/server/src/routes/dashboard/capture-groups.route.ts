import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema, SeveritySchema } from '@vigil/shared';
import { ConsoleError } from '../../errors';
import { newId } from '../../ids';
import { CAPTURE_READERS, CAPTURE_REVIEWERS } from '../../auth/access';
import type { CaptureGroup } from '../../repositories/capture-groups.repository';
import type { StoredCapture } from '../../repositories/captures.repository';
import { auditRequest } from '../../services/audit.service';
import { summary } from './captures.route';
import { CaptureSummarySchema, ReviewStatusSchema } from './dashboard.schema';

export const CAPTURE_GROUPS_API = {
  one: '/api/capture-groups/:groupId',
  review: '/api/capture-groups/:groupId/review',
} as const;

const GroupParamsSchema = Type.Object({ groupId: Type.String({ minLength: 1, maxLength: 100 }) });

export const CaptureGroupSchema = Type.Object({
  id: Type.String(),
  schoolId: Type.String(),
  entryId: Type.String(),
  phrase: Type.String(),
  category: Type.String(),
  severity: SeveritySchema,
  firstAt: Type.String(),
  lastAt: Type.String(),
  members: Type.Array(CaptureSummarySchema, { description: 'newest first' }),
});

const GroupReviewSchema = Type.Object(
  {
    status: ReviewStatusSchema,
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
  },
  { additionalProperties: false },
);

const errors = { 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema };

/**
 * Capture groups: the same keyword entry for 3 or more pupils of a school within an hour (a class
 * reading Macbeth), shown and reviewed as one item. Same roles as captures; a group of a school
 * the user may not read is 404, like an unknown id.
 */
export const captureGroupsRoute: FastifyPluginAsyncTypebox = async (app) => {
  const readable = async (
    request: FastifyRequest,
    id: string,
  ): Promise<{ group: CaptureGroup; members: StoredCapture[] }> => {
    const access = request.viewer!.access;
    if (!access.hasAnyRole(CAPTURE_READERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
    const group = await app.captureGroups.byId(id);
    if (!group || !access.can(CAPTURE_READERS, group.schoolId)) {
      throw new ConsoleError('CONSOLE_ERR_NOT_FOUND', 'No such capture group');
    }
    const members: StoredCapture[] = [];
    for (const m of await app.captureGroups.memberIds(group.id)) {
      const c = await app.repos.captures.byId(m);
      if (c) members.push(c);
    }
    return { group, members };
  };

  app.get(
    CAPTURE_GROUPS_API.one,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['captures'],
        summary: 'A capture group with its members (newest first)',
        params: GroupParamsSchema,
        response: { 200: CaptureGroupSchema, ...errors },
      },
    },
    async (request) => {
      const { group, members } = await readable(request, request.params.groupId);
      await auditRequest(app, request, {
        action: 'capture_group.view',
        schoolId: group.schoolId,
        targetId: group.id,
        details: { members: members.length },
      });
      return {
        id: group.id,
        schoolId: group.schoolId,
        entryId: group.entryId,
        phrase: group.phrase,
        category: group.category,
        severity: group.severity,
        firstAt: group.firstAt,
        lastAt: group.lastAt,
        members: members.map(summary),
      };
    },
  );

  app.post(
    CAPTURE_GROUPS_API.review,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['captures'],
        summary: 'Review every member of a group: each gets its own history row and audit entry; all or nothing',
        params: GroupParamsSchema,
        body: GroupReviewSchema,
        response: { 200: Type.Object({ updated: Type.Integer() }), 400: ErrorResponseSchema, ...errors },
      },
    },
    async (request) => {
      const viewer = request.viewer!;
      if (!viewer.access.hasAnyRole(CAPTURE_REVIEWERS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      const { group, members } = await readable(request, request.params.groupId);
      if (!viewer.access.can(CAPTURE_REVIEWERS, group.schoolId)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
      const { status, note } = request.body;
      const updated = await app.repos.captures.reviewMany(
        members.map((capture) => ({ capture, historyId: newId() })),
        { status, note },
        viewer.user.id,
        app.clock.now(),
      );
      for (const c of members) {
        await auditRequest(app, request, {
          action: 'capture.review',
          schoolId: c.schoolId,
          targetId: c.id,
          details: { statusFrom: c.status, statusTo: status, group: group.id, note: note !== undefined },
        });
      }
      for (const u of updated) app.live.captureUpdated(u);
      return { updated: updated.length };
    },
  );
};
