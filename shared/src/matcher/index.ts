export { compileMatcher } from './compile';
export { normalise, type NormalisedText } from './normalise-text';
export { MatcherError, MATCHER_ERRORS, type MatcherErrorCode } from './errors';
export type { CompiledMatcher, CompileOptions, Match, MatchStream, MatcherStats, NormaliseOptions } from './types';
