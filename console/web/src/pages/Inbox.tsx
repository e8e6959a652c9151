import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { errorMessage, get, patch, post } from '../api/client';
import { CAPTURE_SOURCES, REVIEW_STATUSES, type Capture, type Page, type ReviewStatus } from '../api/types';
import { SOURCE_LABELS, STATUS_LABELS, humanise } from '../app/format';
import { useDeviceNames } from '../app/devices';
import { useLiveEvent } from '../app/live';
import { CAPTURE_REVIEWERS, SUBJECT_ACCESS, useSchool } from '../app/session';
import { SubjectAccessButton } from '../components/subject-access';
import { pupilLabel, usePupilDirectory } from '../app/pupils';
import { playAlert, setSoundEnabled, soundEnabled } from '../app/sound';
import { builtInViews, canonical, loadViews, saveViews, type SavedView } from '../app/views';
import {
  ErrorNotice,
  Highlighted,
  Loading,
  PageHeader,
  RelativeTime,
  SeverityBadge,
  StatusBadge,
} from '../components/bits';

const FILTER_KEYS = [
  'severityMin',
  'severityMax',
  'category',
  'status',
  'user',
  'deviceId',
  'source',
  'from',
  'to',
  'q',
] as const;

const ACTION_KEYS: Record<string, ReviewStatus> = { r: 'reviewed', f: 'false_positive', e: 'escalated' };

/** Keys typed into a field are text, not commands; a row's checkbox (or any button-like input) is not a field. */
const NOT_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset']);

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLInputElement) return !NOT_TEXT_INPUTS.has(target.type);
  return target.isContentEditable || ['SELECT', 'TEXTAREA'].includes(target.tagName);
}

/** datetime-local value (local time) <-> ISO instant. */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value: string): string {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/**
 * A labelled filter drop-down whose first choice, "Any", means no filter (an empty value).
 * `options` are values shown as themselves, or [value, label] pairs.
 */
function FilterSelect({
  id,
  label,
  value,
  onChange,
  options,
}: {
  id: string;
  label: string;
  value: string | undefined;
  onChange(value: string): void;
  options: readonly (string | readonly [value: string, label: string])[];
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
        <option value="">Any</option>
        {options.map((option) => {
          const [optionValue, optionLabel] = typeof option === 'string' ? [option, option] : option;
          return (
            <option key={optionValue} value={optionValue}>
              {optionLabel}
            </option>
          );
        })}
      </select>
    </div>
  );
}

function Filters({
  params,
  devices,
  onApply,
}: {
  params: URLSearchParams;
  devices: Map<string, string>;
  onApply(next: URLSearchParams): void;
}) {
  const id = useId();
  const [draft, setDraft] = useState<Record<string, string>>({});
  useEffect(() => {
    setDraft(Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ''])));
  }, [params]);
  const set = (key: string, value: string) => setDraft((d) => ({ ...d, [key]: value }));

  function apply(event: FormEvent) {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const key of FILTER_KEYS) if (draft[key]) next.set(key, draft[key]!);
    onApply(next);
  }

  const sevOptions = ['1', '2', '3', '4', '5'];
  return (
    <form className="filters" onSubmit={apply} aria-label="Filters">
      <div className="field">
        <label htmlFor={`${id}-q`}>Search text</label>
        <input
          id={`${id}-q`}
          type="search"
          value={draft.q ?? ''}
          onChange={(e) => set('q', e.target.value)}
          placeholder="In the context or window title"
        />
      </div>
      <FilterSelect
        id={`${id}-smin`}
        label="Severity from"
        value={draft.severityMin}
        onChange={(v) => set('severityMin', v)}
        options={sevOptions}
      />
      <FilterSelect
        id={`${id}-smax`}
        label="to"
        value={draft.severityMax}
        onChange={(v) => set('severityMax', v)}
        options={sevOptions}
      />
      <FilterSelect
        id={`${id}-status`}
        label="Status"
        value={draft.status}
        onChange={(v) => set('status', v)}
        options={REVIEW_STATUSES.map((s) => [s, STATUS_LABELS[s] ?? s] as const)}
      />
      <FilterSelect
        id={`${id}-source`}
        label="Source"
        value={draft.source}
        onChange={(v) => set('source', v)}
        options={CAPTURE_SOURCES.map((s) => [s, SOURCE_LABELS[s] ?? s] as const)}
      />
      <div className="field">
        <label htmlFor={`${id}-cat`}>Category</label>
        <input
          id={`${id}-cat`}
          value={draft.category ?? ''}
          onChange={(e) => set('category', e.target.value.trim().toLowerCase())}
          placeholder="e.g. self_harm"
          size={12}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-user`}>Pupil</label>
        <input
          id={`${id}-user`}
          value={draft.user ?? ''}
          onChange={(e) => set('user', e.target.value)}
          placeholder="Login name"
          size={12}
        />
      </div>
      <FilterSelect
        id={`${id}-device`}
        label="Device"
        value={draft.deviceId}
        onChange={(v) => set('deviceId', v)}
        options={[
          ...[...devices.entries()].sort((a, b) => a[1].localeCompare(b[1])),
          // A device filter from a saved view or a link, for a device no longer listed.
          ...(draft.deviceId && !devices.has(draft.deviceId) ? [[draft.deviceId, draft.deviceId] as const] : []),
        ]}
      />
      <div className="field">
        <label htmlFor={`${id}-from`}>From</label>
        <input
          id={`${id}-from`}
          type="datetime-local"
          value={toLocalInput(draft.from ?? null)}
          onChange={(e) => set('from', fromLocalInput(e.target.value))}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>To</label>
        <input
          id={`${id}-to`}
          type="datetime-local"
          value={toLocalInput(draft.to ?? null)}
          onChange={(e) => set('to', fromLocalInput(e.target.value))}
        />
      </div>
      <div className="filter-buttons">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button type="button" className="subtle" onClick={() => onApply(new URLSearchParams())}>
          Clear
        </button>
      </div>
    </form>
  );
}

function Views({ current, onPick }: { current: string; onPick(query: string): void }) {
  const [own, setOwn] = useState<SavedView[]>(() => loadViews());
  const views = [...builtInViews(), ...own];
  const active = canonical(current);

  function saveCurrent() {
    const name = window.prompt('Name this view', '')?.trim();
    if (!name) return;
    const next = [...own, { id: `v${Date.now()}`, name: name.slice(0, 60), query: canonical(current) }];
    setOwn(next);
    saveViews(next);
  }
  function remove(view: SavedView) {
    const next = own.filter((v) => v.id !== view.id);
    setOwn(next);
    saveViews(next);
  }

  return (
    <nav className="views" aria-label="Saved views">
      <ul>
        {views.map((view) => (
          <li key={view.id}>
            <button
              type="button"
              className="view"
              aria-pressed={canonical(view.query) === active}
              onClick={() => onPick(view.query)}
            >
              {view.name}
            </button>
            {view.builtIn ? null : (
              <button
                type="button"
                className="icon-button"
                aria-label={`Delete view ${view.name}`}
                onClick={() => remove(view)}
              >
                ×
              </button>
            )}
          </li>
        ))}
        <li>
          <button type="button" className="subtle" onClick={saveCurrent}>
            Save these filters as a view
          </button>
        </li>
      </ul>
    </nav>
  );
}

/** Unreviewed severity-5 captures, impossible to miss: a red banner above everything while any remain. */
function UrgentBanner({ schoolId, refresh, onShow }: { schoolId: string | null; refresh: number; onShow(): void }) {
  const [count, setCount] = useState<{ n: number; more: boolean } | null>(null);
  useEffect(() => {
    let live = true;
    get<Page<Capture>>('/api/captures', { status: 'new', severityMin: 5, schoolId, limit: 100 }).then(
      (page) => live && setCount({ n: page.items.length, more: page.nextCursor !== null }),
      () => live && setCount(null),
    );
    return () => {
      live = false;
    };
  }, [schoolId, refresh]);
  if (!count || count.n === 0) return null;
  return (
    <div className="urgent-banner" role="region" aria-label="Unreviewed severity 5">
      <strong>
        {count.more ? 'More than 100' : count.n} unreviewed severity-5 capture{count.n === 1 && !count.more ? '' : 's'}
      </strong>
      <span>Immediate risk to life or illegal content: review now.</span>
      <button type="button" className="primary" onClick={onShow}>
        Show them
      </button>
    </div>
  );
}

function GroupMembers({ groupId }: { groupId: string }) {
  const [members, setMembers] = useState<Capture[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    get<{ members: Capture[] }>(`/api/capture-groups/${encodeURIComponent(groupId)}`).then(
      (g) => setMembers(g.members),
      setError,
    );
  }, [groupId]);
  if (error) return <ErrorNotice error={error} />;
  if (!members) return <Loading />;
  return (
    <ul className="group-members">
      {members.map((m) => (
        <li key={m.id}>
          <Link to={`/captures/${m.id}`}>{m.user}</Link> · <RelativeTime iso={m.capturedAt} /> ·{' '}
          <StatusBadge status={m.status} />
        </li>
      ))}
    </ul>
  );
}

function CaptureRow(props: {
  capture: Capture;
  device: string | undefined;
  /** "John Smith, Year 9" from the pupil directory, when it knows the login. */
  pupil: string | null;
  active: boolean;
  selected: boolean;
  canReview: boolean;
  onSelect(on: boolean): void;
  onFocus(): void;
}) {
  const { capture: c } = props;
  const [expanded, setExpanded] = useState(false);
  const first = c.matches[0];
  const categories = [...new Set(c.matches.map((m) => m.category))];
  return (
    <li
      className={`capture-row sev-row-${c.severity}${props.active ? ' active' : ''}${c.status === 'new' ? ' unreviewed' : ''}`}
      aria-current={props.active ? 'true' : undefined}
      data-capture-id={c.id}
      onMouseDown={props.onFocus}
      // Tabbing into a row (its checkbox or link) makes it the one the keys act on.
      onFocus={props.onFocus}
    >
      {props.canReview ? (
        <input
          type="checkbox"
          className="row-check"
          checked={props.selected}
          onChange={(e) => props.onSelect(e.target.checked)}
          aria-label={`Select capture of ${c.user}, ${first?.phrase ?? ''}`}
        />
      ) : null}
      <SeverityBadge severity={c.severity} />
      <div className="thumb">
        {c.hasThumbnail ? (
          <img src={`/api/captures/${c.id}/thumbnail`} alt="" loading="lazy" width={96} height={60} />
        ) : (
          <span className="no-thumb">No image</span>
        )}
      </div>
      <div className="row-main">
        <p className="row-title">
          <Link to={`/captures/${c.id}`} className="row-link">
            <strong>{first?.phrase ?? 'Capture'}</strong>
          </Link>{' '}
          <span className="categories">{categories.map(humanise).join(', ')}</span>
          {c.count > 1 ? <span className="count"> ×{c.count}</span> : null}
        </p>
        <p className="context">
          <Highlighted text={c.context} ranges={c.matches} />
        </p>
        {c.group && c.group.memberCount > 1 ? (
          <div className="group-line">
            <button
              type="button"
              className="link-button"
              aria-expanded={expanded}
              onClick={() => setExpanded(!expanded)}
            >
              {expanded ? 'Hide' : 'Show'} {c.group.memberCount - 1} similar from {c.group.pupilCount} pupils
            </button>
            {expanded ? <GroupMembers groupId={c.group.id} /> : null}
          </div>
        ) : null}
      </div>
      <dl className="row-meta">
        <div>
          <dt>Pupil</dt>
          <dd>
            {props.pupil ? (
              <>
                <span className="pupil-name">{props.pupil}</span> <span className="pupil-login">{c.user}</span>
              </>
            ) : (
              c.user
            )}
          </dd>
        </div>
        <div>
          <dt>Device</dt>
          <dd>{props.device ?? c.deviceId}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{SOURCE_LABELS[c.source] ?? c.source}</dd>
        </div>
      </dl>
      <div className="row-end">
        <RelativeTime iso={c.capturedAt} />
        <StatusBadge status={c.status} />
      </div>
    </li>
  );
}

export function InboxPage() {
  const school = useSchool();
  const pupils = usePupilDirectory();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const devices = useDeviceNames();
  const canReview = school.can(CAPTURE_REVIEWERS);

  const [items, setItems] = useState<Capture[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [active, setActive] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [fresh, setFresh] = useState<{ count: number; maxSeverity: number }>({ count: 0, maxSeverity: 0 });
  const [sound, setSound] = useState(soundEnabled);
  const [message, setMessage] = useState<string | null>(null);
  const [collapse, setCollapse] = useState(true);
  const [urgentTick, setUrgentTick] = useState(0);
  const listRef = useRef<HTMLUListElement>(null);

  const query = params.toString();
  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      setError(null);
      try {
        const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k)]));
        const page = await get<Page<Capture>>('/api/captures', {
          ...filters,
          schoolId: school.schoolId,
          cursor: after,
          limit: 50,
          collapseGroups: collapse ? 'true' : undefined,
        });
        setItems((current) => (after ? [...current, ...page.items] : page.items));
        setCursor(page.nextCursor);
        if (!after) {
          setActive(0);
          setSelected(new Set());
          setFresh({ count: 0, maxSeverity: 0 });
        }
      } catch (err) {
        setError(err);
      } finally {
        setLoading(false);
      }
    },
    [query, school.schoolId, collapse],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  useLiveEvent('capture:new', (event) => {
    if (event.schoolId !== school.schoolId) return;
    setFresh((f) => ({ count: f.count + 1, maxSeverity: Math.max(f.maxSeverity, event.severity) }));
    if (event.severity >= 5) setUrgentTick((t) => t + 1);
    if (event.severity >= 5 && soundEnabled()) playAlert();
  });
  useLiveEvent('capture:updated', (event) => {
    setItems((list) =>
      list.map((c) =>
        c.id === event.id ? { ...c, status: event.status, assigneeId: event.assigneeId, hold: event.hold } : c,
      ),
    );
  });

  const review = useCallback(async (ids: string[], status: ReviewStatus) => {
    if (ids.length === 0) return;
    setMessage(null);
    try {
      if (ids.length === 1) await patch(`/api/captures/${ids[0]}`, { status });
      else await post('/api/captures/bulk', { ids, status });
      setItems((list) => list.map((c) => (ids.includes(c.id) ? { ...c, status } : c)));
      setSelected(new Set());
      setUrgentTick((t) => t + 1);
      setMessage(
        `${ids.length === 1 ? '1 capture' : `${ids.length} captures`} marked ${STATUS_LABELS[status]?.toLowerCase()}.`,
      );
    } catch (err) {
      setMessage(errorMessage(err));
    }
  }, []);

  // Keyboard triage: j/k move, enter opens, r/f/e review, x selects.
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const current = items[active];
      if (event.key === 'j' || event.key === 'k') {
        event.preventDefault();
        const next = Math.max(0, Math.min(items.length - 1, active + (event.key === 'j' ? 1 : -1)));
        setActive(next);
        listRef.current?.querySelectorAll<HTMLElement>('.row-link')[next]?.focus();
      } else if (
        event.key === 'Enter' &&
        current &&
        !(event.target instanceof HTMLButtonElement) &&
        !(event.target instanceof HTMLAnchorElement)
      ) {
        navigate(`/captures/${current.id}`);
      } else if (current && canReview && ACTION_KEYS[event.key]) {
        event.preventDefault();
        const ids = selected.size > 0 ? [...selected] : [current.id];
        void review(ids, ACTION_KEYS[event.key]!);
      } else if (current && canReview && event.key === 'x') {
        setSelected((s) => {
          const next = new Set(s);
          if (next.has(current.id)) next.delete(current.id);
          else next.add(current.id);
          return next;
        });
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, active, selected, canReview, navigate, review]);

  const allSelected = items.length > 0 && items.every((c) => selected.has(c.id));
  const filtersActive = useMemo(() => FILTER_KEYS.some((k) => params.get(k)), [params]);
  const pupil = params.get('user');

  return (
    <div className="inbox">
      <PageHeader title="Inbox">
        <label className="toggle">
          <input type="checkbox" checked={collapse} onChange={(e) => setCollapse(e.target.checked)} /> Group similar
          captures
        </label>
        <label className="toggle">
          <input
            type="checkbox"
            checked={sound}
            onChange={(e) => {
              setSound(e.target.checked);
              setSoundEnabled(e.target.checked);
            }}
          />{' '}
          Sound for severity 5
        </label>
      </PageHeader>
      <UrgentBanner
        schoolId={school.schoolId}
        refresh={urgentTick}
        onShow={() => setParams(new URLSearchParams('status=new&severityMin=5'))}
      />
      <Views current={query} onPick={(q) => setParams(new URLSearchParams(q))} />
      <details className="filters-box" open={filtersActive || undefined}>
        <summary>Filters{filtersActive ? ' (on)' : ''}</summary>
        <Filters params={params} devices={devices} onApply={(next) => setParams(next)} />
      </details>

      {pupil && school.schoolId && school.can(SUBJECT_ACCESS) ? (
        <section className="pupil-bar" aria-label={`Pupil ${pupil}`}>
          <p>
            Showing the captures of <strong>{pupil}</strong>.
          </p>
          <SubjectAccessButton schoolId={school.schoolId} pupil={pupil} />
        </section>
      ) : null}
      <div className="live-region" role="status" aria-live="polite">
        {fresh.count > 0 ? (
          <div className={`live-notice${fresh.maxSeverity >= 5 ? ' live-critical' : ''}`}>
            <span>
              {fresh.count === 1 ? '1 new capture' : `${fresh.count} new captures`}
              {fresh.maxSeverity >= 4 ? `, highest severity ${fresh.maxSeverity}` : ''}
            </span>
            <button type="button" className="primary" onClick={() => void load(null)}>
              Show new captures
            </button>
          </div>
        ) : null}
      </div>

      {canReview ? (
        <div className="bulk-bar" aria-label="Bulk actions" role="toolbar">
          <label>
            <input
              type="checkbox"
              checked={allSelected}
              onChange={(e) => setSelected(e.target.checked ? new Set(items.map((c) => c.id)) : new Set())}
            />{' '}
            Select all shown
          </label>
          <span className="bulk-count">{selected.size} selected</span>
          <button type="button" disabled={selected.size === 0} onClick={() => void review([...selected], 'reviewed')}>
            Mark reviewed
          </button>
          <button
            type="button"
            disabled={selected.size === 0}
            onClick={() => void review([...selected], 'false_positive')}
          >
            Mark false positive
          </button>
          <button type="button" disabled={selected.size === 0} onClick={() => void review([...selected], 'escalated')}>
            Escalate
          </button>
          <span className="keys-hint">
            Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> open, <kbd>x</kbd> select, <kbd>r</kbd> reviewed,{' '}
            <kbd>f</kbd> false positive, <kbd>e</kbd> escalate
          </span>
        </div>
      ) : null}
      {message ? (
        <p className="notice" role="status">
          {message}
        </p>
      ) : null}

      <ErrorNotice error={error} />
      {items.length === 0 && !loading && !error ? (
        <div className="empty">
          <p>
            {filtersActive
              ? 'No captures match these filters.'
              : 'No captures yet. New ones appear here as they arrive.'}
          </p>
        </div>
      ) : null}
      <ul
        className={`capture-list${loading ? ' is-loading' : ''}`}
        ref={listRef}
        aria-label="Captures, newest first"
        aria-busy={loading}
      >
        {items.map((c, i) => (
          <CaptureRow
            key={c.id}
            capture={c}
            device={devices.get(c.deviceId)}
            pupil={pupilLabel(pupils, c.user)}
            active={i === active}
            selected={selected.has(c.id)}
            canReview={canReview}
            onFocus={() => setActive(i)}
            onSelect={(on) =>
              setSelected((s) => {
                const next = new Set(s);
                if (on) next.add(c.id);
                else next.delete(c.id);
                return next;
              })
            }
          />
        ))}
      </ul>
      {loading ? <Loading /> : null}
      {cursor && !loading ? (
        <button type="button" className="load-more" onClick={() => void load(cursor)}>
          Show older captures
        </button>
      ) : null}
    </div>
  );
}
