import type { FastifyPluginAsync } from 'fastify';
import { usersRoute } from './users.route';

/** The people branch's dashboard routes and jobs, registered together (one line in app.ts). */
export const peopleRoutes: FastifyPluginAsync = async (app) => {
  await app.register(usersRoute);
};
