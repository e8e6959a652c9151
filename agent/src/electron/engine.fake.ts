/** A hand-written TrayEnginePort for the shell's tests: records reports, fires events on demand. */
import { DEFAULT_POLICY_SETTINGS, type PolicySettings } from '@vigil/shared';
import type { CapturedNotice, PendingEvidence, TrayEnginePort, TraySnapshot } from './engine-port';

export class FakeTrayEngine implements TrayEnginePort {
  state: TraySnapshot = {
    enrolled: true,
    connection: 'online',
    lastUploadAt: null,
    queueDepth: 0,
    policyVersion: 'v1',
    settings: { ...DEFAULT_POLICY_SETTINGS },
  };
  readonly reports: { text: string; evidence: PendingEvidence | null }[] = [];
  evidenceTaken = 0;
  /** Every evidence object handed out, to check that reports get the same object back. */
  readonly issued: PendingEvidence[] = [];
  failEvidence = false;
  failReport = false;
  /** When set, reportConcern waits for it. */
  reportGate: Promise<void> | null = null;
  private readonly snapshotListeners = new Set<() => void>();
  private readonly capturedListeners = new Set<(c: CapturedNotice) => void>();

  takeEvidence(): Promise<PendingEvidence> {
    this.evidenceTaken++;
    if (this.failEvidence)
      return Promise.reject(Object.assign(new Error('no screen'), { code: 'AGENT_ERR_SCREENSHOT_FAILED' }));
    const evidence = { takenAt: `2026-11-25T10:00:0${this.evidenceTaken}.000Z` };
    this.issued.push(evidence);
    return Promise.resolve(evidence);
  }

  async reportConcern(text: string, evidence: PendingEvidence | null): Promise<{ id: string }> {
    if (this.reportGate) await this.reportGate;
    if (this.failReport) throw Object.assign(new Error('disk full'), { code: 'AGENT_ERR_CAPTURE_FAILED' });
    this.reports.push({ text, evidence });
    return { id: `report-${this.reports.length}` };
  }

  onCaptured(listener: (c: CapturedNotice) => void): () => void {
    this.capturedListeners.add(listener);
    return () => this.capturedListeners.delete(listener);
  }

  snapshot(): TraySnapshot {
    return this.state;
  }

  onSnapshot(listener: () => void): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  /** Changes the snapshot and tells the listeners, as the daemon does. */
  update(patch: Partial<TraySnapshot>, settings: Partial<PolicySettings> = {}): void {
    this.state = { ...this.state, ...patch, settings: { ...this.state.settings, ...settings } };
    for (const l of this.snapshotListeners) l();
  }

  capture(notice: Partial<CapturedNotice>): void {
    const full: CapturedNotice = {
      id: 'c1',
      source: 'typed',
      categories: ['suicide'],
      maxSeverity: 5,
      at: '2026-11-25T10:00:00.000Z',
      ...notice,
    };
    for (const l of this.capturedListeners) l(full);
  }

  get listenerCount(): number {
    return this.snapshotListeners.size + this.capturedListeners.size;
  }
}
