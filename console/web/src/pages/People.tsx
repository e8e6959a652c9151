import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, del, errorMessage, get, patch, post, put } from '../api/client';
import {
  ROLES,
  type AuditItem,
  type MonitoredHours,
  type Page,
  type Role,
  type SchoolSettings,
  type SchoolUser,
} from '../api/types';
import { ROLE_LABELS, exactTime } from '../app/format';
import { ADMINS, PUPIL_DIRECTORY_EDITORS, useMe, useSchool } from '../app/session';
import { PupilDirectorySection } from './PupilDirectory';
import { useAsync } from '../app/use-async';
import { ErrorNotice, Loading, PageHeader, RelativeTime, SeverityOptions } from '../components/bits';

const AUDIT_ACTIONS = [
  'auth.login',
  'auth.logout',
  'capture.list',
  'capture.view',
  'capture.screenshot',
  'capture.thumbnail',
  'capture.review',
  'capture.export',
  'capture.purge',
  'user.create',
  'user.reset_password',
  'device.revoke',
  'school.enrolment_token_view',
  'school.enrolment_token_rotate',
  'school.settings_update',
  'summary.view',
  'summary.pdf',
  'pupils.import',
  'pupils.view',
  'subject_access.export',
];

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function Users({ schoolId }: { schoolId: string }) {
  const me = useMe();
  const school = useSchool();
  const ids = useId();
  const state = useAsync(
    async () => (await get<{ items: SchoolUser[] }>(`/api/schools/${schoolId}/users`)).items,
    [schoolId],
  );
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<Role[]>(['dsl']);
  const [secret, setSecret] = useState<{ email: string; password: string } | null>(null);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const grantable = ROLES.filter((r) => r !== 'org_admin' || school.roles.includes('org_admin'));

  async function act(fn: () => Promise<void>, done: string) {
    setMessage(null);
    try {
      await fn();
      setMessage({ text: done });
      state.reload();
    } catch (err) {
      setMessage({ text: errorMessage(err), error: true });
    }
  }

  async function add(event: FormEvent) {
    event.preventDefault();
    if (roles.length === 0) return setMessage({ text: 'Choose at least one role.', error: true });
    await act(async () => {
      const answer = await post<{ user: SchoolUser; oneTimePassword: string | null }>(
        `/api/schools/${schoolId}/users`,
        {
          email: email.trim(),
          displayName: name.trim() || undefined,
          roles,
        },
      );
      if (answer.oneTimePassword) setSecret({ email: answer.user.email, password: answer.oneTimePassword });
      setEmail('');
      setName('');
    }, `${email.trim()} added.`);
  }

  if (state.error instanceof ApiError && state.error.status === 404) {
    return <p className="muted">User management arrives with the next console update.</p>;
  }
  return (
    <section className="panel" aria-labelledby={`${ids}-t`}>
      <h2 id={`${ids}-t`}>Users and roles</h2>
      <ErrorNotice error={state.error} />
      {secret ? (
        <div className="notice notice-warn" role="status">
          <p>
            One-time password for <strong>{secret.email}</strong>: <code className="secret">{secret.password}</code>
          </p>
          <p>
            Give it to them in person or by phone. They choose their own password, and set up two-step sign-in, when
            they first sign in. It is shown only now.
          </p>
          <button type="button" onClick={() => setSecret(null)}>
            Done
          </button>
        </div>
      ) : null}
      {message ? (
        <p className={`notice${message.error ? ' notice-error' : ''}`} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      ) : null}
      {state.loading && !state.data ? <Loading /> : null}
      {state.data ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Roles</th>
              <th scope="col">Two-step</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {state.data.map((u) => (
              <tr key={u.id} className={u.disabled ? 'disabled' : ''}>
                <th scope="row">
                  {u.displayName ?? u.email}
                  {u.displayName ? <div className="muted">{u.email}</div> : null}
                </th>
                <td>
                  <fieldset className="role-boxes">
                    <legend className="visually-hidden">Roles of {u.email}</legend>
                    {u.roles
                      .filter((r) => !grantable.includes(r))
                      .map((r) => (
                        <span key={r} className="pill pill-muted">
                          {ROLE_LABELS[r]}
                        </span>
                      ))}
                    {grantable.map((r) => (
                      <label key={r} className="toggle small">
                        <input
                          type="checkbox"
                          checked={u.roles.includes(r)}
                          disabled={u.id === me.user.id}
                          onChange={(e) =>
                            void act(
                              async () =>
                                void (await patch(`/api/schools/${schoolId}/users/${u.id}`, {
                                  roles: e.target.checked ? [...u.roles, r] : u.roles.filter((x) => x !== r),
                                })),
                              `Roles of ${u.email} changed.`,
                            )
                          }
                        />{' '}
                        {ROLE_LABELS[r]}
                      </label>
                    ))}
                  </fieldset>
                </td>
                <td>{u.totpEnrolled ? 'On' : 'Not set up'}</td>
                <td>{u.lastSignInAt ? <RelativeTime iso={u.lastSignInAt} /> : 'never'}</td>
                <td>
                  {u.disabled
                    ? 'Disabled'
                    : u.lockedUntil && new Date(u.lockedUntil) > new Date()
                      ? 'Locked'
                      : u.mustChangePassword
                        ? 'New password due'
                        : 'Active'}
                </td>
                <td className="actions">
                  {u.id === me.user.id ? (
                    <span className="muted">You</span>
                  ) : u.roles.some((r) => !grantable.includes(r)) ? (
                    <span className="muted">Managed by the trust</span>
                  ) : (
                    <>
                      <button
                        type="button"
                        className="subtle"
                        onClick={() =>
                          void act(async () => {
                            if (!window.confirm(`Reset the password of ${u.email}? Their sessions end at once.`))
                              return;
                            const answer = await post<{ oneTimePassword: string }>(
                              `/api/schools/${schoolId}/users/${u.id}/reset-password`,
                              {
                                resetTotp: window.confirm('Also reset their two-step sign-in (lost phone)?'),
                              },
                            );
                            setSecret({ email: u.email, password: answer.oneTimePassword });
                          }, `Password of ${u.email} reset.`)
                        }
                      >
                        Reset password<span className="visually-hidden"> of {u.email}</span>
                      </button>
                      <button
                        type="button"
                        className="subtle"
                        onClick={() =>
                          void act(
                            async () =>
                              void (await patch(`/api/schools/${schoolId}/users/${u.id}`, { disabled: !u.disabled })),
                            `${u.email} ${u.disabled ? 'enabled' : 'disabled'}.`,
                          )
                        }
                      >
                        {u.disabled ? 'Enable' : 'Disable'}
                        <span className="visually-hidden"> {u.email}</span>
                      </button>
                      <button
                        type="button"
                        className="subtle danger"
                        onClick={() =>
                          window.confirm(`Remove ${u.email}'s roles at this school?`) &&
                          void act(
                            async () => void (await del(`/api/schools/${schoolId}/users/${u.id}`)),
                            `${u.email} removed from this school.`,
                          )
                        }
                      >
                        Remove<span className="visually-hidden"> {u.email}</span>
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form onSubmit={add} className="add-form">
        <h3>Add a person</h3>
        <div className="form-row">
          <label>
            Email address
            <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </label>
          <label>
            Name (optional)
            <input value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <fieldset className="role-boxes">
            <legend>Roles</legend>
            {grantable.map((r) => (
              <label key={r} className="toggle small">
                <input
                  type="checkbox"
                  checked={roles.includes(r)}
                  onChange={(e) => setRoles(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))}
                />{' '}
                {ROLE_LABELS[r]}
              </label>
            ))}
          </fieldset>
          <button type="submit">Add person</button>
        </div>
      </form>
    </section>
  );
}

function Settings({ schoolId }: { schoolId: string }) {
  const ids = useId();
  const state = useAsync(() => get<SchoolSettings>(`/api/schools/${schoolId}/settings`), [schoolId]);
  const [form, setForm] = useState<SchoolSettings | null>(null);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  useEffect(() => {
    if (state.data) setForm(state.data);
  }, [state.data]);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!form) return;
    setMessage(null);
    try {
      const body: Record<string, unknown> = {
        retentionDays: form.retentionDays,
        minSeverity: form.minSeverity,
        alertSeverity: form.alertSeverity,
        monitoredHours: form.monitoredHours && form.monitoredHours.length > 0 ? form.monitoredHours : null,
      };
      for (const key of ['supportCard', 'trayHidden', 'privacyNotice'] as const)
        if (form[key] !== undefined) body[key] = form[key];
      const saved = await put<SchoolSettings>(`/api/schools/${schoolId}/settings`, body);
      state.setData(() => saved);
      setMessage({ text: 'Settings saved.' });
    } catch (err) {
      setMessage({ text: errorMessage(err), error: true });
    }
  }

  const hours = form?.monitoredHours ?? [];
  const setHours = (next: MonitoredHours[]) => form && setForm({ ...form, monitoredHours: next });
  return (
    <section className="panel" aria-labelledby={`${ids}-t`}>
      <h2 id={`${ids}-t`}>School settings</h2>
      <ErrorNotice error={state.error} />
      {!form ? (
        state.error ? null : (
          <Loading />
        )
      ) : (
        <form onSubmit={save} className="settings-form">
          <label>
            Keep captures for (days)
            <input
              type="number"
              min={1}
              max={3650}
              required
              value={form.retentionDays}
              onChange={(e) => setForm({ ...form, retentionDays: Number(e.target.value) })}
            />
          </label>
          <p className="hint">Older captures are deleted every night, except escalated ones and those on hold.</p>
          <label>
            Capture from severity
            <select
              value={form.minSeverity ?? ''}
              onChange={(e) => setForm({ ...form, minSeverity: e.target.value ? Number(e.target.value) : null })}
            >
              <option value="">Default</option>
              <SeverityOptions />
            </select>
          </label>
          <label>
            Email DSLs at once from severity
            <select
              value={form.alertSeverity ?? ''}
              onChange={(e) => setForm({ ...form, alertSeverity: e.target.value ? Number(e.target.value) : null })}
            >
              <option value="">Default (4)</option>
              <SeverityOptions />
            </select>
          </label>
          <p className="hint">
            Alert and summary recipients are on the <Link to="/summaries">Summaries</Link> page.
          </p>
          <fieldset>
            <legend>Monitored hours (UK time; none means always)</legend>
            {hours.map((h, i) => (
              <div key={i} className="form-row hours-row">
                {DAYS.map((d, day) => (
                  <label key={d} className="toggle small">
                    <input
                      type="checkbox"
                      checked={h.days.includes(day)}
                      onChange={(e) =>
                        setHours(
                          hours.map((x, j) =>
                            j === i
                              ? {
                                  ...x,
                                  days: e.target.checked ? [...x.days, day].sort() : x.days.filter((y) => y !== day),
                                }
                              : x,
                          ),
                        )
                      }
                    />{' '}
                    {d}
                  </label>
                ))}
                <label>
                  from{' '}
                  <input
                    type="time"
                    value={h.start}
                    onChange={(e) => setHours(hours.map((x, j) => (j === i ? { ...x, start: e.target.value } : x)))}
                  />
                </label>
                <label>
                  to{' '}
                  <input
                    type="time"
                    value={h.end}
                    onChange={(e) => setHours(hours.map((x, j) => (j === i ? { ...x, end: e.target.value } : x)))}
                  />
                </label>
                <button type="button" className="subtle" onClick={() => setHours(hours.filter((_, j) => j !== i))}>
                  Remove these hours
                </button>
              </div>
            ))}
            <button
              type="button"
              onClick={() => setHours([...hours, { days: [1, 2, 3, 4, 5], start: '08:00', end: '16:00' }])}
            >
              Add hours
            </button>
          </fieldset>
          {form.supportCard !== undefined ? (
            <label className="toggle">
              <input
                type="checkbox"
                checked={form.supportCard}
                onChange={(e) => setForm({ ...form, supportCard: e.target.checked })}
              />{' '}
              Show pupils a support card (Childline and others) after a serious capture
            </label>
          ) : null}
          {form.trayHidden !== undefined ? (
            <label className="toggle">
              <input
                type="checkbox"
                checked={form.trayHidden}
                onChange={(e) => setForm({ ...form, trayHidden: e.target.checked })}
              />{' '}
              Hide the tray icon on pupil devices
            </label>
          ) : null}
          <div>
            <button type="submit" className="primary">
              Save settings
            </button>
          </div>
          {message ? (
            <p className={`notice${message.error ? ' notice-error' : ''}`} role={message.error ? 'alert' : 'status'}>
              {message.text}
            </p>
          ) : null}
        </form>
      )}
    </section>
  );
}

function Audit() {
  const ids = useId();
  const [filters, setFilters] = useState({ action: '', userId: '', from: '', to: '' });
  const [applied, setApplied] = useState(filters);
  const [items, setItems] = useState<AuditItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);

  async function load(after: string | null) {
    setLoading(true);
    try {
      const page = await get<Page<AuditItem>>('/api/audit', {
        action: applied.action,
        userId: applied.userId,
        from: applied.from ? new Date(applied.from).toISOString() : '',
        to: applied.to ? new Date(applied.to).toISOString() : '',
        cursor: after,
        limit: 50,
      });
      setItems((current) => (after ? [...current, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => {
    void load(null);
  }, [applied]);

  return (
    <section className="panel" aria-labelledby={`${ids}-t`}>
      <h2 id={`${ids}-t`}>Audit log</h2>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filters);
        }}
      >
        <label>
          Action
          <select value={filters.action} onChange={(e) => setFilters({ ...filters, action: e.target.value })}>
            <option value="">Any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          User id
          <input
            value={filters.userId}
            onChange={(e) => setFilters({ ...filters, userId: e.target.value })}
            size={12}
          />
        </label>
        <label>
          From
          <input type="date" value={filters.from} onChange={(e) => setFilters({ ...filters, from: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={filters.to} onChange={(e) => setFilters({ ...filters, to: e.target.value })} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorNotice error={error} />
      <table className="table compact">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Outcome</th>
            <th scope="col">Target</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id} className={a.outcome === 'failure' ? 'failure' : ''}>
              <td>
                <time dateTime={a.at}>{exactTime(a.at)}</time>
              </td>
              <td>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => a.actorUserId && setFilters({ ...filters, userId: a.actorUserId })}
                >
                  {a.actorLabel}
                </button>
              </td>
              <td>{a.action}</td>
              <td>{a.outcome === 'failure' ? 'Failed' : 'OK'}</td>
              <td className="mono">{a.targetId ?? '–'}</td>
              <td className="mono small">
                {a.details
                  ? Object.entries(a.details)
                      .map(([k, v]) => `${k}: ${String(v)}`)
                      .join('; ')
                  : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {loading ? <Loading /> : null}
      {cursor && !loading ? (
        <button type="button" onClick={() => void load(cursor)}>
          Show older entries
        </button>
      ) : null}
    </section>
  );
}

export function PeoplePage() {
  const school = useSchool();
  if (!school.schoolId) return null;
  const admin = school.can(ADMINS);
  return (
    <div className="people">
      <PageHeader title="People and settings" />
      {admin ? <Users schoolId={school.schoolId} /> : null}
      {admin ? <Settings schoolId={school.schoolId} /> : null}
      {school.can(PUPIL_DIRECTORY_EDITORS) ? <PupilDirectorySection schoolId={school.schoolId} /> : null}
      {admin ? <Audit /> : null}
    </div>
  );
}
