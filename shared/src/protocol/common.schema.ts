import { Type, type Static } from '@sinclair/typebox';

/** A UUID of version 7 (time-ordered), lower or upper case. */
export const UUID_V7_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$';
/** An ISO 8601 instant in UTC, as `Date.prototype.toISOString()` writes it. */
export const ISO_INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z$';

export const UuidV7Schema = Type.String({ pattern: UUID_V7_PATTERN, description: 'UUIDv7' });
export const IsoInstantSchema = Type.String({ pattern: ISO_INSTANT_PATTERN, description: 'ISO 8601 UTC instant' });
export const SeveritySchema = Type.Integer({ minimum: 1, maximum: 5, description: '1 low … 5 immediate risk' });
export type Severity = Static<typeof SeveritySchema>;

/** The wire shape of every error, on both sides: `{ code, message }`. */
export const ErrorResponseSchema = Type.Object(
  {
    code: Type.String({ description: 'AGENT_ERR_* or CONSOLE_ERR_*' }),
    message: Type.String(),
  },
  { $id: 'ErrorResponse' },
);
export type ErrorResponse = Static<typeof ErrorResponseSchema>;
