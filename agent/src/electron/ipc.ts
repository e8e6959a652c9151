/**
 * The one bridge between a page and the main process. The preload exposes exactly
 * `window.vigil: VigilBridge`; the main process checks every message against these schemas
 * and the sending page before acting on it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { PrivacyNoticeContent } from './privacy-notice';
import type { ReportSubmitResult } from './report-flow';
import type { SupportCardContent } from './support-card';

export const IPC = {
  view: 'vigil:view',
  submitReport: 'vigil:report:submit',
  close: 'vigil:close',
} as const;

export type PageView =
  | { page: 'report'; maxChars: number }
  | { page: 'privacy'; content: PrivacyNoticeContent }
  | { page: 'support'; content: SupportCardContent };

/** What the preload exposes to a page, and nothing else. */
export interface VigilBridge {
  view(): Promise<PageView>;
  submitReport(text: string): Promise<ReportSubmitResult>;
  close(): void;
}

export const SubmitReportRequestSchema = Type.Object(
  // Longer than a report may be, so that the flow says "too long" rather than the bridge refusing.
  { text: Type.String({ maxLength: 20_000 }) },
  { additionalProperties: false },
);
export type SubmitReportRequest = Static<typeof SubmitReportRequestSchema>;

export function parseSubmitReport(payload: unknown): SubmitReportRequest | null {
  return Value.Check(SubmitReportRequestSchema, payload) ? payload : null;
}
