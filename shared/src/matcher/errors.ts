/** Every error the matcher throws, in one table. The wire shape is `{ code, message }`. */
export const MATCHER_ERRORS = {
  SHARED_ERR_MATCHER_INVALID_ENTRY: 'A keyword entry does not match KeywordEntrySchema',
  SHARED_ERR_MATCHER_EMPTY_PATTERN: 'A phrase is empty, or empty once normalised',
  SHARED_ERR_MATCHER_EMPTY_EXCLUSION: 'An exclusion is empty, or empty once normalised',
} as const;

export type MatcherErrorCode = keyof typeof MATCHER_ERRORS;

export class MatcherError extends Error {
  readonly code: MatcherErrorCode;

  constructor(code: MatcherErrorCode, detail: string) {
    super(`${MATCHER_ERRORS[code]}: ${detail}`);
    this.name = 'MatcherError';
    this.code = code;
  }
}
