/**
 * What the engine needs from the world. Adapters live in `src/platform` (named by runtime:
 * `*.native.ts`, `*.sqlite.ts`, `*.http.ts`, `*.fake.ts`, `*.memory.ts`) and only the
 * composition roots (`daemon.ts`, `cli.ts`) choose them.
 */
import type {
  CaptureMetadata,
  EnrolRequest,
  EnrolResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  Policy,
} from '@vigil/shared';
import type { AgentErrorCode } from '../errors';

// ── keyboard ───────────────────────────────────────────────────────────────────────────────

/**
 * A normalised key event. `key` is a physical key named as node-global-key-listener's standard
 * names (`A`…`Z`, `0`…`9`, `SPACE`, `RETURN`, `BACKSPACE`, `LEFT SHIFT`, `CAPS LOCK`, `COMMA`,
 * `QUOTE`, `NUMPAD 1`, `MOUSE LEFT`, …), plus `INTL BACKSLASH` for the ISO key left of Z;
 * anything else is `OTHER`. The key, not the character: the layout is applied in the core.
 */
export interface KeyEvent {
  kind: 'down' | 'up';
  key: string;
}

export type KeyListener = (event: KeyEvent) => void;

/** `listening`: key events are arriving; `unavailable`: the source failed and is being restarted. */
export type KeyboardState = 'listening' | 'unavailable';

export interface KeyboardSource {
  /**
   * Starts delivering global key events to `listener`, and tells `onState` whenever the source
   * starts or stops hearing keys. Rejects with AGENT_ERR_KEYBOARD_UNAVAILABLE.
   */
  start(listener: KeyListener, onState?: (state: KeyboardState) => void): Promise<void>;
  stop(): Promise<void>;
}

// ── screen ─────────────────────────────────────────────────────────────────────────────────

export interface ScreenshotImage {
  /** The screen as WebP, at most 1600 px wide. */
  webp: Uint8Array;
  width: number;
  height: number;
  /** A small WebP preview, 320 px wide. */
  thumbnail: Uint8Array;
}

/** What a screenshot's evidence banner says: when, on which device, for which user. */
export interface EvidenceStamp {
  /** Unix ms: the capture's own time. */
  at: number;
  device: string;
  user: string;
}

export interface Screenshot {
  /**
   * Takes a screenshot now, with `stamp` burned into a banner below the screen. Rejects with
   * AGENT_ERR_SCREENSHOT_FAILED.
   */
  capture(stamp: EvidenceStamp): Promise<ScreenshotImage>;
  /**
   * An image that says "screenshot unavailable", so a match is still reported when the screen
   * cannot be read (the text evidence is worth more than no capture at all).
   */
  unavailable(stamp: EvidenceStamp): Promise<ScreenshotImage>;
}

export interface WindowInfo {
  app: string;
  title: string;
  url: string | null;
}

export interface ActiveWindow {
  /** The focused window; empty strings when unknown. Never rejects. */
  current(): Promise<WindowInfo>;
}

/** Where a window sits on the screen, in screen pixels. */
export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The focused window as a capture source sees it: which window (to notice focus changes) and where. */
export interface FocusedWindow extends WindowInfo {
  /** The platform's window id; the same window keeps it while it lives. */
  id: string;
  /** Null when the platform does not say. */
  bounds: WindowBounds | null;
}

export interface WindowSource {
  /** The focused window, or null when none (or the platform will not say which). Rejects with AGENT_ERR_WINDOW_UNAVAILABLE. */
  focused(): Promise<FocusedWindow | null>;
}

// ── clipboard ──────────────────────────────────────────────────────────────────────────────

export interface ClipboardSource {
  /** The clipboard's text, or null when it holds none. Rejects with AGENT_ERR_CLIPBOARD_UNAVAILABLE. */
  readText(): Promise<string | null>;
}

// ── on-screen text ─────────────────────────────────────────────────────────────────────────

/** A picture of (part of) the screen, prepared for text recognition, with a cheap fingerprint. */
export interface ScreenFrame {
  /** The image to read (PNG), kept in memory only. */
  image: Uint8Array;
  /** A perceptual hash of the image as hex (an average hash): similar frames have close hashes. */
  hash: string;
}

export interface ScreenText {
  /** Grabs `region` of the screen (the whole screen when null). Rejects with AGENT_ERR_SCREEN_TEXT_FAILED. */
  grab(region: WindowBounds | null): Promise<ScreenFrame>;
  /**
   * A cheap fingerprint of `region` (far cheaper than `grab`), to tell whether it changed since
   * it was last read; null when the platform has no cheap way. Never rejects.
   */
  probe?(region: WindowBounds | null): Promise<string | null>;
  /** The text in a frame (OCR). Rejects with AGENT_ERR_SCREEN_TEXT_FAILED. */
  recognise(frame: ScreenFrame): Promise<string>;
  /** Frees the recogniser (its worker thread); the next call starts a new one. */
  close(): Promise<void>;
}

// ── outbox ─────────────────────────────────────────────────────────────────────────────────

/** What travels to the console for one capture. */
export interface CaptureUpload {
  metadata: CaptureMetadata;
  screenshot: Uint8Array;
  thumbnail: Uint8Array;
}

export interface OutboxItem extends CaptureUpload {
  /** The capture id (UUIDv7), also `metadata.id`. */
  id: string;
  /** Unix ms. */
  enqueuedAt: number;
  attempts: number;
  /** Unix ms; the item is ready when this is not in the future. */
  nextAttemptAt: number;
  lastError: string | null;
}

/** Why an item was set aside: it will never be accepted as it is, so it is kept, not retried. */
export interface SetAsideReason {
  code: AgentErrorCode;
  httpStatus: number | null;
  consoleCode: string | null;
}

export type OutboxItemState = 'pending' | 'set-aside' | 'absent';

/**
 * A durable queue of captures. An item leaves it only when the console acknowledged it (`ack`)
 * or when it can never be accepted (`setAside`, which keeps it in a separate place).
 */
export interface Outbox {
  /** Adds a capture, ready at once. Enqueuing an id that is already queued changes nothing. */
  enqueue(capture: CaptureUpload, now: number): Promise<void>;
  /** The next item to upload among those due at `now`: the highest severity first, then the oldest. */
  peekReady(now: number): Promise<OutboxItem | undefined>;
  /** Raises the occurrence count of a capture still waiting; false when it has already left. */
  bumpCount(id: string, count: number): Promise<boolean>;
  /** A waiting item by id, due or not. */
  get(id: string): Promise<OutboxItem | undefined>;
  /** The console acknowledged the item: delete it. */
  ack(id: string): Promise<void>;
  /** Try again later: counts an attempt and records the error code. */
  defer(id: string, nextAttemptAt: number, errorCode: string): Promise<void>;
  /** Never retry: move the item aside, with its images, for an admin to look at. */
  setAside(id: string, reason: SetAsideReason, now: number): Promise<void>;
  state(id: string): Promise<OutboxItemState>;
  /** Items waiting to be uploaded (not counting those set aside). */
  depth(): Promise<number>;
  setAsideCount(): Promise<number>;
  /** The earliest next attempt among waiting items, or undefined when the queue is empty. */
  nextAttemptAt(): Promise<number | undefined>;
  /** Changes the size cap, for outboxes that have one (the school's policy sets it). */
  setMaxBytes?(maxBytes: number): void;
  close(): Promise<void>;
}

// ── transport ──────────────────────────────────────────────────────────────────────────────

/** A call failed in a way that may succeed later: network, timeout, 429, 5xx, a garbled answer. */
export interface RetryableFailure {
  kind: 'retryable';
  code: AgentErrorCode;
  httpStatus: number | null;
  /** From `Retry-After`, when the console sent one. */
  retryAfterMs: number | null;
}

/** The console refused this request and always will (4xx other than 401). */
export interface PermanentFailure {
  kind: 'permanent';
  code: AgentErrorCode;
  httpStatus: number | null;
  consoleCode: string | null;
}

/** The console does not accept this device (401): nothing about the item is wrong. */
export interface UnauthorisedFailure {
  kind: 'unauthorised';
  code: 'AGENT_ERR_DEVICE_UNAUTHORISED';
  httpStatus: number;
  consoleCode: string | null;
}

export type TransportFailure = RetryableFailure | PermanentFailure | UnauthorisedFailure;

export type TransportResult<T> = { kind: 'ok'; value: T } | TransportFailure;

/** 201: stored now (`ok`); 200: already stored earlier (`duplicate`). Both mean "acknowledged". */
export type UploadResult = { kind: 'ok'; id: string } | { kind: 'duplicate'; id: string } | TransportFailure;

export type PolicyResult =
  { kind: 'ok'; value: { policy: Policy; etag: string | null } } | { kind: 'not-modified' } | TransportFailure;

export interface Transport {
  enrol(request: EnrolRequest): Promise<TransportResult<EnrolResponse>>;
  uploadCapture(capture: CaptureUpload): Promise<UploadResult>;
  heartbeat(request: HeartbeatRequest): Promise<TransportResult<HeartbeatResponse>>;
  fetchPolicy(etag: string | null): Promise<PolicyResult>;
}

// ── time, chance, logs ─────────────────────────────────────────────────────────────────────

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Unix ms. */
  now(): number;
  /** Calls `callback` once, after `ms`. */
  setTimer(callback: () => void, ms: number): Timer;
}

/** A number in [0, 1), like Math.random. Injected so backoff jitter is testable. */
export type Random = () => number;

/** Log fields are ids, counts and codes: never captured text, keystrokes or image bytes. */
export type LogFields = Readonly<Record<string, string | number | boolean | null>>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}
