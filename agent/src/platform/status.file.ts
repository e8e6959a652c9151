import { promises as fs } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { AgentStatusSchema, EMPTY_STATUS, type AgentStatus } from '../core/agent-status.schema';
import { writeFileAtomic } from './atomic-file';

/**
 * The agent's last known state in `status.json` (connection, console policy version, last
 * capture time), written by the daemon and `test-capture`, read by `status`. Updates are
 * merged into what is on disk, so two processes do not erase each other's fields.
 */
export class FileStatusStore {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  /** What is on disk; the empty status when there is nothing readable. */
  async read(): Promise<AgentStatus> {
    try {
      const parsed: unknown = JSON.parse(await fs.readFile(this.file, 'utf8'));
      // Fields added by later agents start empty in a file written by an earlier one.
      const status: unknown = typeof parsed === 'object' && parsed !== null ? { ...EMPTY_STATUS, ...parsed } : parsed;
      return Value.Check(AgentStatusSchema, status) ? status : { ...EMPTY_STATUS };
    } catch {
      return { ...EMPTY_STATUS };
    }
  }

  /** Merges `patch` into the stored status. Never rejects (status is advisory). */
  update(patch: Partial<AgentStatus>): Promise<void> {
    this.chain = this.chain.then(async () => {
      try {
        const next = { ...(await this.read()), ...patch };
        await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`, 0o600);
      } catch {
        // Status is advisory: a failed write must never stop captures.
      }
    });
    return this.chain;
  }
}
