import { Type, type Static } from '@sinclair/typebox';

export const EnrolRequestSchema = Type.Object(
  {
    token: Type.String({ minLength: 8, maxLength: 200, description: "the school's enrolment token" }),
    hostname: Type.String({ minLength: 1, maxLength: 255 }),
    os: Type.String({ minLength: 1, maxLength: 100, description: 'platform, e.g. linux, win32, darwin' }),
    osVersion: Type.Optional(Type.String({ maxLength: 200 })),
    agentVersion: Type.String({ minLength: 1, maxLength: 50 }),
  },
  { additionalProperties: false },
);
export type EnrolRequest = Static<typeof EnrolRequestSchema>;

export const EnrolResponseSchema = Type.Object({
  deviceId: Type.String(),
  deviceSecret: Type.String({ description: 'shown once; the agent keeps it in its data dir' }),
  schoolId: Type.String(),
  schoolName: Type.String(),
});
export type EnrolResponse = Static<typeof EnrolResponseSchema>;
