export * from './protocol/common.schema';
export * from './protocol/enrol.schema';
export * from './protocol/capture.schema';
export * from './protocol/heartbeat.schema';
export * from './protocol/policy.schema';
export * from './protocol/routes';
export * from './uuid';
export * from './context';
// The matching engine (also at @vigil/shared/matcher). `KeywordMatch` is another name for its `Match`.
export {
  compileMatcher,
  normalise,
  MatcherError,
  MATCHER_ERRORS,
  type MatcherErrorCode,
  type NormalisedText,
  type CompiledMatcher,
  type CompileOptions,
  type Match,
  type Match as KeywordMatch,
  type MatchStream,
  type MatcherStats,
  type NormaliseOptions,
} from './matcher/index';
export * from './protocol/keyword-list.schema';
