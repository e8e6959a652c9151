export * from './starter-list';
export { dataDir, DEFAULT_LANG, entryId, loadKeywordLists, toKeywordEntries, type KeywordLists } from './load';
export { validateLists, phraseKey, REQUIRED_CATEGORIES, MIN_ENTRIES_PER_CATEGORY, MIN_ENTRIES_TOTAL } from './validate';
export { compilePolicy, type CompiledPolicy } from './compile';
export { PolicyOverridesSchema, LocalPhraseSchema, type PolicyOverrides, type LocalPhrase } from './overrides.schema';
export {
  falsePositiveHits,
  findDictionary,
  readDictionary,
  DICTIONARY_PATHS,
  DICTIONARY_PACKAGE,
} from './false-positives';
