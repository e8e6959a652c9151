import { Type, type Static } from '@sinclair/typebox';
import { IsoInstantSchema } from './common.schema';

export const HeartbeatRequestSchema = Type.Object(
  {
    agentVersion: Type.String({ minLength: 1, maxLength: 50 }),
    policyVersion: Type.String({ maxLength: 100 }),
    queueDepth: Type.Integer({ minimum: 0 }),
    user: Type.String({ maxLength: 200 }),
    lastCaptureAt: Type.Union([IsoInstantSchema, Type.Null()]),
    sentAt: IsoInstantSchema,
  },
  { additionalProperties: false },
);
export type HeartbeatRequest = Static<typeof HeartbeatRequestSchema>;

export const HeartbeatResponseSchema = Type.Object({
  serverTime: IsoInstantSchema,
  policyVersion: Type.String({ description: 'the current policy version; fetch the policy when it differs' }),
});
export type HeartbeatResponse = Static<typeof HeartbeatResponseSchema>;
