import fp from 'fastify-plugin';
import { usersRoute } from './users.route';
import { overviewRoute } from './overview.route';
import { subjectAccessRoute } from './subject-access.route';
import { reviewersRoute } from './reviewers.route';
import { sessionPurgePlugin } from '../../plugins/session-purge.plugin';

/** The people branch's dashboard routes and jobs, registered together (one line in app.ts). */
export const peopleRoutes = fp(
  async (app) => {
    await app.register(sessionPurgePlugin);
    await app.register(usersRoute);
    await app.register(overviewRoute);
    await app.register(subjectAccessRoute);
    await app.register(reviewersRoute);
  },
  { name: 'vigil-people', fastify: '5.x', dependencies: ['vigil-storage', 'vigil-session-auth'] },
);
