import { Type, type Static } from '@sinclair/typebox';
import {
  CaptureMatchSchema,
  CaptureSourceSchema,
  IsoInstantSchema,
  MonitoredHoursSchema,
  SeveritySchema,
} from '@vigil/shared';
import { ROLES } from '../../repositories/users.repository';
import { REVIEW_STATUSES } from '../../repositories/captures.repository';
import { AUDIT_ACTIONS } from '../../repositories/audit.repository';

/** Dashboard API shapes. They live in the console until the web app needs them from @vigil/shared. */

export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
export const ReviewStatusSchema = Type.Union(REVIEW_STATUSES.map((s) => Type.Literal(s)));
export type ReviewStatus = Static<typeof ReviewStatusSchema>;

export const LoginRequestSchema = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1000 }),
    totp: Type.Optional(Type.String({ maxLength: 10, description: 'the 6-digit code, for roles that need 2FA' })),
    recoveryCode: Type.Optional(
      Type.String({ maxLength: 40, description: 'instead of totp: one of the recovery codes (each works once)' }),
    ),
  },
  { additionalProperties: false },
);

export const MeResponseSchema = Type.Object({
  user: Type.Object({
    id: Type.String(),
    email: Type.String(),
    mustChangePassword: Type.Boolean(),
    totpEnrolled: Type.Boolean(),
    totpSetupRequired: Type.Boolean({
      description: 'a role that needs 2FA with no confirmed authenticator: only the set-up routes answer',
    }),
    displayName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  }),
  grants: Type.Array(
    Type.Object({
      role: RoleSchema,
      schoolId: Type.Union([Type.String(), Type.Null()]),
      organisationId: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  schools: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), roles: Type.Array(RoleSchema) }), {
    description: 'every school the user has a role in, org-wide roles expanded',
  }),
  csrfToken: Type.String({ description: 'send as the x-vigil-csrf header on POST, PATCH, PUT and DELETE' }),
  sessionExpiresAt: IsoInstantSchema,
});
export type MeResponse = Static<typeof MeResponseSchema>;

export const CaptureListQuerySchema = Type.Object(
  {
    severityMin: Type.Optional(SeveritySchema),
    severityMax: Type.Optional(SeveritySchema),
    category: Type.Optional(Type.String({ pattern: '^[a-z0-9_-]{1,100}$' })),
    status: Type.Optional(ReviewStatusSchema),
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the pupil (signed-in user name)' })),
    deviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    source: Type.Optional(CaptureSourceSchema),
    schoolId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'captured at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'captured at or before' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'text in the context or window title' })),
    collapseGroups: Type.Optional(
      Type.Boolean({ description: 'a capture group once, as its newest member, with `group` filled in' }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 500, description: 'nextCursor of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
);

const captureCore = {
  id: Type.String(),
  schoolId: Type.String(),
  capturedAt: IsoInstantSchema,
  receivedAt: IsoInstantSchema,
  deviceId: Type.String(),
  user: Type.String(),
  source: CaptureSourceSchema,
  app: Type.String(),
  windowTitle: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
  context: Type.String(),
  matches: Type.Array(CaptureMatchSchema),
  severity: SeveritySchema,
  count: Type.Integer(),
  status: ReviewStatusSchema,
  assigneeId: Type.Union([Type.String(), Type.Null()]),
  hold: Type.Boolean({ description: 'kept past the retention period' }),
  hasThumbnail: Type.Boolean(),
  groupId: Type.Union([Type.String(), Type.Null()], { description: 'its capture group, if any' }),
};

export const CaptureGroupInfoSchema = Type.Object({
  id: Type.String(),
  memberCount: Type.Integer(),
  pupilCount: Type.Integer(),
  firstAt: Type.String(),
  lastAt: Type.String(),
});

export const CaptureSummarySchema = Type.Object(captureCore);
export type CaptureSummary = Static<typeof CaptureSummarySchema>;

export const CaptureListResponseSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      ...captureCore,
      group: Type.Optional(
        Type.Union([CaptureGroupInfoSchema, Type.Null()], { description: 'with collapseGroups=true only' }),
      ),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const CaptureDetailSchema = Type.Object({
  ...captureCore,
  policyVersion: Type.String(),
  screenshot: Type.Object({ type: Type.String(), width: Type.Integer(), height: Type.Integer() }),
  earlierCaptures: Type.Array(CaptureSummarySchema, { description: "the same pupil's earlier captures, a few" }),
});

export const CaptureIdParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const CapturePatchSchema = Type.Object(
  {
    status: Type.Optional(ReviewStatusSchema),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
    assigneeId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    hold: Type.Optional(Type.Boolean({ description: 'keep past the retention period (dsl, deputy_dsl, org_admin)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const CaptureBulkSchema = Type.Object(
  {
    ids: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 500, uniqueItems: true }),
    status: ReviewStatusSchema,
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
  },
  { additionalProperties: false },
);

export const CaptureBulkResponseSchema = Type.Object({
  items: Type.Array(Type.Object({ id: Type.String(), status: ReviewStatusSchema, statusFrom: ReviewStatusSchema })),
});

export const KeywordStatsResponseSchema = Type.Array(
  Type.Object({
    entryId: Type.String(),
    phrase: Type.String(),
    category: Type.String(),
    falsePositives: Type.Integer({ description: 'captures matching this entry marked false_positive' }),
    total: Type.Integer({ description: 'captures matching this entry' }),
  }),
);

export const DeviceSchema = Type.Object({
  id: Type.String(),
  schoolId: Type.String(),
  hostname: Type.String(),
  os: Type.String(),
  osVersion: Type.Union([Type.String(), Type.Null()]),
  agentVersion: Type.String(),
  policyVersion: Type.Union([Type.String(), Type.Null()]),
  queueDepth: Type.Union([Type.Integer(), Type.Null()]),
  user: Type.Union([Type.String(), Type.Null()], { description: 'the last signed-in user the agent reported' }),
  enrolledAt: IsoInstantSchema,
  lastSeenAt: Type.Union([IsoInstantSchema, Type.Null()]),
  lastCaptureAt: Type.Union([IsoInstantSchema, Type.Null()]),
  revoked: Type.Boolean(),
  revokedAt: Type.Union([IsoInstantSchema, Type.Null()]),
  reporting: Type.Boolean({ description: 'false when not seen for VIGIL_NOT_REPORTING_MINUTES' }),
});
export type DeviceView = Static<typeof DeviceSchema>;

export const IdParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const EnrolmentTokenResponseSchema = Type.Object({ schoolId: Type.String(), enrolmentToken: Type.String() });

/** The tray settings a school sets for its agents (served in the policy; a change gives a new ETag). */
const policySettingsFields = {
  supportCard: Type.Boolean({ description: 'show the support card after a severity >= 4 capture (default true)' }),
  trayHidden: Type.Boolean({ description: 'hide the tray icon (default false)' }),
  privacyNotice: Type.Union([Type.String(), Type.Null()], { description: 'null: the default text' }),
};

export const SchoolSettingsSchema = Type.Object({
  retentionDays: Type.Integer({ minimum: 1, maximum: 3650, description: 'captures older than this are purged daily' }),
  minSeverity: Type.Union([SeveritySchema, Type.Null()]),
  alertSeverity: Type.Union([SeveritySchema, Type.Null()]),
  monitoredHours: Type.Union([Type.Array(MonitoredHoursSchema, { maxItems: 50 }), Type.Null()]),
  ...policySettingsFields,
});

export const SchoolSettingsUpdateSchema = Type.Object(
  {
    retentionDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    minSeverity: Type.Optional(Type.Union([SeveritySchema, Type.Null()])),
    alertSeverity: Type.Optional(Type.Union([SeveritySchema, Type.Null()])),
    monitoredHours: Type.Optional(Type.Union([Type.Array(MonitoredHoursSchema, { maxItems: 50 }), Type.Null()])),
    supportCard: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    trayHidden: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    privacyNotice: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 20_000 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const HistoryEntrySchema = Type.Object({
  id: Type.String(),
  at: IsoInstantSchema,
  userId: Type.String(),
  userEmail: Type.Union([Type.String(), Type.Null()]),
  statusFrom: Type.Union([Type.String(), Type.Null()]),
  statusTo: Type.Union([Type.String(), Type.Null()]),
  assigneeFrom: Type.Union([Type.String(), Type.Null()]),
  assigneeTo: Type.Union([Type.String(), Type.Null()]),
  holdTo: Type.Union([Type.Boolean(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
});

export const AuditActionSchema = Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a)));

export const AuditQuerySchema = Type.Object(
  {
    action: Type.Optional(AuditActionSchema),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'the acting user' })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
);

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

export const AuditResponseSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      at: IsoInstantSchema,
      action: AuditActionSchema,
      outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
      actorUserId: Type.Union([Type.String(), Type.Null()]),
      actorLabel: Type.String(),
      organisationId: Type.Union([Type.String(), Type.Null()]),
      schoolId: Type.Union([Type.String(), Type.Null()]),
      targetId: Type.Union([Type.String(), Type.Null()]),
      ip: Type.Union([Type.String(), Type.Null()]),
      details: Type.Union([Type.Record(Type.String(), Scalar), Type.Null()]),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

/** An opaque keyset cursor: base64url of the last item's sort keys. */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { at: string; id: string } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // fall through
  }
  return undefined;
}
