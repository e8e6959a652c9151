/**
 * "Report a concern": the screenshot is taken first (the screen as it was when the pupil pressed
 * the menu item, not the report window), then the window opens; what the pupil writes is sent
 * with that evidence as a capture to the DSL. One report window at a time, one send at a time.
 */
import type { PendingEvidence, TrayEnginePort } from './engine-port';

export const REPORT_MAX_CHARS = 2_000;

export type ReportSubmitResult = { ok: true; id: string } | { ok: false; message: string };

export const REPORT_MESSAGES = {
  empty: 'Please write a few words about what worried you.',
  tooLong: `Please keep your report under ${REPORT_MAX_CHARS.toLocaleString('en-GB')} characters.`,
  failed: 'Your report could not be saved just now. Please try again, or tell a trusted adult.',
  busy: 'Your report is being sent.',
  closed: 'This report window has closed. Please open “Report a concern” again.',
} as const;

/** What the flow asks of the windowing side. */
export interface ReportWindowView {
  openReportWindow(): void;
  focusReportWindow(): void;
  closeReportWindow(): void;
}

/** The agent's Logger, as far as the flow uses it: ids and codes only, never the pupil's words. */
export interface ReportFlowLog {
  info(event: string, fields: Readonly<Record<string, string | number | boolean | null>>): void;
  warn(event: string, fields: Readonly<Record<string, string | number | boolean | null>>): void;
}

/** Checks the pupil's words: trimmed, 1 to 2,000 characters. */
export function checkReportText(text: unknown): { ok: true; text: string } | { ok: false; message: string } {
  if (typeof text !== 'string') return { ok: false, message: REPORT_MESSAGES.empty };
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: REPORT_MESSAGES.empty };
  if ([...trimmed].length > REPORT_MAX_CHARS) return { ok: false, message: REPORT_MESSAGES.tooLong };
  return { ok: true, text: trimmed };
}

export class ReportFlow {
  private state: 'closed' | 'opening' | 'open' | 'sending' | 'sent' = 'closed';
  private evidence: PendingEvidence | null = null;

  constructor(
    private readonly engine: Pick<TrayEnginePort, 'takeEvidence' | 'reportConcern'>,
    private readonly view: ReportWindowView,
    private readonly log: ReportFlowLog,
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** A report window is open (or opening) with a report not yet sent. */
  get isOpen(): boolean {
    return this.state === 'opening' || this.state === 'open' || this.state === 'sending';
  }

  /** From the tray menu. A second press brings the open window forward. */
  async open(): Promise<void> {
    if (this.state === 'sent') {
      // The thank-you of the last report is still showing: a new report gets a new window.
      this.view.closeReportWindow();
      this.state = 'closed';
    }
    if (this.state !== 'closed') {
      if (this.state !== 'opening') this.view.focusReportWindow();
      return;
    }
    this.state = 'opening';
    this.onChange();
    try {
      this.evidence = await this.engine.takeEvidence();
    } catch (error) {
      // The report still goes; the engine takes a screenshot when it is sent.
      this.evidence = null;
      this.log.warn('report.evidence_failed', { code: codeOf(error) });
    }
    this.state = 'open';
    this.view.openReportWindow();
  }

  /** From the report window (through IPC): validated here, whatever the renderer checked. */
  async submit(text: unknown): Promise<ReportSubmitResult> {
    if (this.state === 'sending') return { ok: false, message: REPORT_MESSAGES.busy };
    if (this.state !== 'open') return { ok: false, message: REPORT_MESSAGES.closed };
    const checked = checkReportText(text);
    if (!checked.ok) return checked;
    this.state = 'sending';
    try {
      const { id } = await this.engine.reportConcern(checked.text, this.evidence);
      this.log.info('report.queued', { id, withEvidence: this.evidence !== null });
      this.evidence = null;
      // The window thanks the pupil until they close it.
      this.state = 'sent';
      this.onChange();
      return { ok: true, id };
    } catch (error) {
      this.log.warn('report.failed', { code: codeOf(error) });
      this.state = 'open';
      return { ok: false, message: REPORT_MESSAGES.failed };
    }
  }

  /** The pupil closed the window without sending: the evidence is dropped. */
  closed(): void {
    if (this.state === 'sending') return;
    this.evidence = null;
    this.state = 'closed';
    this.onChange();
  }
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : 'AGENT_ERR_INTERNAL';
}
