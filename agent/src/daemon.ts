/**
 * The headless composition root: chooses the adapters and wires the engine, the uploader and
 * the heartbeat together. `cli.ts run` starts it; the Electron shell will host the same parts.
 */
import os from 'node:os';
import { DEFAULT_POLICY_SETTINGS, type PolicySettings } from '@vigil/shared';
import type { AgentStatus, ConnectionAttempt } from './core/agent-status.schema';
import { BUILTIN_LIST, BUILTIN_POLICY_VERSION } from './core/builtin-list';
import { startCaptureSources, type CaptureSources } from './core/capture-sources';
import { SnapshotState, type DaemonSnapshot } from './core/daemon-snapshot';
import { CaptureEngine } from './core/engine';
import { Heartbeat } from './core/heartbeat';
import { PolicySync } from './core/policy-sync';
import type {
  ActiveWindow,
  ClipboardSource,
  Clock,
  KeyboardSource,
  Logger,
  Outbox,
  Random,
  Screenshot,
  ScreenText,
  Timer,
  Transport,
  WindowSource,
} from './core/ports';
import { Uploader } from './core/uploader';
import { AgentError, errorCode } from './errors';
import { ensurePrivateDir } from './platform/atomic-file';
import { systemClock } from './platform/clock.system';
import { agentPaths, type AgentConfig } from './platform/config';
import { FileCredentialsStore, type DeviceCredentials } from './platform/credentials.file';
import { NativeKeyboard } from './platform/keyboard.native';
import { createStderrLogger } from './platform/log.stderr';
import { SqliteOutbox } from './platform/outbox.sqlite';
import { FilePolicyStore } from './platform/policy.file';
import { NativeScreenshot } from './platform/screenshot.native';
import { FileStatusStore } from './platform/status.file';
import { HttpTransport } from './platform/transport.http';
import { NativeClipboard } from './platform/clipboard.native';
import { OcrScreenText } from './platform/screen-text.ocr';
import { NativeWindow } from './platform/window.native';

export type { AgentConfig } from './platform/config';
export { loadConfig } from './platform/config';
export { AGENT_ERRORS, AgentError, type AgentErrorCode } from './errors';
export {
  CaptureEngine,
  REPORT_CATEGORY,
  REPORT_SEVERITY,
  type CapturedEvent,
  type PendingEvidence,
} from './core/engine';
export type { ConnectionState, DaemonSnapshot } from './core/daemon-snapshot';

/** Every adapter the daemon uses; tests and other hosts may replace any of them. */
export interface DaemonAdapters {
  keyboard: KeyboardSource;
  screenshot: Screenshot;
  activeWindow: ActiveWindow;
  /** The focused window as the capture sources poll it (titles, URLs, focus changes, OCR region). */
  windowSource: WindowSource;
  /** Null: no clipboard source. */
  clipboard: ClipboardSource | null;
  /** Null: no on-screen text (OCR). */
  screenText: ScreenText | null;
  outbox: Outbox;
  transport: Transport;
  clock: Clock;
  random: Random;
  log: Logger;
}

export interface DaemonHandle {
  readonly deviceId: string;
  readonly engine: CaptureEngine;
  readonly uploader: Uploader;
  readonly heartbeat: Heartbeat;
  readonly policySync: PolicySync;
  /** What the tray shows (no captured content). */
  snapshot(): DaemonSnapshot;
  /** Calls `listener` whenever anything in the snapshot changes; returns the unsubscribe function. */
  onSnapshot(listener: () => void): () => void;
  /** Stops listening, lets captures in flight reach the outbox, closes it. */
  stop(): Promise<void>;
}

const KEYBOARD_RETRY_MS = 60_000;
/** The queue depth the tray shows is read again this often (another process, test-capture, may queue). */
const SNAPSHOT_REFRESH_MS = 60_000;

/** The login name of the monitored user, or '' when the OS will not say. */
export function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? '';
  }
}

/** Reads the device credentials; rejects with AGENT_ERR_NOT_ENROLLED when there are none. */
export async function requireCredentials(config: AgentConfig): Promise<DeviceCredentials> {
  const credentials = await new FileCredentialsStore(agentPaths(config.dataDir).credentials).read();
  if (!credentials) throw new AgentError('AGENT_ERR_NOT_ENROLLED');
  return credentials;
}

/** Records each console call in status.json for `status`. */
export function attemptRecorder(status: FileStatusStore): (attempt: ConnectionAttempt) => void {
  return (attempt) => {
    const patch: Partial<AgentStatus> = { lastAttempt: attempt };
    if (attempt.ok) patch.lastSuccessAt = attempt.at;
    void status.update(patch);
  };
}

export async function startDaemon(config: AgentConfig, overrides: Partial<DaemonAdapters> = {}): Promise<DaemonHandle> {
  const log = overrides.log ?? createStderrLogger(config.logLevel);
  const paths = agentPaths(config.dataDir);
  await ensurePrivateDir(config.dataDir);
  const credentials = await requireCredentials(config);

  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? Math.random;
  const outbox = overrides.outbox ?? SqliteOutbox.open(paths.outbox);
  const transport =
    overrides.transport ??
    new HttpTransport({ consoleUrl: credentials.consoleUrl, device: credentials, timeoutMs: config.httpTimeoutMs });
  const status = new FileStatusStore(paths.status);
  const snapshot = new SnapshotState(
    {
      enrolled: true,
      connection: 'unknown',
      lastUploadAt: null,
      queueDepth: 0,
      policyVersion: null,
      settings: DEFAULT_POLICY_SETTINGS,
    },
    log,
  );
  // The queue depth is read after anything that may change it; one read at a time, then once more.
  let depthReading: Promise<void> | undefined;
  let depthAgain = false;
  const refreshDepth = (): void => {
    if (depthReading) {
      depthAgain = true;
      return;
    }
    depthReading = outbox
      .depth()
      .then((queueDepth) => snapshot.update({ queueDepth }))
      .catch((error: unknown) => log.warn('snapshot.depth_failed', { code: errorCode(error) }))
      .finally(() => {
        depthReading = undefined;
        if (depthAgain) {
          depthAgain = false;
          refreshDepth();
        }
      });
  };
  const recordStatus = attemptRecorder(status);
  const recordAttempt = (attempt: ConnectionAttempt): void => {
    recordStatus(attempt);
    snapshot.recordAttempt(attempt);
    refreshDepth();
  };
  let lastCaptureAt = (await status.read()).lastCaptureAt;
  const user = currentUser();

  const uploader = new Uploader({
    outbox,
    transport,
    clock,
    random,
    log,
    backoff: { baseMs: 1_000, maxMs: config.retryMaxMs },
    onAttempt: recordAttempt,
  });

  const nativeWindow = new NativeWindow();
  // The capture sources start after the engine (below); the engine tells them when the user is active.
  const userActive: { notify?: () => void } = {};
  const engine = new CaptureEngine({
    keywords: BUILTIN_LIST,
    policyVersion: BUILTIN_POLICY_VERSION,
    deviceId: credentials.deviceId,
    deviceLabel: os.hostname(),
    user,
    layout: config.keyboardLayout,
    keyboard: overrides.keyboard ?? new NativeKeyboard({ log, helperDir: paths.bin }),
    screenshot: overrides.screenshot ?? new NativeScreenshot(),
    activeWindow: overrides.activeWindow ?? nativeWindow,
    outbox,
    clock,
    log,
    onQueued: (metadata) => {
      lastCaptureAt = metadata.capturedAt;
      void status.update({ lastCaptureAt });
      refreshDepth();
      uploader.kick();
    },
    onInput: () => userActive.notify?.(),
    onKeyboardState: (keyboard) => {
      log.info('keyboard.state', { state: keyboard });
      void status.update({ keyboard });
    },
  });

  // The school's policy sets the OCR budget and the heartbeat interval (the device's environment
  // sets them until a policy arrives); the parts that use them start after the policy is loaded.
  let schoolSettings: PolicySettings | null = null;
  const timed: { heartbeat?: Heartbeat; sources?: CaptureSources } = {};
  const applyTimings = (): void => {
    if (!schoolSettings) return;
    timed.heartbeat?.setIntervalMs(schoolSettings.heartbeatSeconds * 1000);
    timed.sources?.screen?.setBudgetMs(schoolSettings.ocrIntervalSeconds * 1000);
  };

  // The school's policy: the last good one from disk at once, then the console's when it answers.
  const policySync = new PolicySync({
    transport,
    store: new FilePolicyStore(paths.policy),
    log,
    apply: (policy) => {
      engine.setPolicy(policy);
      outbox.setMaxBytes?.(policy.settings.maxQueueMegabytes * 1024 * 1024);
      snapshot.update({ policyVersion: policy.version, settings: policy.settings });
      schoolSettings = policy.settings;
      applyTimings();
    },
  });
  await policySync.loadStored();

  const heartbeat = new Heartbeat({
    transport,
    outbox,
    clock,
    log,
    intervalMs: config.heartbeatIntervalMs,
    agentVersion: config.agentVersion,
    user,
    policyVersion: () => engine.currentPolicyVersion,
    lastCaptureAt: () => lastCaptureAt,
    onAttempt: recordAttempt,
    onResponse: (response) => {
      void status.update({ consolePolicyVersion: response.policyVersion });
      if (response.policyVersion !== engine.currentPolicyVersion) void policySync.sync();
    },
  });

  timed.heartbeat = heartbeat;
  applyTimings();
  await status.update({ daemonPid: process.pid, keyboard: 'unavailable' });
  refreshDepth();
  let snapshotTimer: Timer | undefined;
  const refreshLater = (): void => {
    snapshotTimer = clock.setTimer(() => {
      refreshDepth();
      refreshLater();
    }, SNAPSHOT_REFRESH_MS);
  };
  refreshLater();
  uploader.start();
  heartbeat.start();
  void policySync.sync();

  // Without a keyboard the agent still uploads what is queued: log, and try again later.
  let stopped = false;
  let keyboardRetry: Timer | undefined;
  const startEngine = async (): Promise<void> => {
    try {
      await engine.start();
    } catch (error) {
      log.error('engine.start_failed', { code: errorCode(error), retryInMs: KEYBOARD_RETRY_MS });
      if (!stopped) keyboardRetry = clock.setTimer(() => void startEngine(), KEYBOARD_RETRY_MS);
    }
  };
  await startEngine();
  // Window titles and URLs, clipboard and on-screen text: each restarts itself when it fails.
  const sources: CaptureSources = startCaptureSources({
    sink: engine,
    window: overrides.windowSource ?? nativeWindow,
    clipboard:
      overrides.clipboard !== undefined ? overrides.clipboard : config.sources.clipboard ? new NativeClipboard() : null,
    screen:
      overrides.screenText !== undefined
        ? overrides.screenText
        : config.sources.ocr
          ? new OcrScreenText({ log })
          : null,
    clock,
    log,
    // A still screen is looked at again less and less often, at most every 3 minutes.
    screenText: {
      intervalMs: config.sources.ocrIntervalMs,
      budgetMs: config.sources.ocrBudgetMs,
      idleMaxIntervalMs: 180_000,
    },
    // A still laptop reads its window and clipboard every 10 s; a key or click brings that to 1 s.
    windowPollMs: 10_000,
    clipboardPollMs: 10_000,
    activePollMs: 1_000,
  });
  timed.sources = sources;
  applyTimings();
  userActive.notify = () => sources.inputSeen();
  log.info('daemon.started', { deviceId: credentials.deviceId, policyVersion: engine.currentPolicyVersion });

  return {
    deviceId: credentials.deviceId,
    engine,
    uploader,
    heartbeat,
    policySync,
    snapshot: () => snapshot.get(),
    onSnapshot: (listener) => snapshot.onChange(listener),
    async stop() {
      if (stopped) return;
      stopped = true;
      keyboardRetry?.cancel();
      snapshotTimer?.cancel();
      await sources.stop();
      await engine.stop();
      await Promise.all([uploader.stop(), heartbeat.stop()]);
      await status.update({ keyboard: 'stopped', daemonPid: null });
      await depthReading;
      await outbox.close();
      log.info('daemon.stopped', {});
    },
  };
}
