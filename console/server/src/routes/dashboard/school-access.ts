import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConsoleError } from '../../errors';
import type { Role } from '../../repositories/users.repository';
import type { School } from '../../repositories/schools.repository';

/**
 * The school of a `/api/schools/:id/...` route, for someone holding one of `roles` there. No such
 * role anywhere: 403. A school the user has no role in (or that does not exist): 404, the same
 * answer either way. A role there, but not one of `roles`: 403.
 */
export async function schoolFor(
  app: FastifyInstance,
  request: FastifyRequest,
  schoolId: string,
  roles: readonly Role[],
): Promise<School> {
  const access = request.viewer!.access;
  if (!access.hasAnyRole(roles)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
  const school = await app.repos.schools.byId(schoolId);
  if (!school || access.rolesAt(school.id).length === 0)
    throw new ConsoleError('CONSOLE_ERR_NOT_FOUND', 'No such school');
  if (!access.can(roles, school.id)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
  return school;
}
