/**
 * The real engine behind the tray's port: the daemon's handle (DaemonHandle) offers the engine
 * API for the tray (API-CONTRACT.md) as `engine.takeEvidence/reportConcern/onCaptured` and
 * `snapshot/onSnapshot`. Checked at run time as well, so that a mismatched build says so clearly.
 */
import { AgentError } from '../errors';
import type { TrayEnginePort } from './engine-port';

export interface TrayCapableHandle {
  engine: Pick<TrayEnginePort, 'takeEvidence' | 'reportConcern' | 'onCaptured'>;
  snapshot: TrayEnginePort['snapshot'];
  onSnapshot: TrayEnginePort['onSnapshot'];
}

export function isTrayCapable(handle: unknown): handle is TrayCapableHandle {
  if (typeof handle !== 'object' || handle === null) return false;
  const h = handle as Record<string, unknown>;
  const engine = h.engine as Record<string, unknown> | undefined;
  return (
    typeof h.snapshot === 'function' &&
    typeof h.onSnapshot === 'function' &&
    typeof engine === 'object' &&
    engine !== null &&
    typeof engine.takeEvidence === 'function' &&
    typeof engine.reportConcern === 'function' &&
    typeof engine.onCaptured === 'function'
  );
}

export function trayPortOf(handle: unknown): TrayEnginePort {
  if (!isTrayCapable(handle)) {
    throw new AgentError(
      'AGENT_ERR_INTERNAL',
      'This agent build has no engine API for the tray (takeEvidence, reportConcern, onCaptured, snapshot, onSnapshot).',
    );
  }
  const { engine } = handle;
  return {
    takeEvidence: () => engine.takeEvidence(),
    reportConcern: (text, evidence) => engine.reportConcern(text, evidence),
    onCaptured: (listener) => engine.onCaptured(listener),
    snapshot: () => handle.snapshot(),
    onSnapshot: (listener) => handle.onSnapshot(listener),
  };
}
