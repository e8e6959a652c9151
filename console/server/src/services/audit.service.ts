import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditAction } from '../repositories/audit.repository';
import { organisationOf } from './user-accounts.service';

/** Writes one audit row for a dashboard request, with the signed-in user as the actor. */
export async function auditRequest(
  app: FastifyInstance,
  request: FastifyRequest,
  entry: {
    action: AuditAction;
    outcome?: 'success' | 'failure';
    schoolId?: string | null;
    targetId?: string | null;
    details?: Record<string, string | number | boolean | null>;
  },
): Promise<void> {
  const viewer = request.viewer;
  const schoolId = entry.schoolId ?? null;
  const organisationId = schoolId
    ? ((await app.repos.schools.byId(schoolId))?.organisationId ?? null)
    : viewer
      ? await organisationOf(app.repos, viewer.access.grants)
      : null;
  await app.repos.audit.append(
    {
      action: entry.action,
      outcome: entry.outcome ?? 'success',
      actorUserId: viewer?.user.id ?? null,
      actorLabel: viewer?.user.email ?? 'anonymous',
      organisationId,
      schoolId,
      targetId: entry.targetId ?? null,
      ip: request.ip,
      details: entry.details,
    },
    app.clock.now(),
  );
}
