import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ErrorResponseSchema } from '@vigil/shared';
import { ConsoleError } from '../../errors';
import type { Role } from '../../repositories/users.repository';
import type { School } from '../../repositories/schools.repository';
import { auditRequest } from '../../services/audit.service';
import { IdParamsSchema } from './dashboard.schema';
import {
  DraftOverridesSchema,
  ListsResponseSchema,
  PreviewRequestSchema,
  PreviewResponseSchema,
  PublishRequestSchema,
  PublishResponseSchema,
  VersionsResponseSchema,
} from './lists.schema';

/** Who may read a school's keyword lists. */
export const LIST_READERS: readonly Role[] = ['org_admin', 'school_admin', 'dsl', 'deputy_dsl', 'head'];
/** Who may edit, preview and publish them. */
export const LIST_EDITORS: readonly Role[] = ['org_admin', 'school_admin', 'dsl'];

export const LISTS_API = {
  lists: '/api/schools/:id/lists',
  draft: '/api/schools/:id/lists/draft',
  preview: '/api/schools/:id/lists/preview',
  publish: '/api/schools/:id/lists/publish',
  versions: '/api/schools/:id/lists/versions',
} as const;

const errors = { 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema };

/**
 * The school and the request's right to it: a school the user has no role in is 404 (as if it
 * did not exist); a role that may not do this is 403.
 */
export async function schoolWithRole(
  app: { repos: { schools: { byId(id: string): Promise<School | undefined> } } },
  request: FastifyRequest,
  schoolId: string,
  roles: readonly Role[],
): Promise<School> {
  const access = request.viewer!.access;
  const school = await app.repos.schools.byId(schoolId);
  if (!school || access.rolesAt(school.id).length === 0)
    throw new ConsoleError('CONSOLE_ERR_NOT_FOUND', 'No such school');
  if (!access.can(roles, school.id)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
  return school;
}

/** The keyword-list editor: the school's overrides on top of Vigil's curated lists. */
export const listsRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    LISTS_API.lists,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['lists'],
        summary: "The school's keyword lists: published version, draft overrides, categories, entries, exclusions",
        params: IdParamsSchema,
        response: { 200: ListsResponseSchema, ...errors },
      },
    },
    async (request) => await app.lists.view((await schoolWithRole(app, request, request.params.id, LIST_READERS)).id),
  );

  app.put(
    LISTS_API.draft,
    {
      onRequest: app.authenticateUser,
      // Unknown properties would be dropped by validation; this one is a likely mistake worth naming.
      preValidation: async (request) => {
        const body = request.body as Record<string, unknown> | null;
        if (body && typeof body === 'object' && 'settings' in body) {
          throw new ConsoleError(
            'CONSOLE_ERR_VALIDATION',
            "settings: agent settings are not part of the lists; change them in the school's settings",
          );
        }
      },
      schema: {
        tags: ['lists'],
        summary: 'Replace the draft overrides (org_admin, school_admin, dsl); bad input saves nothing',
        params: IdParamsSchema,
        body: DraftOverridesSchema,
        response: { 200: ListsResponseSchema, 400: ErrorResponseSchema, ...errors },
      },
    },
    async (request) => {
      const school = await schoolWithRole(app, request, request.params.id, LIST_EDITORS);
      const d = await app.lists.saveDraft(school.id, request.body, request.viewer!.user.id, app.clock.now());
      await auditRequest(app, request, {
        action: 'lists.draft_update',
        schoolId: school.id,
        targetId: school.id,
        details: {
          disabledCategories: d.disabledCategories.length,
          disabledEntries: d.disabledEntries.length,
          severityChanges: Object.keys(d.severity).length,
          localPhrases: d.localPhrases.length,
          exclusions: d.exclusions.length,
        },
      });
      return await app.lists.view(school.id);
    },
  );

  app.post(
    LISTS_API.preview,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['lists'],
        summary: "What the draft's (or the published) lists match in a sample text, by the agents' matcher",
        params: IdParamsSchema,
        body: PreviewRequestSchema,
        response: { 200: PreviewResponseSchema, 400: ErrorResponseSchema, ...errors },
      },
    },
    async (request) => {
      const school = await schoolWithRole(app, request, request.params.id, LIST_EDITORS);
      return { matches: await app.lists.preview(school.id, request.body.text, request.body.draft ?? true) };
    },
  );

  app.post(
    LISTS_API.publish,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['lists'],
        summary: 'Publish the draft as the next version; agents get it (a new ETag) at their next policy check',
        params: IdParamsSchema,
        body: PublishRequestSchema,
        response: { 200: PublishResponseSchema, 400: ErrorResponseSchema, 409: ErrorResponseSchema, ...errors },
      },
    },
    async (request) => {
      const school = await schoolWithRole(app, request, request.params.id, LIST_EDITORS);
      const changelog = request.body.changelog.trim();
      if (changelog === '') throw new ConsoleError('CONSOLE_ERR_VALIDATION', 'changelog: say what changed');
      const result = await app.lists.publish(school.id, changelog, request.viewer!.user.id, app.clock.now());
      await auditRequest(app, request, {
        action: 'lists.publish',
        schoolId: school.id,
        targetId: school.id,
        details: { version: result.version, policyVersion: result.policyVersion },
      });
      app.live.listsPublished({
        schoolId: school.id,
        version: result.version,
        policyVersion: result.policyVersion,
        publishedAt: result.publishedAt,
      });
      return result;
    },
  );

  app.get(
    LISTS_API.versions,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['lists'],
        summary: 'Every published version of the school, newest first, with its changelog',
        params: IdParamsSchema,
        response: { 200: VersionsResponseSchema, ...errors },
      },
    },
    async (request) => {
      const school = await schoolWithRole(app, request, request.params.id, LIST_READERS);
      return {
        items: (await app.lists.repo.versions(school.id)).map((v) => ({
          version: v.version,
          policyVersion: v.policyVersion,
          publishedAt: v.publishedAt,
          publishedBy: v.publishedBy,
          changelog: v.changelog,
        })),
      };
    },
  );
};
