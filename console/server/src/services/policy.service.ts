import { createHash } from 'node:crypto';
import { DEFAULT_POLICY_SETTINGS, type Policy } from '@vigil/shared';
import { STARTER_LIST, STARTER_LIST_VERSION } from '@vigil/keyword-lists';

/** The policy a school's agents run: its compiled keyword lists and capture settings. */
export function policyForSchool(_schoolId: string): Policy {
  return {
    version: STARTER_LIST_VERSION,
    keywords: [...STARTER_LIST],
    exclusions: [],
    settings: DEFAULT_POLICY_SETTINGS,
  };
}

/** A strong ETag over the policy's content, so agents re-download only when something changed. */
export function policyEtag(policy: Policy): string {
  return `"${createHash('sha256').update(JSON.stringify(policy)).digest('base64url').slice(0, 27)}"`;
}
