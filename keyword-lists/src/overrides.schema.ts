import { Type, type Static } from '@sinclair/typebox';
import { CategoryIdSchema, MatchModeSchema, PolicySettingsSchema, SeveritySchema } from '@vigil/shared';

/** A school's own phrase, such as a local gang or a local dealer's nickname. */
export const LocalPhraseSchema = Type.Object(
  {
    phrase: Type.String({ minLength: 1, maxLength: 500 }),
    category: CategoryIdSchema,
    severity: SeveritySchema,
    match: Type.Optional(MatchModeSchema),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type LocalPhrase = Static<typeof LocalPhraseSchema>;

/** What a school changes on top of the curated lists. Every field is optional. */
export const PolicyOverridesSchema = Type.Object(
  {
    /** Category ids switched off. */
    disabledCategories: Type.Optional(Type.Array(CategoryIdSchema)),
    /** Entry ids switched off. */
    disabledEntries: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    /** Severity changes by category id or entry id; an entry's own change wins over its category's. */
    severity: Type.Optional(Type.Record(Type.String({ minLength: 1 }), SeveritySchema)),
    /** The school's own phrases (severity and category as for any entry). */
    localPhrases: Type.Optional(Type.Array(LocalPhraseSchema)),
    /** Extra allow-list phrases. */
    exclusions: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }))),
    /** Settings for the agent (defaults: shared's DEFAULT_POLICY_SETTINGS). */
    settings: Type.Optional(Type.Partial(PolicySettingsSchema)),
  },
  { additionalProperties: false },
);
export type PolicyOverrides = Static<typeof PolicyOverridesSchema>;
