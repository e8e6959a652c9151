import { useEffect, useState, type ReactNode } from 'react';
import { SEVERITY_LABELS, STATUS_LABELS, exactTime, highlightRuns, relativeTime } from '../app/format';

export function SeverityBadge({ severity }: { severity: number }) {
  return (
    <span className={`sev sev-${severity}`} title={`Severity ${severity}: ${SEVERITY_LABELS[severity] ?? ''}`}>
      <span className="sev-num" aria-hidden="true">
        {severity}
      </span>
      <span className="sev-label">
        <span className="visually-hidden">Severity {severity}: </span>
        {SEVERITY_LABELS[severity] ?? `Severity ${severity}`}
      </span>
    </span>
  );
}

/** The severities 1 to 5 as `<option>`s, each shown as `label(severity)` (the number by default). */
export function SeverityOptions({ label = String }: { label?: (severity: number) => string }) {
  return (
    <>
      {[1, 2, 3, 4, 5].map((severity) => (
        <option key={severity} value={severity}>
          {label(severity)}
        </option>
      ))}
    </>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}

/** "3 min ago" that keeps itself fresh, with the exact Europe/London time on hover and for screen readers. */
export function RelativeTime({ iso }: { iso: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <time dateTime={iso} title={exactTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}

export function Highlighted({ text, ranges }: { text: string; ranges: readonly { start: number; end: number }[] }) {
  return (
    <>
      {highlightRuns(text, ranges).map((run, i) =>
        run.hit ? <mark key={i}>{run.text}</mark> : <span key={i}>{run.text}</span>,
      )}
    </>
  );
}

export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="notice notice-error" role="alert">
      {message}
    </p>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      {label}
    </p>
  );
}

/** Each page names itself in the browser tab (WCAG 2.4.2). */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} – Vigil` : 'Vigil';
  }, [title]);
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  useTitle(title);
  return (
    <div className="page-header">
      <h1>{title}</h1>
      {children ? <div className="page-actions">{children}</div> : null}
    </div>
  );
}
