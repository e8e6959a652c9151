/**
 * The engine runs in its own process (an Electron utility process) so that a crash in a native
 * module or a source cannot take the tray down, and the tray can start it again. This is the
 * message protocol between the two: the engine side serves a TrayEnginePort over a link, the
 * tray side is a TrayEnginePort backed by that link. Every message is checked on arrival.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CaptureSourceSchema, DEFAULT_POLICY_SETTINGS, PolicySettingsSchema } from '@vigil/shared';
import type { CapturedNotice, PendingEvidence, TrayEnginePort, TraySnapshot } from './engine-port';

/** A message channel (Electron's parentPort / UtilityProcess, or a pair in tests). */
export interface MessageLink {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): () => void;
}

/** Evidence crosses as a handle: the screenshot stays in the engine process until it is used. */
const EvidenceHandleSchema = Type.Object({ takenAt: Type.String(), ref: Type.Integer({ minimum: 1 }) });
type EvidenceHandle = Static<typeof EvidenceHandleSchema>;
/** Evidence not used by a report (the window was closed) is let go after this many newer ones. */
const KEPT_EVIDENCE = 4;

const SnapshotSchema = Type.Object({
  enrolled: Type.Boolean(),
  connection: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')]),
  lastUploadAt: Type.Union([Type.String(), Type.Null()]),
  queueDepth: Type.Integer({ minimum: 0 }),
  policyVersion: Type.Union([Type.String(), Type.Null()]),
  settings: PolicySettingsSchema,
});

const CapturedSchema = Type.Object({
  id: Type.String(),
  source: CaptureSourceSchema,
  categories: Type.Array(Type.String()),
  maxSeverity: Type.Integer({ minimum: 0, maximum: 5 }),
  at: Type.String(),
});

export const ToEngineSchema = Type.Union([
  Type.Object({ type: Type.Literal('takeEvidence'), id: Type.Integer() }),
  Type.Object({
    type: Type.Literal('reportConcern'),
    id: Type.Integer(),
    text: Type.String({ maxLength: 20_000 }),
    evidence: Type.Union([EvidenceHandleSchema, Type.Null()]),
  }),
]);
export type ToEngine = Static<typeof ToEngineSchema>;

export const FromEngineSchema = Type.Union([
  Type.Object({ type: Type.Literal('snapshot'), snapshot: SnapshotSchema }),
  Type.Object({ type: Type.Literal('captured'), notice: CapturedSchema }),
  Type.Object({ type: Type.Literal('evidence'), id: Type.Integer(), evidence: EvidenceHandleSchema }),
  Type.Object({ type: Type.Literal('reported'), id: Type.Integer(), reportId: Type.String() }),
  Type.Object({ type: Type.Literal('failed'), id: Type.Integer(), code: Type.String() }),
]);
export type FromEngine = Static<typeof FromEngineSchema>;

/** Until the engine has said anything: not known to be enrolled or connected. */
export const UNKNOWN_SNAPSHOT: TraySnapshot = {
  enrolled: true,
  connection: 'unknown',
  lastUploadAt: null,
  queueDepth: 0,
  policyVersion: null,
  settings: DEFAULT_POLICY_SETTINGS,
};

export class EngineUnavailableError extends Error {
  readonly code: string;
  constructor(code = 'AGENT_ERR_ENGINE_UNAVAILABLE') {
    super('The monitoring engine is not running (it is being restarted).');
    this.code = code;
  }
}

/** The engine side: answers calls and forwards the engine's events to the tray. */
export function serveEngine(engine: TrayEnginePort, link: MessageLink): () => void {
  const send = (message: FromEngine) => link.post(message);
  const kept = new Map<number, PendingEvidence>();
  let nextRef = 1;
  const offSnapshot = engine.onSnapshot(() => send({ type: 'snapshot', snapshot: engine.snapshot() }));
  const offCaptured = engine.onCaptured((notice) => send({ type: 'captured', notice }));
  const offMessage = link.onMessage((raw) => {
    if (!Value.Check(ToEngineSchema, raw)) return; // not ours: ignored
    const message = raw;
    const fail = (error: unknown) =>
      send({
        type: 'failed',
        id: message.id,
        code:
          typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
            ? error.code
            : 'AGENT_ERR_INTERNAL',
      });
    if (message.type === 'takeEvidence') {
      engine.takeEvidence().then((evidence) => {
        const ref = nextRef++;
        kept.set(ref, evidence);
        for (const old of kept.keys()) if (kept.size > KEPT_EVIDENCE) kept.delete(old);
        send({ type: 'evidence', id: message.id, evidence: { takenAt: evidence.takenAt, ref } });
      }, fail);
    } else {
      // Evidence from before a restart is gone: the engine then takes a fresh screenshot.
      const evidence = message.evidence ? (kept.get(message.evidence.ref) ?? null) : null;
      if (message.evidence) kept.delete(message.evidence.ref);
      engine
        .reportConcern(message.text, evidence)
        .then(({ id }) => send({ type: 'reported', id: message.id, reportId: id }), fail);
    }
  });
  send({ type: 'snapshot', snapshot: engine.snapshot() });
  return () => {
    offSnapshot();
    offCaptured();
    offMessage();
  };
}

/**
 * The tray side: a TrayEnginePort over whichever link is attached. Calls made while the engine
 * is down (or that it never answered before it died) fail with AGENT_ERR_ENGINE_UNAVAILABLE.
 * Evidence is opaque here: the engine side keeps the screenshot, the tray only holds its handle.
 */
export class RemoteEngine implements TrayEnginePort {
  private link: MessageLink | null = null;
  private offLink: (() => void) | null = null;
  private nextId = 1;
  private current: TraySnapshot = UNKNOWN_SNAPSHOT;
  private readonly pending = new Map<number, { resolve: (m: FromEngine) => void; reject: (e: Error) => void }>();
  private readonly snapshotListeners = new Set<() => void>();
  private readonly capturedListeners = new Set<(c: CapturedNotice) => void>();

  attach(link: MessageLink): void {
    this.detach();
    this.link = link;
    this.offLink = link.onMessage((raw) => this.receive(raw));
  }

  /** The engine process ended: what it owed is failed, the tray shows it as not connected. */
  detach(): void {
    this.offLink?.();
    this.offLink = null;
    this.link = null;
    for (const [, call] of this.pending) call.reject(new EngineUnavailableError());
    this.pending.clear();
    if (this.current.connection !== 'unknown') {
      this.current = { ...this.current, connection: 'unknown' };
      this.emitSnapshot();
    }
  }

  takeEvidence(): Promise<PendingEvidence> {
    return this.call({ type: 'takeEvidence' }).then((m) => {
      if (m.type !== 'evidence') throw new EngineUnavailableError('AGENT_ERR_INTERNAL');
      return m.evidence;
    });
  }

  reportConcern(text: string, evidence: PendingEvidence | null): Promise<{ id: string }> {
    const handle = evidence !== null && isHandle(evidence) ? evidence : null;
    return this.call({ type: 'reportConcern', text, evidence: handle }).then((m) => {
      if (m.type !== 'reported') throw new EngineUnavailableError('AGENT_ERR_INTERNAL');
      return { id: m.reportId };
    });
  }

  onCaptured(listener: (c: CapturedNotice) => void): () => void {
    this.capturedListeners.add(listener);
    return () => this.capturedListeners.delete(listener);
  }

  snapshot(): TraySnapshot {
    return this.current;
  }

  onSnapshot(listener: () => void): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  private call(
    message: { type: 'takeEvidence' } | { type: 'reportConcern'; text: string; evidence: EvidenceHandle | null },
  ): Promise<FromEngine> {
    const link = this.link;
    if (!link) return Promise.reject(new EngineUnavailableError());
    const id = this.nextId++;
    return new Promise<FromEngine>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      link.post({ ...message, id });
    });
  }

  private receive(raw: unknown): void {
    if (!Value.Check(FromEngineSchema, raw)) return;
    const message = raw;
    switch (message.type) {
      case 'snapshot':
        this.current = message.snapshot;
        this.emitSnapshot();
        return;
      case 'captured':
        for (const l of this.capturedListeners) l(message.notice);
        return;
      default: {
        const call = this.pending.get(message.id);
        if (!call) return;
        this.pending.delete(message.id);
        if (message.type === 'failed') call.reject(new EngineUnavailableError(message.code));
        else call.resolve(message);
      }
    }
  }

  private emitSnapshot(): void {
    for (const l of this.snapshotListeners) l();
  }
}

function isHandle(evidence: PendingEvidence): evidence is EvidenceHandle {
  return Value.Check(EvidenceHandleSchema, evidence);
}
