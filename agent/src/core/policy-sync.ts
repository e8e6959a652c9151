import { Value } from '@sinclair/typebox/value';
import { PolicySchema, type Policy } from '@vigil/shared';
import { errorCode } from '../errors';
import type { Logger, Transport } from './ports';

/** The last good policy, kept so a device that starts offline still uses its school's lists. */
export interface StoredPolicy {
  policy: Policy;
  etag: string | null;
}

/** Where the last good policy is kept between runs. */
export interface PolicyStore {
  /** The stored policy, or undefined when there is none or it is unreadable. */
  load(): Promise<StoredPolicy | undefined>;
  save(stored: StoredPolicy): Promise<void>;
}

export interface PolicySyncOptions {
  transport: Transport;
  store: PolicyStore;
  log: Logger;
  /** Puts a policy to work (the engine hot-swaps its matcher); throws, changing nothing, when it cannot. */
  apply: (policy: Policy) => void;
}

/**
 * Keeps the agent on its school's current policy: the stored one at start, then the console's,
 * fetched with `If-None-Match` so an unchanged policy costs a 304. A policy is applied only after
 * it has been checked against the schema and saved.
 */
export class PolicySync {
  private etag: string | null = null;
  private syncing: Promise<boolean> | undefined;

  constructor(private readonly options: PolicySyncOptions) {}

  /** Applies the stored policy, if any; true when one was applied. */
  async loadStored(): Promise<boolean> {
    const stored = await this.options.store.load();
    if (!stored || !Value.Check(PolicySchema, stored.policy)) return false;
    try {
      this.options.apply(stored.policy);
    } catch (error) {
      this.options.log.warn('policy.unusable', { code: errorCode(error), source: 'disk' });
      return false;
    }
    this.etag = stored.etag;
    this.options.log.info('policy.loaded', { version: stored.policy.version, source: 'disk' });
    return true;
  }

  /** Fetches the console's policy; true when a new one was applied. One fetch at a time. */
  sync(): Promise<boolean> {
    this.syncing ??= this.fetch().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async fetch(): Promise<boolean> {
    const { transport, store, log, apply } = this.options;
    try {
      const result = await transport.fetchPolicy(this.etag);
      if (result.kind === 'not-modified') return false;
      if (result.kind !== 'ok') {
        log.warn('policy.fetch_failed', { code: result.code, httpStatus: result.httpStatus });
        return false;
      }
      const { policy, etag } = result.value;
      if (!Value.Check(PolicySchema, policy)) {
        log.warn('policy.invalid', {});
        return false;
      }
      // Applied first: a policy the engine cannot use is never kept as the last good one.
      apply(policy);
      await store.save({ policy, etag });
      this.etag = etag;
      log.info('policy.applied', { version: policy.version, keywords: policy.keywords.length });
      return true;
    } catch (error) {
      log.warn('policy.fetch_failed', { code: errorCode(error) });
      return false;
    }
  }
}
