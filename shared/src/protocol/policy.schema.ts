import { Type, type Static } from '@sinclair/typebox';
import { MatchModeSchema } from './capture.schema';
import { SeveritySchema } from './common.schema';

export const KeywordEntrySchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    phrase: Type.String({ minLength: 1, maxLength: 500 }),
    category: Type.String({ minLength: 1, maxLength: 100 }),
    severity: SeveritySchema,
    match: MatchModeSchema,
  },
  { additionalProperties: false },
);
export type KeywordEntry = Static<typeof KeywordEntrySchema>;

export const PolicySettingsSchema = Type.Object({
  minSeverity: SeveritySchema,
  throttleSeconds: Type.Integer({ minimum: 0, maximum: 86400 }),
  heartbeatSeconds: Type.Integer({ minimum: 5, maximum: 86400 }),
});
export type PolicySettings = Static<typeof PolicySettingsSchema>;

export const PolicySchema = Type.Object({
  version: Type.String({ minLength: 1, maxLength: 100 }),
  keywords: Type.Array(KeywordEntrySchema),
  exclusions: Type.Array(Type.String({ minLength: 1, maxLength: 500 })),
  settings: PolicySettingsSchema,
});
export type Policy = Static<typeof PolicySchema>;
