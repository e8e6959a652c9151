import type { FastifyPluginAsync } from 'fastify';
import { usersRoute } from './users.route';
import { overviewRoute } from './overview.route';
import { subjectAccessRoute } from './subject-access.route';

/** The people branch's dashboard routes and jobs, registered together (one line in app.ts). */
export const peopleRoutes: FastifyPluginAsync = async (app) => {
  await app.register(usersRoute);
  await app.register(overviewRoute);
  await app.register(subjectAccessRoute);
};
