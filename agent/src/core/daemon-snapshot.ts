import type { PolicySettings } from '@vigil/shared';
import { errorCode } from '../errors';
import type { ConnectionAttempt } from './agent-status.schema';
import type { Logger } from './ports';

export type ConnectionState = 'online' | 'offline' | 'unknown';

/** What the tray shows about the running agent: never captured content. */
export interface DaemonSnapshot {
  /** The device holds credentials the console accepts (false once the console says 401). */
  enrolled: boolean;
  /** `online`: the console answered the last call; `offline`: it could not be reached (or failed, 5xx/429); `unknown`: no call yet. */
  connection: ConnectionState;
  /** ISO 8601 UTC: when the console last acknowledged a capture from this run. */
  lastUploadAt: string | null;
  /** Captures waiting to be uploaded. */
  queueDepth: number;
  /** The school's policy in force; null while the agent still runs its built-in starter list. */
  policyVersion: string | null;
  settings: PolicySettings;
}

/** The connection as the outcome of the last console call says it: any answer below 500 means reachable. */
export function connectionOf(attempt: ConnectionAttempt): ConnectionState {
  if (attempt.ok) return 'online';
  return attempt.httpStatus !== null && attempt.httpStatus < 500 && attempt.httpStatus !== 429 ? 'online' : 'offline';
}

/**
 * The daemon's snapshot, kept current by the parts that change it; listeners hear each change
 * (once per change, not per update that changed nothing).
 */
export class SnapshotState {
  private state: DaemonSnapshot;
  private readonly listeners = new Set<() => void>();

  constructor(
    initial: DaemonSnapshot,
    private readonly log: Logger,
  ) {
    this.state = { ...initial };
  }

  get(): DaemonSnapshot {
    return { ...this.state };
  }

  update(patch: Partial<DaemonSnapshot>): void {
    const next = { ...this.state, ...patch };
    const changed = (Object.keys(patch) as (keyof DaemonSnapshot)[]).some(
      (key) => JSON.stringify(this.state[key]) !== JSON.stringify(next[key]),
    );
    if (!changed) return;
    this.state = next;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.log.warn('snapshot.listener_failed', { code: errorCode(error) });
      }
    }
  }

  /** A console call's outcome: connection, enrolment and the last upload. */
  recordAttempt(attempt: ConnectionAttempt): void {
    const patch: Partial<DaemonSnapshot> = { connection: connectionOf(attempt) };
    if (attempt.code === 'AGENT_ERR_DEVICE_UNAUTHORISED') patch.enrolled = false;
    else if (attempt.ok) patch.enrolled = true;
    if (attempt.ok && attempt.call === 'upload') patch.lastUploadAt = attempt.at;
    this.update(patch);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
