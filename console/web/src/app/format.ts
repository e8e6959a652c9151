// Presentation helpers: UK English, Europe/London times.

export const SEVERITY_LABELS: Record<number, string> = {
  5: 'Immediate risk',
  4: 'Serious',
  3: 'Review today',
  2: 'Possible concern',
  1: 'Low',
};

export const STATUS_LABELS: Record<string, string> = {
  new: 'Unreviewed',
  reviewed: 'Reviewed',
  false_positive: 'False positive',
  escalated: 'Escalated',
  actioned: 'Actioned',
};

export const SOURCE_LABELS: Record<string, string> = {
  typed: 'Typed',
  screen: 'On screen',
  title: 'Window title',
  url: 'Web address',
  clipboard: 'Clipboard',
  report: 'Pupil report',
  test: 'Test capture',
};

export const ROLE_LABELS: Record<string, string> = {
  org_admin: 'Trust admin',
  school_admin: 'School admin',
  dsl: 'DSL',
  deputy_dsl: 'Deputy DSL',
  head: 'Head',
  viewer: 'Viewer',
};

/** "self_harm" -> "Self harm". */
export function humanise(id: string): string {
  const text = id.replace(/[_-]+/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const exact = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

const dayOnly = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/** "Wed 25 Nov 2026, 21:44:58 GMT" (Europe/London). */
export function exactTime(iso: string): string {
  return exact.format(new Date(iso));
}

export function shortDate(iso: string): string {
  return dayOnly.format(new Date(iso));
}

/** "just now", "3 min ago", "2 h ago", "yesterday", "4 days ago", then the date. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 14) return `${days} days ago`;
  return shortDate(iso);
}

/** Splits text into plain and highlighted runs by [start, end) ranges (UTF-16), overlaps merged. */
export function highlightRuns(
  text: string,
  ranges: readonly { start: number; end: number }[],
): { text: string; hit: boolean }[] {
  const sorted = ranges
    .map((r) => ({
      start: Math.max(0, Math.min(r.start, text.length)),
      end: Math.max(0, Math.min(r.end, text.length)),
    }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  const runs: { text: string; hit: boolean }[] = [];
  let at = 0;
  for (const r of merged) {
    if (r.start > at) runs.push({ text: text.slice(at, r.start), hit: false });
    runs.push({ text: text.slice(r.start, r.end), hit: true });
    at = r.end;
  }
  if (at < text.length) runs.push({ text: text.slice(at), hit: false });
  return runs;
}
