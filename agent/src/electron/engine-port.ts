/**
 * What the tray shell needs from the engine it hosts: exactly the engine API for the tray
 * (API-CONTRACT.md, "Engine API for the tray"). The shell is written and tested against this
 * port; `engine-host.ts` adapts the real DaemonHandle to it. Nothing here carries captured text.
 */
import type { CaptureSource, PolicySettings } from '@vigil/shared';

/** Evidence taken when "Report a concern" is pressed, before the report window opens. */
export interface PendingEvidence {
  readonly takenAt: string;
}

/** Told after each capture reaches the outbox: which kind, never what was captured. */
export interface CapturedNotice {
  id: string;
  source: CaptureSource;
  categories: string[];
  maxSeverity: number;
  at: string;
}

/** What the tray shows (no captured content). */
export interface TraySnapshot {
  enrolled: boolean;
  connection: 'online' | 'offline' | 'unknown';
  lastUploadAt: string | null;
  queueDepth: number;
  policyVersion: string | null;
  settings: PolicySettings;
}

export interface TrayEnginePort {
  /** Takes the stamped evidence screenshot now, to attach to a report made later. */
  takeEvidence(): Promise<PendingEvidence>;
  /** "Report a concern": a capture with source 'report', severity 4, the pupil's words as its context. */
  reportConcern(text: string, evidence: PendingEvidence | null): Promise<{ id: string }>;
  /** After each capture reaches the outbox. Returns an unsubscribe. */
  onCaptured(listener: (c: CapturedNotice) => void): () => void;
  snapshot(): TraySnapshot;
  /** Fires when anything in the snapshot changes. Returns an unsubscribe. */
  onSnapshot(listener: () => void): () => void;
}
