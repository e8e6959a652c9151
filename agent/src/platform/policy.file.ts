import { promises as fs } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { PolicySchema } from '@vigil/shared';
import type { PolicyStore, StoredPolicy } from '../core/policy-sync';
import { writeFileAtomic } from './atomic-file';

const StoredPolicySchema = Type.Object({ policy: PolicySchema, etag: Type.Union([Type.String(), Type.Null()]) });

/** The last good policy in `policy.json` (0600), replaced atomically, checked on every read. */
export class FilePolicyStore implements PolicyStore {
  constructor(private readonly file: string) {}

  async load(): Promise<StoredPolicy | undefined> {
    try {
      const value: unknown = JSON.parse(await fs.readFile(this.file, 'utf8'));
      return Value.Check(StoredPolicySchema, value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  save(stored: StoredPolicy): Promise<void> {
    return writeFileAtomic(this.file, JSON.stringify(stored), 0o600);
  }
}
