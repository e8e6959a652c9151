/**
 * The list the agent matches before it has a policy from the console: the starter list of
 * @vigil/keyword-lists, the same one a new console serves, so both sides agree on entry ids.
 */
export { STARTER_LIST as BUILTIN_LIST, STARTER_LIST_VERSION as BUILTIN_POLICY_VERSION } from '@vigil/keyword-lists';
