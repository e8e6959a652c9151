import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema, SeveritySchema } from '@vigil/shared';
import type { Role } from '../repositories/users.repository';
import { auditRequest } from '../services/audit.service';
import { IdParamsSchema } from '../routes/dashboard/dashboard.schema';
import { schoolWithRole } from '../routes/dashboard/lists.route';
import { SUMMARY_RECIPIENT_ROLES } from './summary.service';

export const SUMMARY_SETTINGS_READERS: readonly Role[] = ['org_admin', 'school_admin', 'dsl', 'head'];
export const SUMMARY_SETTINGS_WRITERS: readonly Role[] = ['org_admin', 'school_admin', 'dsl'];

export const SCHOOL_SUMMARY_SETTINGS_API = '/api/schools/:id/summary-settings';

const TimeSchema = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, Europe/London' });

export const SchoolSummarySettingsSchema = Type.Object({
  sendDay: Type.Literal('monday', { description: 'the weekly summary is built on Mondays for the week before' }),
  sendTime: TimeSchema,
  recipients: Type.Array(Type.Object({ email: Type.String(), role: Type.String() }), {
    description: "the school's heads, DSLs and deputy DSLs (by role: give someone the role to add them)",
  }),
  includeNames: Type.Boolean({
    description: 'pupils by name (from the pupil directory; else the login) instead of initials',
  }),
  alertSeverity: SeveritySchema,
  dailyDigest: Type.Boolean({ description: 'a daily digest of severity-3 captures' }),
  emailConfigured: Type.Boolean(),
});

export const SchoolSummarySettingsUpdateSchema = Type.Object(
  {
    sendDay: Type.Optional(Type.Literal('monday')),
    sendTime: Type.Optional(TimeSchema),
    includeNames: Type.Optional(Type.Boolean()),
    alertSeverity: Type.Optional(SeveritySchema),
    dailyDigest: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const errors = { 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema };

/** A school's weekly-summary and alert settings (the dashboard's form for `summary_settings`). */
export const schoolSummarySettingsRoute: FastifyPluginAsyncTypebox = async (app) => {
  const view = (schoolId: string) => {
    const s = app.summaryStore.settings(schoolId);
    return {
      sendDay: 'monday' as const,
      sendTime: s.summaryTime,
      recipients: app.summaryStore.recipientRoles(schoolId, SUMMARY_RECIPIENT_ROLES),
      includeNames: s.showNames,
      alertSeverity: s.alertSeverity,
      dailyDigest: s.dailyDigest,
      emailConfigured: app.summaries.emailConfigured,
    };
  };

  app.get(
    SCHOOL_SUMMARY_SETTINGS_API,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['summaries'],
        summary: "The school's weekly summary and alert settings (org_admin, school_admin, dsl, head)",
        params: IdParamsSchema,
        response: { 200: SchoolSummarySettingsSchema, ...errors },
      },
    },
    async (request) => view((await schoolWithRole(app, request, request.params.id, SUMMARY_SETTINGS_READERS)).id),
  );

  app.put(
    SCHOOL_SUMMARY_SETTINGS_API,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['summaries'],
        summary: 'Change the summary time, alert severity, daily digest, names (org_admin, school_admin, dsl)',
        params: IdParamsSchema,
        body: SchoolSummarySettingsUpdateSchema,
        response: { 200: SchoolSummarySettingsSchema, 400: ErrorResponseSchema, ...errors },
      },
    },
    async (request) => {
      const school = await schoolWithRole(app, request, request.params.id, SUMMARY_SETTINGS_WRITERS);
      const before = app.summaryStore.settings(school.id);
      const b = request.body;
      const next = {
        ...before,
        summaryTime: b.sendTime ?? before.summaryTime,
        showNames: b.includeNames ?? before.showNames,
        alertSeverity: b.alertSeverity ?? before.alertSeverity,
        dailyDigest: b.dailyDigest ?? before.dailyDigest,
      };
      app.summaryStore.saveSettings(next, app.clock.now());
      await auditRequest(app, request, {
        action: 'summary.settings_update',
        schoolId: school.id,
        targetId: school.id,
        details: {
          sendTime: next.summaryTime,
          includeNames: next.showNames,
          alertSeverity: next.alertSeverity,
          dailyDigest: next.dailyDigest,
        },
      });
      return view(school.id);
    },
  );
};
