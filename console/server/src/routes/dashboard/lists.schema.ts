import { Type } from '@sinclair/typebox';
import { MatchModeSchema, SeveritySchema } from '@vigil/shared';
import { DraftOverridesSchema } from '../../services/lists.service';

export { DraftOverridesSchema };

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const ListsResponseSchema = Type.Object({
  published: Nullable(
    Type.Object({
      version: Type.Integer({ description: '1, 2, 3 … per school' }),
      policyVersion: Type.String({ description: 'the version agents are served now (school settings included)' }),
      etag: Type.String({ description: 'the ETag agents are served now' }),
      publishedAt: Type.String(),
      publishedBy: Nullable(Type.String({ description: 'email' })),
      changelog: Type.String(),
    }),
  ),
  draft: DraftOverridesSchema,
  draftChanged: Type.Boolean({ description: 'the draft differs from what is published' }),
  categories: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      description: Type.String(),
      enabled: Type.Boolean({ description: 'in the draft' }),
      severity: Nullable(SeveritySchema),
      entryCount: Type.Integer(),
    }),
  ),
  entries: Type.Array(
    Type.Object({
      id: Type.String(),
      phrase: Type.String(),
      category: Type.String(),
      severity: SeveritySchema,
      curatedSeverity: Nullable(SeveritySchema),
      match: MatchModeSchema,
      language: Nullable(Type.String()),
      enabled: Type.Boolean(),
      source: Type.Union([Type.Literal('curated'), Type.Literal('local')]),
      falsePositives: Type.Integer({ description: "this school's captures of the entry marked false_positive" }),
    }),
  ),
  exclusions: Type.Array(
    Type.Object({ phrase: Type.String(), source: Type.Union([Type.Literal('curated'), Type.Literal('local')]) }),
  ),
});

export const PreviewRequestSchema = Type.Object(
  {
    text: Type.String({ maxLength: 20_000 }),
    draft: Type.Optional(Type.Boolean({ default: true, description: 'false: the published lists' })),
  },
  { additionalProperties: false },
);

export const PreviewResponseSchema = Type.Object({
  matches: Type.Array(
    Type.Object({
      id: Type.String(),
      phrase: Type.String(),
      category: Type.String(),
      severity: SeveritySchema,
      start: Type.Integer({ description: 'UTF-16 offset, inclusive' }),
      end: Type.Integer({ description: 'UTF-16 offset, exclusive' }),
      text: Type.String(),
    }),
  ),
});

export const PublishRequestSchema = Type.Object(
  { changelog: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

export const PublishResponseSchema = Type.Object({
  version: Type.Integer(),
  policyVersion: Type.String(),
  etag: Type.String(),
  publishedAt: Type.String(),
});

export const VersionsResponseSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      version: Type.Integer(),
      policyVersion: Type.String({ description: 'as compiled when published' }),
      publishedAt: Type.String(),
      publishedBy: Nullable(Type.String()),
      changelog: Type.String(),
    }),
  ),
});
