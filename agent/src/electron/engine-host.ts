/**
 * The real engine behind the tray's port: the daemon's handle offers the engine API for the tray
 * (API-CONTRACT.md) as `engine.takeEvidence/reportConcern/onCaptured` and `snapshot/onSnapshot`.
 * The assignment below is the compile-time check that the port and the daemon still agree.
 */
import type { DaemonHandle } from '../daemon';
import type { TrayEnginePort } from './engine-port';

export type TrayCapableHandle = Pick<DaemonHandle, 'engine' | 'snapshot' | 'onSnapshot'>;

export function trayPortOf(handle: TrayCapableHandle): TrayEnginePort {
  const { engine } = handle;
  return {
    takeEvidence: () => engine.takeEvidence(),
    reportConcern: (text, evidence) => engine.reportConcern(text, evidence),
    onCaptured: (listener) => engine.onCaptured(listener),
    snapshot: () => handle.snapshot(),
    onSnapshot: (listener) => handle.onSnapshot(listener),
  };
}
