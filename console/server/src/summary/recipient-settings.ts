import {
  MAX_EXTRA_EMAILS,
  RECIPIENT_ROLES,
  type RecipientList,
  type RecipientRole,
  type SummariesRepository,
  type SummarySettings,
} from './summaries.repository';

/** A recipient change that cannot be saved; the message is for the person who made it. */
export class RecipientSettingsError extends Error {}

export interface RecipientChange {
  summaryRoles?: readonly string[];
  alertRoles?: readonly string[];
  summaryExtraEmails?: readonly string[];
  alertExtraEmails?: readonly string[];
}

// Deliberately plain: one @, no spaces, a dot in the domain. SMTP itself is the final judge.
const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;

const LABELS: Record<RecipientList, string> = {
  summary: 'The weekly summary needs',
  alert: 'Alerts and the daily digest need',
};

function roles(value: readonly string[], field: string): RecipientRole[] {
  for (const r of value)
    if (!(RECIPIENT_ROLES as readonly string[]).includes(r))
      throw new RecipientSettingsError(`${field}: "${r}" is not a recipient role (${RECIPIENT_ROLES.join(', ')})`);
  return RECIPIENT_ROLES.filter((r) => value.includes(r));
}

function emails(value: readonly string[], field: string): string[] {
  const out: string[] = [];
  for (const raw of value) {
    const e = raw.trim().toLowerCase();
    if (e === '') continue;
    if (e.length > 254 || !EMAIL.test(e))
      throw new RecipientSettingsError(`${field}: "${raw}" is not an email address`);
    if (!out.includes(e)) out.push(e);
  }
  if (out.length > MAX_EXTRA_EMAILS)
    throw new RecipientSettingsError(`${field}: at most ${MAX_EXTRA_EMAILS} addresses (${out.length} given)`);
  return out;
}

/**
 * Applies a recipient change to `before`, validated; a list the change touches must still reach at
 * least one address (a chosen role somebody holds at the school, or an extra address), else nothing
 * is saved and the error says so: no silent non-delivery.
 */
export async function applyRecipientChange(
  store: SummariesRepository,
  before: SummarySettings,
  change: RecipientChange,
): Promise<SummarySettings> {
  const next: SummarySettings = {
    ...before,
    summaryRoles: change.summaryRoles ? roles(change.summaryRoles, 'summaryRoles') : before.summaryRoles,
    alertRoles: change.alertRoles ? roles(change.alertRoles, 'alertRoles') : before.alertRoles,
    summaryExtraEmails: change.summaryExtraEmails
      ? emails(change.summaryExtraEmails, 'summaryExtraEmails')
      : before.summaryExtraEmails,
    alertExtraEmails: change.alertExtraEmails
      ? emails(change.alertExtraEmails, 'alertExtraEmails')
      : before.alertExtraEmails,
  };
  const touched: Record<RecipientList, boolean> = {
    summary: change.summaryRoles !== undefined || change.summaryExtraEmails !== undefined,
    alert: change.alertRoles !== undefined || change.alertExtraEmails !== undefined,
  };
  for (const which of ['summary', 'alert'] as const) {
    if (touched[which] && (await store.recipientEmails(before.schoolId, which, next)).length === 0)
      throw new RecipientSettingsError(
        `${LABELS[which]} at least one recipient: ` +
          'choose a role somebody at the school holds, or add an email address',
      );
  }
  return next;
}

/** What the audit log keeps of a settings change, the same from the dashboard and the CLI. */
export function settingsAuditDetails(next: SummarySettings): Record<string, string | number | boolean> {
  return {
    sendTime: next.summaryTime,
    includeNames: next.showNames,
    alertSeverity: next.alertSeverity,
    dailyDigest: next.dailyDigest,
    summaryRoles: next.summaryRoles.join(','),
    alertRoles: next.alertRoles.join(','),
    summaryExtraEmails: next.summaryExtraEmails.join(','),
    alertExtraEmails: next.alertExtraEmails.join(','),
  };
}
