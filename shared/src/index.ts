export * from './protocol/common.schema';
export * from './protocol/enrol.schema';
export * from './protocol/capture.schema';
export * from './protocol/heartbeat.schema';
export * from './protocol/policy.schema';
export * from './protocol/routes';
export * from './uuid';
export * from './context';
export * from './matcher/simple-matcher';
// The matching engine. Its match type is `Match` at @vigil/shared/matcher; here it is `KeywordMatch`
// because the root still exports SimpleMatcher's `Match` until the agent moves to the engine.
export {
  compileMatcher,
  normalise,
  MatcherError,
  MATCHER_ERRORS,
  type MatcherErrorCode,
  type NormalisedText,
  type CompiledMatcher,
  type CompileOptions,
  type Match as KeywordMatch,
  type MatchStream,
  type MatcherStats,
  type NormaliseOptions,
} from './matcher/index';
export * from './protocol/keyword-list.schema';
