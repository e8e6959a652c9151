import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, errorMessage, get, put } from '../api/client';
import type {
  SchoolSummarySettings,
  SummaryChange,
  SummaryDetail,
  SummaryListItem,
  SummarySettings,
} from '../api/types';
import { ROLE_LABELS, exactTime, humanise, shortDate } from '../app/format';
import { SUMMARY_EDITORS, useSchool } from '../app/session';
import { useAsync } from '../app/use-async';
import { ErrorNotice, Loading, PageHeader, SeverityBadge, SeverityOptions, StatusBadge } from '../components/bits';

const SEND_LABELS: Record<string, string> = {
  pending: 'Waiting to send',
  sending: 'Sending',
  sent: 'Emailed',
  failed: 'Email failed',
  not_configured: 'Not emailed (email not configured)',
  no_recipients: 'Not emailed (no recipients)',
};

function change(c: SummaryChange): string {
  const d = c.changeFromLastWeek;
  return d === 0 ? 'same as last week' : `${d > 0 ? '+' : '−'}${Math.abs(d)} on last week`;
}

function SummaryView({ id }: { id: string }) {
  const state = useAsync(() => get<SummaryDetail>(`/api/summaries/${encodeURIComponent(id)}`), [id]);
  if (state.error) return <ErrorNotice error={state.error} />;
  if (!state.data) return <Loading />;
  const s = state.data.data;
  return (
    <article className="panel summary" aria-labelledby="summary-title">
      <h2 id="summary-title">
        Week {s.week}: {shortDate(s.weekStart)} to{' '}
        {shortDate(new Date(new Date(s.weekEnd).getTime() - 1).toISOString())}
      </h2>
      <p className="headline">{s.headline}</p>
      <p>
        <a href={`/api/summaries/${encodeURIComponent(id)}/pdf`} download>
          Download as PDF
        </a>{' '}
        · {SEND_LABELS[state.data.sendState] ?? state.data.sendState} · built {exactTime(s.builtAt)}
      </p>
      <div className="cards">
        <section className="card">
          <h3>Captures</h3>
          <p className="big">{s.total.count}</p>
          <p>
            {change(s.total)}; 4-week average {s.total.fourWeekAverage}
          </p>
        </section>
        <section className="card">
          <h3>By severity</h3>
          <ul className="sev-split">
            {s.bySeverity.map((l) => (
              <li key={l.severity}>
                <SeverityBadge severity={l.severity} /> {l.count} <span className="muted">({change(l)})</span>
              </li>
            ))}
          </ul>
        </section>
        <section className="card">
          <h3>Review backlog</h3>
          <p className="big">{s.backlog.unreviewed}</p>
          <p>unreviewed{s.backlog.oldestAgeHours !== null ? `; oldest ${s.backlog.oldestAgeHours} h old` : ''}</p>
        </section>
      </div>
      <h3>By category</h3>
      <table className="table compact">
        <thead>
          <tr>
            <th scope="col">Category</th>
            <th scope="col">This week</th>
            <th scope="col">Last week</th>
            <th scope="col">4-week average</th>
          </tr>
        </thead>
        <tbody>
          {s.byCategory.map((c) => (
            <tr key={c.category}>
              <td>{humanise(c.category)}</td>
              <td>{c.count}</td>
              <td>{c.lastWeek}</td>
              <td>{c.fourWeekAverage}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Captures of particular interest</h3>
      {s.ofInterest.length === 0 ? (
        <p className="muted">None this week.</p>
      ) : (
        <ul className="interest">
          {s.ofInterest.map((c) => (
            <li key={c.id}>
              <SeverityBadge severity={c.severity} /> <Link to={`/captures/${c.id}`}>{c.phrases.join(', ')}</Link> ·{' '}
              {c.categories.map(humanise).join(', ')} · {c.pupil} · {c.device} · <StatusBadge status={c.status} />
            </li>
          ))}
        </ul>
      )}
      <h3>Pupils with repeated concerns</h3>
      {s.repeatedConcerns.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul>
          {s.repeatedConcerns.map((r) => (
            <li key={r.pupil}>
              {r.pupil}: {r.captures} capture{r.captures === 1 ? '' : 's'}, highest severity {r.highestSeverity} (
              {r.categories.map(humanise).join(', ')})
            </li>
          ))}
        </ul>
      )}
      <h3>Devices not reporting</h3>
      {s.devicesNotReporting.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul>
          {s.devicesNotReporting.map((d) => (
            <li key={d.hostname}>
              {d.hostname}: {d.silentHours === null ? 'never reported' : `silent for ${d.silentHours} h`}
            </li>
          ))}
        </ul>
      )}
      <h3>Keyword-list changes</h3>
      {s.keywordListChanges.length === 0 ? (
        <p className="muted">None published this week.</p>
      ) : (
        <ul>
          {s.keywordListChanges.map((k) => (
            <li key={k.version}>
              {k.version}, {exactTime(k.publishedAt)}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

/** Roles a school may choose as recipients (the console's RECIPIENT_ROLES). */
const RECIPIENT_ROLES = ['head', 'dsl', 'deputy_dsl', 'school_admin'] as const;

/** Extra addresses as typed: one per line or separated by commas. */
const addressList = (text: string): string[] =>
  text
    .split(/[\n,;]/)
    .map((a) => a.trim())
    .filter((a) => a !== '');

const recipientText = (list: { email: string; role: string }[] | undefined): string =>
  list && list.length > 0
    ? list
        .map((r) => `${r.email} (${r.role === 'extra' ? 'extra address' : (ROLE_LABELS[r.role] ?? r.role)})`)
        .join(', ')
    : 'nobody yet';

/** The form's copy of the settings: extra addresses as the text being typed. */
type SettingsForm = SchoolSummarySettings & { summaryExtraText: string; alertExtraText: string };

const toForm = (s: SchoolSummarySettings): SettingsForm => ({
  ...s,
  summaryExtraText: (s.summaryExtraEmails ?? []).join('\n'),
  alertExtraText: (s.alertExtraEmails ?? []).join('\n'),
});

function RoleChoice({
  legend,
  roles,
  onChange,
}: {
  legend: string;
  roles: string[];
  onChange: (roles: string[]) => void;
}) {
  return (
    <fieldset className="role-choice">
      <legend>{legend}</legend>
      {RECIPIENT_ROLES.map((role) => (
        <label key={role} className="toggle">
          <input
            type="checkbox"
            checked={roles.includes(role)}
            onChange={(e) => onChange(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))}
          />{' '}
          {ROLE_LABELS[role] ?? role}
        </label>
      ))}
    </fieldset>
  );
}

function SettingsPanel({ schoolId }: { schoolId: string }) {
  const school = useSchool();
  const ids = useId();
  const [perSchool, setPerSchool] = useState<SchoolSummarySettings | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [global, setGlobal] = useState<SummarySettings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);

  useEffect(() => {
    let live = true;
    setPerSchool(null);
    setGlobal(null);
    get<SchoolSummarySettings>(`/api/schools/${schoolId}/summary-settings`)
      .then((s) => {
        if (!live) return;
        setPerSchool(s);
        setForm(toForm(s));
      })
      .catch(async (err: unknown) => {
        // Roles that may not read the school's settings (deputy DSLs) still see whether email works.
        if (!(err instanceof ApiError) || (err.status !== 404 && err.status !== 403)) return live && setError(err);
        try {
          const g = await get<SummarySettings>('/api/summary-settings');
          if (live) setGlobal(g);
        } catch (e) {
          if (live) setError(e);
        }
      });
    return () => {
      live = false;
    };
  }, [schoolId]);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!form) return;
    setMessage(null);
    try {
      const next = await put<SchoolSummarySettings>(`/api/schools/${schoolId}/summary-settings`, {
        sendTime: form.sendTime,
        includeNames: form.includeNames,
        alertSeverity: form.alertSeverity,
        dailyDigest: form.dailyDigest,
        // Recipients only when this console has them (it says so by sending them).
        ...(form.summaryRoles
          ? {
              summaryRoles: form.summaryRoles,
              alertRoles: form.alertRoles ?? [],
              summaryExtraEmails: addressList(form.summaryExtraText),
              alertExtraEmails: addressList(form.alertExtraText),
            }
          : {}),
      });
      setPerSchool(next);
      setForm(toForm(next));
      setMessage({ text: 'Settings saved.' });
    } catch (err) {
      setMessage({ text: errorMessage(err), error: true });
    }
  }

  const emailConfigured = perSchool?.emailConfigured ?? global?.emailConfigured;
  const settings = global?.schools.find((s) => s.schoolId === schoolId);
  const globalRecipients = global?.recipients.find((r) => r.schoolId === schoolId)?.emails ?? [];
  const canEdit = school.can(SUMMARY_EDITORS);
  return (
    <section className="panel" aria-labelledby={`${ids}-t`}>
      <h2 id={`${ids}-t`}>Recipients and settings</h2>
      <ErrorNotice error={error} />
      {emailConfigured === false ? (
        <p className="notice notice-warn" role="status">
          <strong>Email is not configured.</strong> Summaries are still built and kept here, but nobody is emailed until
          the console has SMTP settings (<code>VIGIL_SMTP_URL</code>); a later <code>send-summaries</code> sends them.
        </p>
      ) : null}
      {perSchool && form ? (
        <form onSubmit={save} className="settings-form">
          <p>
            <strong>Weekly summary goes to</strong>: {recipientText(perSchool.recipients)}
          </p>
          {perSchool.alertRecipients ? (
            <p>
              <strong>Alerts and the daily digest go to</strong>: {recipientText(perSchool.alertRecipients)}
            </p>
          ) : null}
          <fieldset disabled={!canEdit}>
            <legend>Weekly summary and alerts</legend>
            <label>
              Send on Mondays at (UK time)
              <input
                type="time"
                value={form.sendTime}
                onChange={(e) => setForm({ ...form, sendTime: e.target.value })}
                required
              />
            </label>
            <label>
              Email DSLs at once from severity
              <select
                value={form.alertSeverity}
                onChange={(e) => setForm({ ...form, alertSeverity: Number(e.target.value) })}
              >
                <SeverityOptions />
              </select>
            </label>
            <label className="toggle">
              <input
                type="checkbox"
                checked={form.dailyDigest}
                onChange={(e) => setForm({ ...form, dailyDigest: e.target.checked })}
              />{' '}
              A daily digest of severity-3 captures
            </label>
            <label className="toggle">
              <input
                type="checkbox"
                checked={form.includeNames}
                onChange={(e) => setForm({ ...form, includeNames: e.target.checked })}
              />{' '}
              Show pupils by login name (otherwise initials)
            </label>
            {form.summaryRoles ? (
              <>
                <RoleChoice
                  legend="Weekly summary to"
                  roles={form.summaryRoles}
                  onChange={(summaryRoles) => setForm({ ...form, summaryRoles })}
                />
                <label>
                  Extra addresses for the weekly summary (one per line, at most 20)
                  <textarea
                    rows={2}
                    value={form.summaryExtraText}
                    onChange={(e) => setForm({ ...form, summaryExtraText: e.target.value })}
                    placeholder="safeguarding@school.sch.uk"
                  />
                </label>
                <RoleChoice
                  legend="Alerts and the daily digest to"
                  roles={form.alertRoles ?? []}
                  onChange={(alertRoles) => setForm({ ...form, alertRoles })}
                />
                <label>
                  Extra addresses for alerts and the daily digest (one per line, at most 20)
                  <textarea
                    rows={2}
                    value={form.alertExtraText}
                    onChange={(e) => setForm({ ...form, alertExtraText: e.target.value })}
                  />
                </label>
              </>
            ) : null}
            {canEdit ? (
              <div>
                <button type="submit">Save summary settings</button>
              </div>
            ) : null}
          </fieldset>
          {message ? (
            <p className={`notice${message.error ? ' notice-error' : ''}`} role={message.error ? 'alert' : 'status'}>
              {message.text}
            </p>
          ) : null}
        </form>
      ) : global ? (
        <dl className="facts">
          <dt>Recipients</dt>
          <dd>
            {globalRecipients.length > 0
              ? globalRecipients.join(', ')
              : 'nobody yet (heads, DSLs and deputy DSLs of the school get it)'}
          </dd>
          {settings ? (
            <>
              <dt>Sent</dt>
              <dd>Mondays at {settings.summaryTime} (UK time)</dd>
              <dt>Immediate alerts</dt>
              <dd>severity {settings.alertSeverity} and above</dd>
              <dt>Daily digest</dt>
              <dd>{settings.dailyDigest ? 'On' : 'Off'}</dd>
            </>
          ) : null}
        </dl>
      ) : error ? null : (
        <Loading />
      )}
    </section>
  );
}

export function SummariesPage() {
  const { id } = useParams();
  const school = useSchool();
  const list = useAsync(async () => (await get<{ items: SummaryListItem[] }>('/api/summaries')).items, []);
  const items = (list.data ?? []).filter((s) => s.schoolId === school.schoolId);
  const selected = id ?? items[0]?.id;
  return (
    <div className="summaries">
      <PageHeader title="Summaries" />
      {school.schoolId ? <SettingsPanel schoolId={school.schoolId} /> : null}
      <div className="summaries-grid">
        <nav className="panel" aria-label="Weekly summaries">
          <h2>Weekly summaries</h2>
          <ErrorNotice error={list.error} />
          {list.loading && !list.data ? <Loading /> : null}
          {list.data && items.length === 0 ? (
            <p className="muted">No summaries yet: the first is built on Monday morning for the week before.</p>
          ) : null}
          <ol className="archive">
            {items.map((s) => (
              <li key={s.id}>
                <Link to={`/summaries/${s.id}`} aria-current={s.id === selected ? 'page' : undefined}>
                  Week {s.week}
                </Link>
                <span className="muted"> {SEND_LABELS[s.sendState] ?? s.sendState}</span>
              </li>
            ))}
          </ol>
        </nav>
        {selected ? <SummaryView id={selected} /> : null}
      </div>
    </div>
  );
}
