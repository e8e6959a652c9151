import { Value } from '@sinclair/typebox/value';
import {
  CaptureMetadataSchema,
  MAX_CONTEXT_LENGTH,
  contextAround,
  uuidv7,
  type CaptureMatch,
  type CaptureMetadata,
  type CaptureSource,
  type KeywordEntry,
  type PolicySettings,
  DEFAULT_POLICY_SETTINGS,
} from '@vigil/shared';
import { AgentError, errorCode } from '../errors';
import type {
  ActiveWindow,
  Clock,
  EvidenceStamp,
  KeyEvent,
  KeyboardSource,
  KeyboardState,
  Logger,
  Outbox,
  Screenshot,
  ScreenshotImage,
  Timer,
  WindowInfo,
} from './ports';
import { CapturePolicy } from './capture-policy';
import { KeywordMatcher } from './keyword-matcher';
import { isExempt } from './password-exemption';
import type { TextMatch, TextSink } from './text-sink';
import { TypedText, type KeyboardLayout, type TypedMatches } from './typed-text';

/** After this long without a key, a match waiting for the next word (an allow-listed phrase could follow) is decided. */
export const TYPING_PAUSE_MS = 1_000;

export interface CaptureFacts {
  id: string;
  /** Unix ms. */
  capturedAt: number;
  deviceId: string;
  user: string;
  source: CaptureSource;
  window: WindowInfo;
  policyVersion: string;
}

/** The metadata of a capture of `found`: context around the matches, offsets into that context. */
export function buildCaptureMetadata(facts: CaptureFacts, found: TypedMatches): CaptureMetadata {
  const first = Math.min(...found.matches.map((m) => m.start));
  const last = Math.max(...found.matches.map((m) => m.end));
  const { context, offset } = contextAround(found.text, first, last);
  const matches: CaptureMatch[] = found.matches.map((m) => ({
    entryId: m.entry.id,
    phrase: m.entry.phrase,
    category: m.entry.category,
    severity: m.entry.severity,
    start: m.start - offset,
    end: m.end - offset,
  }));
  return {
    ...baseMetadata(facts),
    matches,
    context: context.slice(0, MAX_CONTEXT_LENGTH),
    severity: Math.max(...matches.map((m) => m.severity)),
  };
}

/** What a "Report a concern" capture is filed under, on the console as on the tray. */
export const REPORT_CATEGORY = 'report';
export const REPORT_SEVERITY = 4;
/** The phrase a report's one match names, so the console lists and filters it like any capture. */
export const REPORT_PHRASE = 'Report a concern';

/**
 * The metadata of a pupil's report: the pupil's own words are the context, and one match (entry
 * `report`, category `report`, severity 4) spans them, so the console files the report under its
 * category and alerts on it like any severity-4 capture.
 */
export function buildReportMetadata(facts: CaptureFacts, words: string): CaptureMetadata {
  const context = words.trim().slice(0, MAX_CONTEXT_LENGTH);
  return {
    ...baseMetadata(facts),
    matches: [
      {
        entryId: REPORT_CATEGORY,
        phrase: REPORT_PHRASE,
        category: REPORT_CATEGORY,
        severity: REPORT_SEVERITY,
        start: 0,
        end: context.length,
      },
    ],
    context,
    severity: REPORT_SEVERITY,
  };
}

/** The metadata of a test capture: no match, lowest severity, a context that says what it is. */
export function buildTestCaptureMetadata(facts: CaptureFacts): CaptureMetadata {
  return { ...baseMetadata(facts), matches: [], context: 'Vigil test capture', severity: 1 };
}

function baseMetadata(facts: CaptureFacts): Omit<CaptureMetadata, 'matches' | 'context' | 'severity'> {
  return {
    id: facts.id,
    capturedAt: new Date(facts.capturedAt).toISOString(),
    deviceId: facts.deviceId,
    user: facts.user,
    source: facts.source,
    app: facts.window.app,
    windowTitle: facts.window.title,
    url: facts.window.url,
    count: 1,
    policyVersion: facts.policyVersion,
  };
}

/** Evidence taken now for a report made later (the tray takes it before its window opens). */
export interface PendingEvidence {
  /** ISO 8601 UTC: when the screenshot was taken (its banner says so too). */
  readonly takenAt: string;
}

/** What a listener hears about each capture queued: never the captured text. */
export interface CapturedEvent {
  id: string;
  source: CaptureSource;
  categories: string[];
  maxSeverity: number;
  /** ISO 8601 UTC: the capture's time. */
  at: string;
}

interface EvidenceParts {
  at: number;
  window: WindowInfo;
  image: ScreenshotImage;
}

export interface CaptureEngineOptions {
  keywords: readonly KeywordEntry[];
  /** Allow-list phrases (Scunthorpe, Essex…): a match inside one is not a match. */
  exclusions?: readonly string[];
  policyVersion: string;
  deviceId: string;
  /** How the device is named on the screenshot banner (its hostname); the device id when absent. */
  deviceLabel?: string;
  user: string;
  layout?: KeyboardLayout;
  /** Capture settings (minimum severity, hours, throttling); the defaults until a policy arrives. */
  settings?: PolicySettings;
  keyboard: KeyboardSource;
  screenshot: Screenshot;
  activeWindow: ActiveWindow;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  newId?: (nowMs: number) => string;
  /** Called after a capture is safely in the outbox. */
  onQueued?: (metadata: CaptureMetadata) => void;
  /** Called when the keyboard starts or stops hearing keys. */
  onKeyboardState?: (state: KeyboardState) => void;
  /** Called on every key or click pressed (not the key itself): the user is active. */
  onInput?: () => void;
}

/**
 * Typed text → matcher → capture → screenshot → outbox. Captures are queued in the order they
 * were matched; a capture whose screenshot fails is still queued, with an "unavailable" image.
 */
export class CaptureEngine implements TextSink {
  private readonly options: CaptureEngineOptions;
  private readonly typed: TypedText;
  private readonly newId: (nowMs: number) => string;
  private readonly policy: CapturePolicy;
  private matcher: KeywordMatcher;
  private policyVersion: string;
  private keywordCount: number;
  private pending: Promise<void> = Promise.resolve();
  private running = false;
  /** The focused window is a password prompt or sign-in page: keys are not even buffered. */
  private typingExempt = false;
  /** When the last key went down (clock ms), to tell which window a line was typed in. */
  private lastKeyAt = Number.NEGATIVE_INFINITY;
  /** When keys arrive in an exempt window, whether focus has left it is checked now and then. */
  private exemptionCheckedAt = Number.NEGATIVE_INFINITY;
  private checkingExemption = false;
  /** Fires after a pause in typing, to decide matches waiting for the next word. */
  private pauseTimer: Timer | undefined;
  private readonly capturedListeners = new Set<(c: CapturedEvent) => void>();
  /** Evidence handed out by takeEvidence, kept only while the caller holds its token. */
  private readonly evidence = new WeakMap<PendingEvidence, EvidenceParts>();

  constructor(options: CaptureEngineOptions) {
    this.options = options;
    this.newId = options.newId ?? uuidv7;
    this.matcher = new KeywordMatcher(options.keywords, options.exclusions);
    this.policyVersion = options.policyVersion;
    this.keywordCount = options.keywords.length;
    this.policy = new CapturePolicy(options.settings ?? DEFAULT_POLICY_SETTINGS);
    this.typed = new TypedText({ matcher: this.matcher, layout: options.layout ?? 'gb' });
  }

  /**
   * Hot-swaps the lists and settings; the text being typed and captures in flight are kept. A
   * policy whose lists cannot be compiled throws and changes nothing.
   */
  setPolicy(policy: {
    version: string;
    keywords: readonly KeywordEntry[];
    exclusions?: readonly string[];
    settings: PolicySettings;
  }): void {
    const matcher = new KeywordMatcher(policy.keywords, policy.exclusions);
    this.matcher = matcher;
    this.policyVersion = policy.version;
    this.keywordCount = matcher.size;
    this.policy.update(policy.settings);
    this.options.log.info('engine.policy', { version: policy.version, keywords: matcher.size });
    // The line being typed is replayed into the new lists' stream: a phrase half typed is still
    // seen when it completes, and one the line already holds under the new lists is reported now.
    try {
      const found = this.typed.setMatcher(matcher);
      if (found) this.report('typed', found);
    } catch (error) {
      this.typed.reset();
      this.options.log.error('engine.key_failed', { code: errorCode(error) });
    }
  }

  get currentPolicyVersion(): string {
    return this.policyVersion;
  }

  /** The capture settings in force (the defaults until a policy arrives). */
  get currentSettings(): PolicySettings {
    return this.policy.current;
  }

  /**
   * Tells `listener` about each capture after it reaches the outbox (id, source, categories,
   * highest severity, time: never the captured text). Returns the unsubscribe function.
   */
  onCaptured(listener: (c: CapturedEvent) => void): () => void {
    this.capturedListeners.add(listener);
    return () => {
      this.capturedListeners.delete(listener);
    };
  }

  /**
   * Takes the stamped evidence screenshot now, with the window that has focus now, to attach to
   * a report made later. A screenshot that fails gives the "unavailable" image: the report still
   * goes.
   */
  async takeEvidence(): Promise<PendingEvidence> {
    const at = this.options.clock.now();
    const [window, image] = await Promise.all([
      this.options.activeWindow.current(),
      this.screenshotOrPlaceholder(this.stamp(at)),
    ]);
    const token: PendingEvidence = Object.freeze({ takenAt: new Date(at).toISOString() });
    this.evidence.set(token, { at, window, image });
    return token;
  }

  /**
   * "Report a concern": queues a capture with source `report`, severity 4, category `report` and
   * the pupil's words (trimmed, at most 2,000 characters) as its context, with the evidence taken
   * before the report window opened (its window and screenshot), or a fresh screenshot when
   * `evidence` is null. Neither the school's minimum severity nor its monitored hours nor the
   * throttle apply: a pupil asking for help is always heard. Resolves once it is in the outbox.
   */
  async reportConcern(text: string, evidence: PendingEvidence | null): Promise<{ id: string }> {
    if (typeof text !== 'string') {
      throw new AgentError('AGENT_ERR_CAPTURE_FAILED', 'A report needs the words of the concern as text.');
    }
    let parts: EvidenceParts | undefined;
    if (evidence !== null) {
      parts = this.evidence.get(evidence);
      if (!parts) {
        throw new AgentError('AGENT_ERR_CAPTURE_FAILED', 'The report evidence was not taken by this engine.');
      }
    }
    const now = this.options.clock.now();
    const facts = await this.facts('report', now, parts?.window);
    const image = parts?.image ?? (await this.screenshotOrPlaceholder(this.stamp(now)));
    const metadata = buildReportMetadata(facts, text);
    const queued = this.pending.then(() => this.enqueue(metadata, image));
    this.pending = queued.catch(() => undefined);
    await queued;
    if (evidence !== null) this.evidence.delete(evidence);
    return { id: metadata.id };
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.options.keyboard.start(
      (event) => this.handleKey(event),
      (state) => {
        // Keys were missed: what the line completed is reported, then it starts afresh.
        if (state === 'unavailable') this.endTypedLine();
        this.options.onKeyboardState?.(state);
      },
    );
    this.running = true;
    this.options.log.info('engine.started', { keywords: this.keywordCount });
  }

  /**
   * Stops listening, reports what the typed line completed, forgets it and waits for captures in
   * flight to be queued.
   */
  async stop(): Promise<void> {
    if (this.running) await this.options.keyboard.stop();
    this.running = false;
    this.endTypedLine();
    await this.idle();
  }

  /** Resolves once every capture matched so far is in the outbox (or has failed). */
  idle(): Promise<void> {
    return this.pending;
  }

  handleKey(event: KeyEvent): void {
    if (event.kind === 'down') this.options.onInput?.();
    if (this.typingExempt) {
      this.recheckExemption();
      return;
    }
    if (event.kind === 'down') this.lastKeyAt = this.options.clock.now();
    try {
      const found = this.typed.push(event);
      if (found) this.report('typed', found);
      if (event.kind === 'down') this.schedulePauseCheck();
    } catch (error) {
      this.options.log.error('engine.key_failed', { code: errorCode(error) });
    }
  }

  /**
   * A match an allow-listed phrase could still extend ("i want to die" before "of embarrassment")
   * waits for the next word. When the user stops after a word, it is decided after
   * TYPING_PAUSE_MS: reported as it stands.
   */
  private schedulePauseCheck(): void {
    this.pauseTimer?.cancel();
    this.pauseTimer = undefined;
    if (!this.typed.pausePending) return;
    this.pauseTimer = this.options.clock.setTimer(() => {
      this.pauseTimer = undefined;
      if (this.typingExempt) return;
      try {
        const found = this.typed.flushPending();
        if (found) this.report('typed', found);
      } catch (error) {
        this.options.log.error('engine.key_failed', { code: errorCode(error) });
      }
    }, TYPING_PAUSE_MS);
  }

  /** Ends the typed line: reports what it completed (in `window`, else the window of the moment) and forgets it. */
  private endTypedLine(window?: WindowInfo): void {
    this.pauseTimer?.cancel();
    this.pauseTimer = undefined;
    try {
      const found = this.typed.endLine();
      if (found) this.report('typed', found, window);
    } catch (error) {
      this.options.log.error('engine.key_failed', { code: errorCode(error) });
    }
    this.typed.reset();
  }

  /**
   * Turns matches into a capture, if the capture policy wants one: matches below the school's
   * minimum severity and matches outside monitored hours are dropped; the same phrase in the same
   * window within the throttle time adds to the earlier capture's count instead of a new
   * screenshot. Captures are decided and queued one at a time, in the order they were matched.
   */
  report(source: CaptureSource, found: TypedMatches, seenIn?: WindowInfo): void {
    const { clock, log } = this.options;
    const capturedAt = clock.now();
    const matches = found.matches.filter((m) => m.entry.severity >= this.policy.minSeverity);
    if (matches.length === 0 || !this.policy.monitoredAt(capturedAt)) {
      log.debug('capture.skipped', { matches: found.matches.length, kept: matches.length });
      return;
    }
    const window = seenIn ? Promise.resolve(seenIn) : this.options.activeWindow.current();
    window.catch(() => undefined);
    const entryIds = matches.map((m) => m.entry.id);
    // The screenshot is the slow part: take it now, beside the window lookup, unless these
    // phrases were captured within the throttle time (then it may be a repeat that needs none).
    const early = this.policy.throttle.seenRecently(entryIds, capturedAt)
      ? undefined
      : this.screenshotOrPlaceholder(this.stamp(capturedAt));
    early?.catch(() => undefined);
    this.pending = this.pending
      .then(async () => {
        const facts = await this.facts(source, capturedAt, await window);
        // Checked again here, with the window of the moment: focus may have moved since the last poll.
        if (isExempt(source, facts.window)) {
          log.info('capture.exempt', { source });
          return;
        }
        const windowKey = `${facts.window.app}\u0000${facts.window.title}`;
        const decision = this.policy.throttle.decide(entryIds, windowKey, capturedAt);
        for (const repeat of decision.repeats) {
          const bumped = await this.options.outbox.bumpCount(repeat.captureId, repeat.count);
          log.info('capture.repeat', { id: repeat.captureId, count: repeat.count, queued: bumped });
        }
        if (decision.fresh.length === 0) return;
        this.policy.throttle.remember(entryIds, windowKey, facts.id, capturedAt);
        const image = await (early ?? this.screenshotOrPlaceholder(this.stamp(capturedAt)));
        await this.enqueue(buildCaptureMetadata(facts, { text: found.text, matches }), image);
      })
      .catch((error: unknown) => log.error('capture.failed', { code: errorCode(error) }));
  }

  /** Every match in `text` with the current lists: the one matcher all sources share. */
  match(text: string): TextMatch[] {
    return this.matcher.match(text);
  }

  /**
   * Another window has focus (seen by a poll; the previous window, `previous`, was still focused
   * at `stillFocusedAt`): the typed line ends — what it completed is reported as typed in
   * `previous` — and starts afresh: a buffer per focused window. When keys went down after
   * `stillFocusedAt`, the poll cannot tell which window they went to, so the line is kept (a
   * click or Alt+Tab, the usual ways focus moves, have ended it already) — or, when the new
   * window is a password prompt or sign-in page, dropped unreported, as those keys may be a
   * password. While such a window has focus keys are ignored (password-exemption.ts).
   */
  focusChanged(
    window: WindowInfo | null,
    stillFocusedAt: number | null = null,
    previous: WindowInfo | null = null,
  ): void {
    const exempt = isExempt('typed', window);
    const typedSince = stillFocusedAt !== null && this.lastKeyAt > stillFocusedAt;
    if (!typedSince) this.endTypedLine(previous ?? undefined);
    else if (exempt) {
      this.pauseTimer?.cancel();
      this.typed.reset();
    }
    if (exempt !== this.typingExempt) this.options.log.info('typed.exempt', { exempt });
    this.typingExempt = exempt;
  }

  /**
   * Keys while typing is exempt: the window polls lag by up to a second, so ask the window of
   * the moment (at most every 250 ms) and stop ignoring keys as soon as focus has left the prompt.
   */
  private recheckExemption(): void {
    const now = this.options.clock.now();
    if (this.checkingExemption || now - this.exemptionCheckedAt < 250) return;
    this.checkingExemption = true;
    this.exemptionCheckedAt = now;
    this.options.activeWindow
      .current()
      .then((window) => {
        if (!this.typingExempt || isExempt('typed', window)) return;
        this.typed.reset();
        this.typingExempt = false;
        this.options.log.info('typed.exempt', { exempt: false });
      })
      .catch(() => undefined)
      .finally(() => {
        this.checkingExemption = false;
      });
  }

  /**
   * Queues a capture with source `test` and a real screenshot (no placeholder: the point is to
   * check the device end to end). Resolves with its metadata once it is in the outbox.
   */
  async captureTest(): Promise<CaptureMetadata> {
    const facts = await this.facts('test', this.options.clock.now());
    const image = await this.options.screenshot.capture(this.stamp(facts.capturedAt));
    const metadata = buildTestCaptureMetadata(facts);
    const queued = this.pending.then(() => this.enqueue(metadata, image));
    this.pending = queued.catch(() => undefined);
    await queued;
    return metadata;
  }

  private async facts(source: CaptureSource, capturedAt: number, window?: WindowInfo): Promise<CaptureFacts> {
    return {
      id: this.newId(capturedAt),
      capturedAt,
      deviceId: this.options.deviceId,
      user: this.options.user,
      source,
      window: window ?? (await this.options.activeWindow.current()),
      policyVersion: this.policyVersion,
    };
  }

  private stamp(at: number): EvidenceStamp {
    return { at, device: this.options.deviceLabel ?? this.options.deviceId, user: this.options.user };
  }

  private async screenshotOrPlaceholder(stamp: EvidenceStamp): Promise<ScreenshotImage> {
    try {
      return await this.options.screenshot.capture(stamp);
    } catch (error) {
      this.options.log.warn('screenshot.failed', { code: errorCode(error) });
      return this.options.screenshot.unavailable(stamp);
    }
  }

  private async enqueue(metadata: CaptureMetadata, image: ScreenshotImage): Promise<void> {
    if (!Value.Check(CaptureMetadataSchema, metadata)) {
      throw new AgentError('AGENT_ERR_CAPTURE_FAILED', 'The capture metadata does not fit the protocol.');
    }
    await this.options.outbox.enqueue(
      { metadata, screenshot: image.webp, thumbnail: image.thumbnail },
      this.options.clock.now(),
    );
    this.options.log.info('capture.queued', {
      id: metadata.id,
      source: metadata.source,
      severity: metadata.severity,
      matches: metadata.matches.length,
    });
    this.options.onQueued?.(metadata);
    const event: CapturedEvent = {
      id: metadata.id,
      source: metadata.source,
      categories: [...new Set(metadata.matches.map((m) => m.category))],
      maxSeverity: metadata.severity,
      at: metadata.capturedAt,
    };
    for (const listener of this.capturedListeners) {
      try {
        listener({ ...event, categories: [...event.categories] });
      } catch (error) {
        this.options.log.warn('engine.listener_failed', { code: errorCode(error) });
      }
    }
  }
}
