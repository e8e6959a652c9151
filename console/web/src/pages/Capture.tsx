import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, errorMessage, get, patch, withQuery } from '../api/client';
import {
  REVIEW_STATUSES,
  type CaptureDetail,
  type HistoryEntry,
  type KeywordStat,
  type ReviewStatus,
} from '../api/types';
import { SOURCE_LABELS, STATUS_LABELS, exactTime, humanise } from '../app/format';
import { useDeviceNames } from '../app/devices';
import { useLiveEvent } from '../app/live';
import { CAPTURE_REVIEWERS, SUBJECT_ACCESS, useMe, useSchool } from '../app/session';
import { Highlighted, Loading, RelativeTime, SeverityBadge, StatusBadge, useTitle } from '../components/bits';
import { SubjectAccessButton } from '../components/subject-access';
import { pupilLabel, usePupilDirectory } from '../app/pupils';

const ZOOMS = [
  { id: 'fit', label: 'Fit' },
  { id: '100', label: '100%' },
  { id: '200', label: '200%' },
] as const;

function utc(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

function describeHistory(h: HistoryEntry): string {
  const parts: string[] = [];
  if (h.statusTo && h.statusTo !== h.statusFrom) {
    parts.push(
      `status ${STATUS_LABELS[h.statusFrom ?? ''] ?? h.statusFrom ?? '–'} → ${STATUS_LABELS[h.statusTo] ?? h.statusTo}`,
    );
  }
  if (h.assigneeTo !== h.assigneeFrom && (h.assigneeTo || h.assigneeFrom))
    parts.push(h.assigneeTo ? 'assigned' : 'unassigned');
  if (h.holdTo !== null) parts.push(h.holdTo ? 'kept past retention' : 'hold removed');
  if (parts.length === 0 && h.note) parts.push('note');
  return parts.join(', ');
}

export function CapturePage() {
  const { id = '' } = useParams();
  const me = useMe();
  const school = useSchool();
  const devices = useDeviceNames();
  const pupils = usePupilDirectory();
  const noteId = useId();
  const [capture, setCapture] = useState<CaptureDetail | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [stats, setStats] = useState<KeywordStat[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [zoom, setZoom] = useState<(typeof ZOOMS)[number]['id']>('fit');
  const [imageState, setImageState] = useState<'loading' | 'loaded' | 'failed'>('loading');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  /** Who this school's captures can be assigned to; null until known (or when the console will not say). */
  const [reviewers, setReviewers] = useState<Reviewer[] | null>(null);
  // Never the phrase: titles end up in browser history.
  useTitle(capture ? `Capture, severity ${capture.severity}` : 'Capture');

  /** History and the entry's false-positive record: read after every change (not audited as a view). */
  const loadSide = useCallback(async () => {
    const [h, st] = await Promise.all([
      get<{ items: HistoryEntry[] } | HistoryEntry[]>(`/api/captures/${encodeURIComponent(id)}/history`),
      get<KeywordStat[]>('/api/keyword-stats').catch(() => [] as KeywordStat[]),
    ]);
    setHistory(Array.isArray(h) ? h : h.items);
    setStats(st);
  }, [id]);

  const loadAll = useCallback(async () => {
    try {
      const [c] = await Promise.all([get<CaptureDetail>(`/api/captures/${encodeURIComponent(id)}`), loadSide()]);
      setCapture(c);
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [id, loadSide]);

  useEffect(() => {
    setCapture(null);
    setImageState('loading');
    void loadAll();
  }, [loadAll]);

  const schoolId = capture?.schoolId;
  useEffect(() => {
    if (!schoolId) return;
    let live = true;
    get<{ items: Reviewer[] }>(`/api/schools/${encodeURIComponent(schoolId)}/reviewers`)
      .then((r) => live && setReviewers(r.items))
      .catch(() => live && setReviewers(null));
    return () => {
      live = false;
    };
  }, [schoolId]);

  // A colleague's review arrives live: take the new state without opening (and auditing) the capture again.
  useLiveEvent('capture:updated', (event) => {
    if (event.id !== id) return;
    setCapture((c) => (c ? { ...c, status: event.status, assigneeId: event.assigneeId, hold: event.hold } : c));
    void loadSide().catch(() => undefined);
  });

  async function change(body: { status?: ReviewStatus; note?: string; assigneeId?: string | null; hold?: boolean }) {
    setBusy(true);
    setMessage(null);
    try {
      const updated = await patch<CaptureDetail>(`/api/captures/${encodeURIComponent(id)}`, body);
      setCapture((c) =>
        c ? { ...c, ...updated, earlierCaptures: updated.earlierCaptures ?? c.earlierCaptures } : updated,
      );
      await loadSide();
      setMessage(body.status ? `Marked ${STATUS_LABELS[body.status]?.toLowerCase()}.` : 'Saved.');
      return true;
    } catch (err) {
      setMessage(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function saveNote(event: FormEvent) {
    event.preventDefault();
    if (!note.trim()) return;
    if (await change({ note: note.trim() })) setNote('');
  }

  if (error) {
    const notFound = error instanceof ApiError && (error.status === 404 || error.status === 403);
    return (
      <div className="empty">
        <h1>{notFound ? 'Capture not found' : 'Could not open this capture'}</h1>
        <p>{notFound ? 'There is no capture at this address that you are allowed to see.' : errorMessage(error)}</p>
        <p>
          <Link to="/inbox">Back to the inbox</Link>
        </p>
      </div>
    );
  }
  if (!capture) return <Loading />;

  const c = capture;
  const canReview = school.can(CAPTURE_REVIEWERS);
  const device = devices.get(c.deviceId) ?? c.deviceId;
  const pupil = pupilLabel(pupils, c.user);
  const entryIds = [...new Set(c.matches.map((m) => m.entryId))];
  const entryStats = entryIds
    .map((eid) => stats.find((s) => s.entryId === eid))
    .filter((s): s is KeywordStat => Boolean(s));

  return (
    <article className={`capture-page sev-page-${c.severity}`} aria-labelledby="capture-title">
      <p className="breadcrumb">
        <Link to="/inbox">Inbox</Link> › Capture
      </p>
      <header className={`capture-banner sev-banner-${c.severity}`}>
        <SeverityBadge severity={c.severity} />
        <h1 id="capture-title">
          {c.matches
            .map((m) => m.phrase)
            .filter((p, i, a) => a.indexOf(p) === i)
            .join(', ')}
        </h1>
        <StatusBadge status={c.status} />
        <p className="banner-meta">
          <time dateTime={c.capturedAt}>{exactTime(c.capturedAt)}</time> ({utc(c.capturedAt)}) ·{' '}
          <span>{pupil ? `${pupil} (${c.user})` : c.user}</span> on <span>{device}</span>
        </p>
      </header>

      <div className="capture-grid">
        <section className="screenshot-panel" aria-labelledby="shot-title">
          <div className="panel-head">
            <h2 id="shot-title">Screenshot</h2>
            <div role="group" aria-label="Zoom" className="zoom">
              {ZOOMS.map((z) => (
                <button key={z.id} type="button" aria-pressed={zoom === z.id} onClick={() => setZoom(z.id)}>
                  {z.label}
                </button>
              ))}
            </div>
          </div>
          {/* Focusable, so a keyboard user can scroll a zoomed screenshot with the arrow keys. */}
          <div
            className={`screenshot zoom-${zoom}`}
            tabIndex={0}
            role="region"
            aria-label="Screenshot (arrow keys scroll it when zoomed)"
          >
            {imageState === 'failed' ? (
              <p className="notice notice-error">The screenshot could not be loaded.</p>
            ) : null}
            <img
              src={`/api/captures/${c.id}/screenshot`}
              alt={`Screenshot taken ${exactTime(c.capturedAt)} on ${device}`}
              width={c.screenshot.width}
              height={c.screenshot.height}
              onLoad={() => setImageState('loaded')}
              onError={() => setImageState('failed')}
              data-state={imageState}
              onClick={() => setZoom(zoom === 'fit' ? '100' : 'fit')}
            />
          </div>
        </section>

        <aside className="capture-side">
          <section aria-labelledby="ctx-title">
            <h2 id="ctx-title">What matched</h2>
            <blockquote className="context-full">
              <Highlighted text={c.context} ranges={c.matches} />
            </blockquote>
            <ul className="matches">
              {c.matches.map((m, i) => (
                <li key={i}>
                  <SeverityBadge severity={m.severity} /> <strong>{m.phrase}</strong> · {humanise(m.category)}
                </li>
              ))}
            </ul>
            {entryStats.length > 0 ? (
              <p className="fp-stats">
                {entryStats.map((s) => (
                  <span key={s.entryId} data-entry={s.entryId}>
                    “{s.phrase}”: <span className="fp-count">{s.falsePositives}</span> false positive
                    {s.falsePositives === 1 ? '' : 's'} of {s.total} capture{s.total === 1 ? '' : 's'}.{' '}
                  </span>
                ))}
              </p>
            ) : null}
          </section>

          <section aria-labelledby="where-title">
            <h2 id="where-title">Where</h2>
            <dl className="facts">
              <dt>Pupil</dt>
              <dd>
                <Link to={withQuery('/inbox', { user: c.user })}>{c.user}</Link>
                {pupil ? <span className="pupil-name"> {pupil}</span> : null}
              </dd>
              <dt>Device</dt>
              <dd>{device}</dd>
              <dt>Source</dt>
              <dd>{SOURCE_LABELS[c.source] ?? c.source}</dd>
              <dt>App</dt>
              <dd>{c.app || '–'}</dd>
              <dt>Window title</dt>
              <dd className="wrap">{c.windowTitle || '–'}</dd>
              <dt>Web address</dt>
              <dd className="wrap">{c.url ?? '–'}</dd>
              <dt>Seen</dt>
              <dd>{c.count === 1 ? 'once' : `${c.count} times`}</dd>
              <dt>Received</dt>
              <dd>{exactTime(c.receivedAt)}</dd>
            </dl>
          </section>

          <section aria-labelledby="review-title">
            <h2 id="review-title">Review</h2>
            {canReview ? (
              <>
                <div className="status-buttons" role="group" aria-label="Set status">
                  {REVIEW_STATUSES.map((s) => (
                    <button
                      key={s}
                      type="button"
                      aria-pressed={c.status === s}
                      disabled={busy}
                      onClick={() => void change({ status: s })}
                    >
                      {STATUS_LABELS[s]}
                    </button>
                  ))}
                </div>
                <div className="review-row">
                  {c.assigneeId === me.user.id ? (
                    <button type="button" disabled={busy} onClick={() => void change({ assigneeId: null })}>
                      Unassign me
                    </button>
                  ) : (
                    <button type="button" disabled={busy} onClick={() => void change({ assigneeId: me.user.id })}>
                      Assign to me
                    </button>
                  )}
                  {reviewers && reviewers.length > 0 && (
                    <label>
                      Assign to{' '}
                      <select
                        value={c.assigneeId ?? ''}
                        disabled={busy}
                        onChange={(e) => void change({ assigneeId: e.target.value || null })}
                      >
                        <option value="">Nobody</option>
                        {reviewers.map((r) => (
                          <option key={r.id} value={r.id}>
                            {reviewerName(r)}
                            {r.id === me.user.id ? ' (you)' : ''}
                          </option>
                        ))}
                      </select>
                    </label>
                  )}
                  <span>
                    {c.assigneeId
                      ? c.assigneeId === me.user.id
                        ? 'Assigned to you'
                        : `Assigned to ${assigneeName(c.assigneeId, reviewers)}`
                      : 'Not assigned'}
                  </span>
                </div>
                <label className="toggle">
                  <input
                    type="checkbox"
                    checked={c.hold}
                    disabled={busy}
                    onChange={(e) => void change({ hold: e.target.checked })}
                  />{' '}
                  Keep past the retention period (hold)
                </label>
                <form onSubmit={saveNote} className="note-form">
                  <label htmlFor={noteId}>Add a note</label>
                  <textarea
                    id={noteId}
                    value={note}
                    onChange={(e) => setNote(e.target.value)}
                    rows={3}
                    maxLength={5000}
                  />
                  <button type="submit" disabled={busy || !note.trim()}>
                    Save note
                  </button>
                </form>
              </>
            ) : (
              <p>You can read this capture; reviewing it is for the DSLs.</p>
            )}
            {message ? (
              <p className="notice" role="status">
                {message}
              </p>
            ) : null}
            <h3>History</h3>
            {history.length === 0 ? (
              <p className="muted">No changes yet.</p>
            ) : (
              <ol className="history">
                {history.map((h) => (
                  <li key={h.id}>
                    <RelativeTime iso={h.at} /> · {h.userEmail ?? 'someone'}: {describeHistory(h)}
                    {h.note ? <p className="note">{h.note}</p> : null}
                  </li>
                ))}
              </ol>
            )}
          </section>

          <section aria-labelledby="export-title">
            <h2 id="export-title">Export</h2>
            <p className="export-links">
              <a href={`/api/captures/${c.id}/report.pdf`} download>
                Incident report (PDF)
              </a>
              <a href={withQuery('/api/captures/export.csv', { user: c.user, schoolId: c.schoolId })} download>
                This pupil’s captures (CSV)
              </a>
            </p>
            {school.can(SUBJECT_ACCESS) ? <SubjectAccessButton schoolId={c.schoolId} pupil={c.user} /> : null}
          </section>
        </aside>
      </div>

      <section aria-labelledby="timeline-title" className="timeline-panel">
        <h2 id="timeline-title">{c.user}’s earlier captures</h2>
        {c.earlierCaptures.length === 0 ? (
          <p className="muted">None earlier.</p>
        ) : (
          <ol className="timeline">
            {c.earlierCaptures.map((e) => (
              <li key={e.id} className={`sev-row-${e.severity}`}>
                <SeverityBadge severity={e.severity} />
                <Link to={`/captures/${e.id}`}>{e.matches[0]?.phrase ?? 'Capture'}</Link>
                <span className="muted"> {[...new Set(e.matches.map((m) => humanise(m.category)))].join(', ')}</span>
                <RelativeTime iso={e.capturedAt} />
                <StatusBadge status={e.status} />
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
}

/** A colleague a capture can be assigned to (GET /api/schools/:id/reviewers). */
interface Reviewer {
  id: string;
  email: string;
  displayName: string | null;
}

function reviewerName(r: Reviewer): string {
  return r.displayName ? `${r.displayName} (${r.email})` : r.email;
}

function assigneeName(id: string, reviewers: Reviewer[] | null): string {
  const r = reviewers?.find((x) => x.id === id);
  return r ? reviewerName(r) : 'a colleague';
}
