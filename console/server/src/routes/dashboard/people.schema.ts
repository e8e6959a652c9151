import { Type, type Static } from '@sinclair/typebox';
import { IsoInstantSchema } from '@vigil/shared';
import { RoleSchema } from './dashboard.schema';

/** Shapes of the people, sign-in, overview and subject-access routes (API-CONTRACT.md "People and sign-in", "Overview"). */

export const PasswordChangeSchema = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1000 }),
    newPassword: Type.String({ minLength: 1, maxLength: 1000, description: 'at least 12 characters' }),
  },
  { additionalProperties: false },
);

export const TotpSetupResponseSchema = Type.Object({
  secret: Type.String({ description: 'base32, for typing into an authenticator app' }),
  otpauthUrl: Type.String({ description: 'otpauth:// URI to draw as a QR code' }),
});

export const TotpCodeSchema = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 10 }) },
  { additionalProperties: false },
);

export const RecoveryCodesRequestSchema = Type.Object(
  { totp: Type.String({ minLength: 1, maxLength: 10 }) },
  { additionalProperties: false },
);

export const RecoveryCodesResponseSchema = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'single-use; shown once' }),
});

export const SchoolUserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(RoleSchema, { description: 'roles at this school, organisation-wide ones included' }),
  organisationRoles: Type.Array(RoleSchema, {
    description: 'those of `roles` held for the whole organisation (not removable at one school)',
  }),
  totpEnrolled: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  disabled: Type.Boolean(),
  lockedUntil: Type.Union([IsoInstantSchema, Type.Null()]),
  lastSignInAt: Type.Union([IsoInstantSchema, Type.Null()]),
});
export type SchoolUser = Static<typeof SchoolUserSchema>;

export const SchoolIdParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const SchoolUserParamsSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  userId: Type.String({ minLength: 1, maxLength: 100 }),
});

const DisplayNameSchema = Type.String({ minLength: 1, maxLength: 200 });
const RolesSchema = Type.Array(RoleSchema, { minItems: 1, maxItems: 6, uniqueItems: true });

export const UserCreateSchema = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' }),
    displayName: Type.Optional(DisplayNameSchema),
    roles: RolesSchema,
  },
  { additionalProperties: false },
);

export const UserCreateResponseSchema = Type.Object({
  user: SchoolUserSchema,
  oneTimePassword: Type.Union([Type.String(), Type.Null()], {
    description: 'shown once; null when the email already had an account (it only gains roles here)',
  }),
});

export const UserPatchSchema = Type.Object(
  {
    roles: Type.Optional(RolesSchema),
    disabled: Type.Optional(Type.Boolean()),
    displayName: Type.Optional(Type.Union([DisplayNameSchema, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ResetPasswordSchema = Type.Object(
  {
    resetTotp: Type.Optional(
      Type.Boolean({ description: 'also remove their authenticator: they set up a new one at next sign-in' }),
    ),
  },
  { additionalProperties: false },
);

export const OverviewQuerySchema = Type.Object(
  { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 28 })) },
  { additionalProperties: false },
);

const Count = Type.Integer({ minimum: 0 });

export const OverviewSchema = Type.Object({
  from: IsoInstantSchema,
  to: IsoInstantSchema,
  days: Type.Array(
    Type.Object({
      date: Type.String({ description: 'YYYY-MM-DD, Europe/London' }),
      byCategory: Type.Record(Type.String(), Count),
      total: Count,
    }),
  ),
  severity: Type.Object({ '1': Count, '2': Count, '3': Count, '4': Count, '5': Count }),
  topCategories: Type.Array(Type.Object({ category: Type.String(), count: Count })),
  repeatedConcerns: Type.Array(
    Type.Object({ user: Type.String(), count: Count, maxSeverity: Type.Integer(), lastAt: IsoInstantSchema }),
  ),
  backlog: Type.Object({ unreviewed: Count, oldestUnreviewedAt: Type.Union([IsoInstantSchema, Type.Null()]) }),
  devicesNotReporting: Type.Array(
    Type.Object({
      id: Type.String(),
      hostname: Type.String(),
      user: Type.Union([Type.String(), Type.Null()]),
      lastSeenAt: Type.Union([IsoInstantSchema, Type.Null()]),
    }),
  ),
});
export type Overview = Static<typeof OverviewSchema>;

export const SubjectAccessQuerySchema = Type.Object(
  {
    pupil: Type.String({ minLength: 1, maxLength: 200, description: 'the pupil as the agent reports them (OS user)' }),
  },
  { additionalProperties: false },
);
