import fp from 'fastify-plugin';
import { PolicyService } from '../services/policy.service';
import { ListsService } from '../services/lists.service';
import { CaptureGroupsRepository } from '../repositories/capture-groups.repository';

declare module 'fastify' {
  interface FastifyInstance {
    /** The policy each school's agents run (curated lists + published overrides + settings), cached. */
    policies: PolicyService;
    /** The keyword-list editor: drafts, preview, publish, versions. */
    lists: ListsService;
    /** Capture groups: decided at ingest, read by the captures list and the group routes. */
    captureGroups: CaptureGroupsRepository;
  }
}

export const listsPlugin = fp(
  async (app) => {
    const policies = new PolicyService(app.database.kysely);
    app.decorate('policies', policies);
    app.decorate('lists', new ListsService(app.database.kysely, policies));
    app.decorate('captureGroups', new CaptureGroupsRepository(app.database.kysely));
  },
  { name: 'vigil-lists', fastify: '5.x', dependencies: ['vigil-storage'] },
);
