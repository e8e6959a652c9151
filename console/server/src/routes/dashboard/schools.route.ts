import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { DEFAULT_POLICY_SETTINGS, ErrorResponseSchema } from '@vigil/shared';
import { ConsoleError } from '../../errors';
import { SCHOOL_ADMINS } from '../../auth/access';
import type { School, SchoolSettings } from '../../repositories/schools.repository';
import { rotateEnrolmentToken } from '../../services/school-admin.service';
import { auditRequest } from '../../services/audit.service';
import { actorOf } from './devices.route';
import {
  EnrolmentTokenResponseSchema,
  IdParamsSchema,
  SchoolSettingsSchema,
  SchoolSettingsUpdateSchema,
} from './dashboard.schema';

export const SCHOOLS_API = {
  enrolmentToken: '/api/schools/:id/enrolment-token',
  rotate: '/api/schools/:id/enrolment-token/rotate',
  settings: '/api/schools/:id/settings',
} as const;

/** Settings as the dashboard sees them: tray settings left unset show their defaults. */
const settingsView = (s: SchoolSettings) => ({
  ...s,
  supportCard: s.supportCard ?? DEFAULT_POLICY_SETTINGS.supportCard ?? true,
  trayHidden: s.trayHidden ?? DEFAULT_POLICY_SETTINGS.trayHidden ?? false,
  privacyNotice: s.privacyNotice ?? null,
});

const idRouteErrors = { 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema };

/**
 * A school's enrolment token and settings: school_admin and org_admin of the school. Other roles
 * get 403; a school the user has no role in is 404, as if it did not exist.
 */
export const schoolsRoute: FastifyPluginAsyncTypebox = async (app) => {
  const administered = async (request: FastifyRequest, schoolId: string): Promise<School> => {
    const access = request.viewer!.access;
    if (!access.hasAnyRole(SCHOOL_ADMINS)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
    const school = await app.repos.schools.byId(schoolId);
    if (!school || access.rolesAt(school.id).length === 0) {
      throw new ConsoleError('CONSOLE_ERR_NOT_FOUND', 'No such school');
    }
    if (!access.can(SCHOOL_ADMINS, school.id)) throw new ConsoleError('CONSOLE_ERR_FORBIDDEN');
    return school;
  };

  app.get(
    SCHOOLS_API.enrolmentToken,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['schools'],
        summary: "The school's enrolment token, for enrolling devices (school_admin, org_admin)",
        params: IdParamsSchema,
        response: { 200: EnrolmentTokenResponseSchema, ...idRouteErrors },
      },
    },
    async (request, reply) => {
      const school = await administered(request, request.params.id);
      await auditRequest(app, request, {
        action: 'school.enrolment_token_view',
        schoolId: school.id,
        targetId: school.id,
      });
      reply.header('cache-control', 'private, no-store');
      return { schoolId: school.id, enrolmentToken: school.enrolmentToken };
    },
  );

  app.post(
    SCHOOLS_API.rotate,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['schools'],
        summary: 'A new enrolment token; the old one stops working at once (enrolled devices are unaffected)',
        params: IdParamsSchema,
        response: { 200: EnrolmentTokenResponseSchema, ...idRouteErrors },
      },
    },
    async (request, reply) => {
      const school = await administered(request, request.params.id);
      const token = await rotateEnrolmentToken(app.repos, school.id, app.clock.now(), actorOf(request));
      reply.header('cache-control', 'private, no-store');
      return { schoolId: school.id, enrolmentToken: token };
    },
  );

  app.get(
    SCHOOLS_API.settings,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['schools'],
        summary: "The school's settings: retention (days), severities, monitored hours",
        params: IdParamsSchema,
        response: { 200: SchoolSettingsSchema, ...idRouteErrors },
      },
    },
    async (request) =>
      settingsView(await app.repos.schools.settings((await administered(request, request.params.id)).id)),
  );

  app.put(
    SCHOOLS_API.settings,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['schools'],
        summary: "Replace the school's settings (school_admin, org_admin); omitted optional fields become null",
        params: IdParamsSchema,
        body: SchoolSettingsUpdateSchema,
        response: { 200: SchoolSettingsSchema, 400: ErrorResponseSchema, ...idRouteErrors },
      },
    },
    async (request) => {
      const school = await administered(request, request.params.id);
      const body = request.body;
      const before = await app.repos.schools.settings(school.id);
      const settings = {
        retentionDays: body.retentionDays,
        minSeverity: body.minSeverity ?? null,
        alertSeverity: body.alertSeverity ?? null,
        monitoredHours: body.monitoredHours ?? null,
        supportCard: body.supportCard ?? null,
        trayHidden: body.trayHidden ?? null,
        privacyNotice: body.privacyNotice ?? null,
      };
      await app.repos.schools.saveSettings(school.id, settings, app.clock.now());
      await auditRequest(app, request, {
        action: 'school.settings_update',
        schoolId: school.id,
        targetId: school.id,
        details: {
          retentionDaysFrom: before.retentionDays,
          retentionDaysTo: settings.retentionDays,
          minSeverity: settings.minSeverity,
          alertSeverity: settings.alertSeverity,
          monitoredHours: settings.monitoredHours?.length ?? null,
          supportCard: settings.supportCard,
          trayHidden: settings.trayHidden,
          privacyNotice: settings.privacyNotice === null ? 'default' : 'custom',
        },
      });
      return settingsView(settings);
    },
  );
};
