import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema, SeveritySchema } from '@vigil/shared';
import type { Role } from '../repositories/users.repository';
import { auditRequest } from '../services/audit.service';
import { IdParamsSchema } from '../routes/dashboard/dashboard.schema';
import { schoolWithRole } from '../routes/dashboard/lists.route';
import { ConsoleError } from '../errors';
import { MAX_EXTRA_EMAILS, RECIPIENT_ROLES } from './summaries.repository';
import { RecipientSettingsError, applyRecipientChange, settingsAuditDetails } from './recipient-settings';

export const SUMMARY_SETTINGS_READERS: readonly Role[] = ['org_admin', 'school_admin', 'dsl', 'head'];
export const SUMMARY_SETTINGS_WRITERS: readonly Role[] = ['org_admin', 'school_admin', 'dsl'];

export const SCHOOL_SUMMARY_SETTINGS_API = '/api/schools/:id/summary-settings';

const RoleListSchema = Type.Array(Type.Union(RECIPIENT_ROLES.map((r) => Type.Literal(r))), { maxItems: 10 });
const EmailListSchema = Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 });
const RecipientsSchema = Type.Array(
  Type.Object({ email: Type.String(), role: Type.String({ description: 'the role held, or "extra"' }) }),
);

const TimeSchema = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, Europe/London' });

export const SchoolSummarySettingsSchema = Type.Object({
  sendDay: Type.Literal('monday', { description: 'the weekly summary is built on Mondays for the week before' }),
  sendTime: TimeSchema,
  recipients: Type.Array(Type.Object({ email: Type.String(), role: Type.String() }), {
    description: 'who receives the weekly summary: holders of `summaryRoles` at the school, then the extra addresses',
  }),
  alertRecipients: RecipientsSchema,
  summaryRoles: Type.Array(Type.String(), { description: 'roles that receive the weekly summary' }),
  alertRoles: Type.Array(Type.String(), { description: 'roles that receive immediate alerts and the daily digest' }),
  summaryExtraEmails: Type.Array(Type.String()),
  alertExtraEmails: Type.Array(Type.String()),
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
    summaryRoles: Type.Optional(RoleListSchema),
    alertRoles: Type.Optional(RoleListSchema),
    summaryExtraEmails: Type.Optional(EmailListSchema),
    alertExtraEmails: Type.Optional(EmailListSchema),
  },
  { additionalProperties: false },
);

const errors = { 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema };

/** A school's weekly-summary and alert settings (the dashboard's form for `summary_settings`). */
export const schoolSummarySettingsRoute: FastifyPluginAsyncTypebox = async (app) => {
  const view = async (schoolId: string) => {
    const s = await app.summaryStore.settings(schoolId);
    return {
      sendDay: 'monday' as const,
      sendTime: s.summaryTime,
      recipients: await app.summaryStore.recipients(schoolId, 'summary', s),
      alertRecipients: await app.summaryStore.recipients(schoolId, 'alert', s),
      summaryRoles: s.summaryRoles,
      alertRoles: s.alertRoles,
      summaryExtraEmails: s.summaryExtraEmails,
      alertExtraEmails: s.alertExtraEmails,
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
        summary:
          'Change the summary time, alert severity, daily digest, names and recipients (org_admin, school_admin, dsl). ' +
          `Recipients: roles (${RECIPIENT_ROLES.join(', ')}) and at most ${MAX_EXTRA_EMAILS} extra addresses per list; ` +
          'a list left without any recipient is refused (400)',
        params: IdParamsSchema,
        body: SchoolSummarySettingsUpdateSchema,
        response: { 200: SchoolSummarySettingsSchema, 400: ErrorResponseSchema, ...errors },
      },
    },
    async (request) => {
      const school = await schoolWithRole(app, request, request.params.id, SUMMARY_SETTINGS_WRITERS);
      const before = await app.summaryStore.settings(school.id);
      const b = request.body;
      let withRecipients;
      try {
        withRecipients = await applyRecipientChange(app.summaryStore, before, b);
      } catch (err) {
        if (err instanceof RecipientSettingsError) throw new ConsoleError('CONSOLE_ERR_VALIDATION', err.message);
        throw err;
      }
      const next = {
        ...withRecipients,
        summaryTime: b.sendTime ?? before.summaryTime,
        showNames: b.includeNames ?? before.showNames,
        alertSeverity: b.alertSeverity ?? before.alertSeverity,
        dailyDigest: b.dailyDigest ?? before.dailyDigest,
      };
      await app.summaryStore.saveSettings(next, app.clock.now());
      await auditRequest(app, request, {
        action: 'summary.settings_update',
        schoolId: school.id,
        targetId: school.id,
        details: settingsAuditDetails(next),
      });
      return view(school.id);
    },
  );
};
