import { createHash } from 'node:crypto';
import type { Policy } from '@vigil/shared';
import { compilePolicy, loadKeywordLists } from '@vigil/keyword-lists';

interface Published {
  policy: Policy;
  etag: string;
}

let curated: Published | undefined;

/** A strong ETag over the policy's content, so agents re-download only when something changed. */
export function policyEtag(policy: Policy): string {
  return `"${createHash('sha256').update(JSON.stringify(policy)).digest('base64url').slice(0, 27)}"`;
}

/**
 * The policy a school's agents run: Vigil's curated keyword lists, compiled once (with the
 * default capture settings) and kept. Per-school overrides (categories switched off, local
 * phrases) come with the list editor.
 */
export function publishedPolicy(_schoolId: string): Published {
  if (!curated) {
    const { policy } = compilePolicy(loadKeywordLists());
    curated = { policy, etag: policyEtag(policy) };
  }
  return curated;
}

export const policyForSchool = (schoolId: string): Policy => publishedPolicy(schoolId).policy;
