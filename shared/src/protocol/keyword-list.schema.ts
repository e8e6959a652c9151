import { Type, type Static } from '@sinclair/typebox';
import { MatchModeSchema } from './capture.schema';
import { SeveritySchema } from './common.schema';

/** A category id: kebab-case, also the `category` of every compiled keyword entry. */
export const CategoryIdSchema = Type.String({ pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', maxLength: 100 });

/** KCSIE's four areas of risk. */
export const FourCSchema = Type.Union(
  [Type.Literal('content'), Type.Literal('contact'), Type.Literal('conduct'), Type.Literal('commerce')],
  { description: "KCSIE's four Cs" },
);
export type FourC = Static<typeof FourCSchema>;

/** A BCP 47 language tag such as `en-GB`, `cy`, `pl`, `ur-Latn`, `ar-Latn`. */
export const LanguageTagSchema = Type.String({
  pattern: '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$',
  description: 'BCP 47 language tag',
});

/** Where a DSL can send a child or a report. At least one of url, phone or text. */
export const SignpostSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    url: Type.Optional(Type.String({ pattern: '^https://', maxLength: 500 })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type Signpost = Static<typeof SignpostSchema>;

/** One phrase of a category file. `id` defaults to `<category>.<slug of phrase>`; `lang` to `en-GB`. */
export const KeywordListEntrySchema = Type.Object(
  {
    phrase: Type.String({ minLength: 1, maxLength: 500 }),
    severity: SeveritySchema,
    match: MatchModeSchema,
    lang: Type.Optional(LanguageTagSchema),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    id: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]*$', maxLength: 200 })),
    /** This entry deliberately repeats a phrase of another category (the other one is kept too). */
    override: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type KeywordListEntry = Static<typeof KeywordListEntrySchema>;

/** One category file (`data/categories/<id>.json`). */
export const KeywordCategorySchema = Type.Object(
  {
    id: CategoryIdSchema,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    fourC: FourCSchema,
    description: Type.String({ minLength: 1, maxLength: 2000 }),
    signposting: Type.Array(SignpostSchema, { minItems: 1 }),
    entries: Type.Array(KeywordListEntrySchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type KeywordCategory = Static<typeof KeywordCategorySchema>;

/** An allow-list phrase: a match lying inside it is suppressed (the Scunthorpe problem). */
export const KeywordExclusionSchema = Type.Object(
  {
    phrase: Type.String({ minLength: 1, maxLength: 500 }),
    /** Why it is here: `place`, `surname`, `word` (ordinary word), `school` (benign school phrase). */
    kind: Type.Union([Type.Literal('place'), Type.Literal('surname'), Type.Literal('word'), Type.Literal('school')]),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type KeywordExclusion = Static<typeof KeywordExclusionSchema>;

/** The exclusions file (`data/exclusions.json`). */
export const KeywordExclusionsFileSchema = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: 2000 }),
    exclusions: Type.Array(KeywordExclusionSchema),
  },
  { additionalProperties: false },
);
export type KeywordExclusionsFile = Static<typeof KeywordExclusionsFileSchema>;

/** The lists' manifest (`data/manifest.json`): the release the compiled policy version starts from. */
export const KeywordListsManifestSchema = Type.Object(
  {
    version: Type.String({ pattern: '^[0-9]{4}\\.[0-9]{2}\\.[0-9]{2}(\\.[0-9]+)?$', description: 'YYYY.MM.DD[.n]' }),
    description: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type KeywordListsManifest = Static<typeof KeywordListsManifestSchema>;
