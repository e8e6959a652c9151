import { Link } from 'react-router';
import { get, withQuery } from '../api/client';
import type { Overview } from '../api/types';
import { humanise, shortDate, SEVERITY_LABELS } from '../app/format';
import { useAsync } from '../app/use-async';
import { useSchool } from '../app/session';
import { ErrorNotice, Loading, PageHeader, RelativeTime, SeverityBadge } from '../components/bits';

const PALETTE = ['#1f5f8b', '#b5651d', '#2e7d32', '#6a1b9a', '#00838f', '#8d6e00', '#ad1457', '#455a64'];

function DayChart({ data }: { data: Overview }) {
  const categories = data.topCategories.slice(0, PALETTE.length - 1).map((c) => c.category);
  const max = Math.max(1, ...data.days.map((d) => d.total));
  return (
    <figure className="chart">
      <div
        className="bars"
        role="img"
        aria-label={`Captures per day over ${data.days.length} days; the table below has the figures`}
      >
        {data.days.map((d) => (
          <div key={d.date} className="bar" title={`${d.date}: ${d.total}`}>
            <div className="bar-stack" style={{ height: `${(d.total / max) * 100}%` }}>
              {Object.entries(d.byCategory).map(([cat, n]) => {
                const i = categories.indexOf(cat);
                return (
                  <span key={cat} style={{ flexGrow: n, background: PALETTE[i === -1 ? PALETTE.length - 1 : i] }} />
                );
              })}
            </div>
          </div>
        ))}
      </div>
      <figcaption>
        <ul className="legend">
          {categories.map((c, i) => (
            <li key={c}>
              <span className="swatch" style={{ background: PALETTE[i] }} /> {humanise(c)}
            </li>
          ))}
          <li>
            <span className="swatch" style={{ background: PALETTE[PALETTE.length - 1] }} /> Other
          </li>
        </ul>
      </figcaption>
      <details>
        <summary>Figures per day</summary>
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Captures</th>
            </tr>
          </thead>
          <tbody>
            {data.days.map((d) => (
              <tr key={d.date}>
                <td>{d.date}</td>
                <td>{d.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export function OverviewPage() {
  const school = useSchool();
  const state = useAsync(
    () => get<Overview>(`/api/schools/${school.schoolId}/overview`, { days: 28 }),
    [school.schoolId],
  );
  const data = state.data;
  return (
    <div className="overview">
      <PageHeader title="Overview" />
      <ErrorNotice error={state.error} />
      {state.loading && !data ? <Loading /> : null}
      {data ? (
        <>
          <p className="muted">
            {shortDate(data.from)} to {shortDate(data.to)}
          </p>
          <div className="cards">
            <section className="card card-backlog">
              <h2>Review backlog</h2>
              <p className="big">{data.backlog.unreviewed}</p>
              <p>
                unreviewed
                {data.backlog.oldestUnreviewedAt ? (
                  <>
                    ; oldest <RelativeTime iso={data.backlog.oldestUnreviewedAt} />
                  </>
                ) : null}
              </p>
              <Link to="/inbox?status=new">Open unreviewed</Link>
            </section>
            <section className="card">
              <h2>By severity</h2>
              <ul className="sev-split">
                {[5, 4, 3, 2, 1].map((s) => (
                  <li key={s}>
                    <SeverityBadge severity={s} />{' '}
                    <Link
                      to={withQuery('/inbox', { severityMin: s, severityMax: s })}
                      aria-label={`${data.severity[String(s)] ?? 0} captures of severity ${s}, ${SEVERITY_LABELS[s]}`}
                    >
                      {data.severity[String(s)] ?? 0}
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
            <section className="card">
              <h2>Top categories</h2>
              <ol className="top-list">
                {data.topCategories.map((c) => (
                  <li key={c.category}>
                    <Link to={withQuery('/inbox', { category: c.category })}>{humanise(c.category)}</Link>{' '}
                    <span className="num">{c.count}</span>
                  </li>
                ))}
              </ol>
              {data.topCategories.length === 0 ? <p className="muted">No captures in this period.</p> : null}
            </section>
          </div>
          <section className="panel">
            <h2>Captures per day by category</h2>
            <DayChart data={data} />
          </section>
          <div className="cards">
            <section className="card wide">
              <h2>Pupils with repeated concerns</h2>
              {data.repeatedConcerns.length === 0 ? (
                <p className="muted">None: no pupil has 3 or more captures or a severity-5 capture.</p>
              ) : (
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Pupil</th>
                      <th scope="col">Captures</th>
                      <th scope="col">Highest</th>
                      <th scope="col">Latest</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.repeatedConcerns.map((r) => (
                      <tr key={r.user}>
                        <td>
                          <Link to={withQuery('/inbox', { user: r.user })}>{r.user}</Link>
                        </td>
                        <td>{r.count}</td>
                        <td>
                          <SeverityBadge severity={r.maxSeverity} />
                        </td>
                        <td>
                          <RelativeTime iso={r.lastAt} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section className="card">
              <h2>Devices not reporting</h2>
              {data.devicesNotReporting.length === 0 ? (
                <p className="muted">Every device has reported recently.</p>
              ) : (
                <ul>
                  {data.devicesNotReporting.map((d) => (
                    <li key={d.id}>
                      <strong>{d.hostname}</strong> {d.user ? `(${d.user})` : ''} — last seen{' '}
                      {d.lastSeenAt ? <RelativeTime iso={d.lastSeenAt} /> : 'never'}
                    </li>
                  ))}
                </ul>
              )}
              <Link to="/devices">All devices</Link>
            </section>
          </div>
        </>
      ) : null}
    </div>
  );
}
