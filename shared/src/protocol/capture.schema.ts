import { Type, type Static } from '@sinclair/typebox';
import { IsoInstantSchema, SeveritySchema, UuidV7Schema } from './common.schema';

export const CAPTURE_SOURCES = ['typed', 'screen', 'title', 'url', 'clipboard', 'report', 'test'] as const;
export const CaptureSourceSchema = Type.Union(CAPTURE_SOURCES.map((s) => Type.Literal(s)));
export type CaptureSource = Static<typeof CaptureSourceSchema>;

export const MatchModeSchema = Type.Union([Type.Literal('word'), Type.Literal('substring'), Type.Literal('prefix')]);
export type MatchMode = Static<typeof MatchModeSchema>;

export const CaptureMatchSchema = Type.Object(
  {
    entryId: Type.String({ minLength: 1, maxLength: 200 }),
    phrase: Type.String({ minLength: 1, maxLength: 500 }),
    category: Type.String({ minLength: 1, maxLength: 100 }),
    severity: SeveritySchema,
    start: Type.Integer({ minimum: 0, description: 'offset in context, UTF-16, inclusive' }),
    end: Type.Integer({ minimum: 0, description: 'offset in context, UTF-16, exclusive' }),
  },
  { additionalProperties: false },
);
export type CaptureMatch = Static<typeof CaptureMatchSchema>;

/** At most this much text travels with a capture: the match and about 80 characters each side. */
export const MAX_CONTEXT_LENGTH = 2000;

export const CaptureMetadataSchema = Type.Object(
  {
    id: UuidV7Schema,
    capturedAt: IsoInstantSchema,
    deviceId: Type.String({ minLength: 1, maxLength: 100 }),
    user: Type.String({ maxLength: 200 }),
    source: CaptureSourceSchema,
    app: Type.String({ maxLength: 500 }),
    windowTitle: Type.String({ maxLength: 2000 }),
    url: Type.Union([Type.String({ maxLength: 4000 }), Type.Null()]),
    matches: Type.Array(CaptureMatchSchema, { maxItems: 100 }),
    context: Type.String({ maxLength: MAX_CONTEXT_LENGTH }),
    severity: SeveritySchema,
    count: Type.Integer({ minimum: 1, description: 'how many times the same phrase was seen in this window' }),
    policyVersion: Type.String({ maxLength: 100 }),
  },
  { additionalProperties: false },
);
export type CaptureMetadata = Static<typeof CaptureMetadataSchema>;

export const CaptureIngestResponseSchema = Type.Object({
  id: Type.String(),
  duplicate: Type.Boolean(),
});
export type CaptureIngestResponse = Static<typeof CaptureIngestResponseSchema>;

/** Limits of the multipart upload, shared so the agent never builds an upload the console will refuse. */
export const CAPTURE_UPLOAD_LIMITS = {
  maxMetadataBytes: 64 * 1024,
  maxScreenshotBytes: 8 * 1024 * 1024,
  maxThumbnailBytes: 512 * 1024,
} as const;
