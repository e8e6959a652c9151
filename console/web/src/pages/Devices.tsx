import { useState } from 'react';
import { errorMessage, get, post } from '../api/client';
import type { Device } from '../api/types';
import { exactTime } from '../app/format';
import { itemsOf, resetDeviceCache } from '../app/devices';
import { useLiveEvent } from '../app/live';
import { ADMINS, useSchool } from '../app/session';
import { useAsync } from '../app/use-async';
import { ErrorNotice, Loading, PageHeader, RelativeTime } from '../components/bits';

function EnrolmentToken({ schoolId }: { schoolId: string }) {
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  async function show() {
    setError(null);
    try {
      setToken((await get<{ enrolmentToken: string }>(`/api/schools/${schoolId}/enrolment-token`)).enrolmentToken);
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  async function rotate() {
    if (
      !window.confirm(
        'Make a new enrolment token? The current one stops working at once; devices already enrolled are not affected.',
      )
    )
      return;
    setError(null);
    try {
      setToken(
        (await post<{ enrolmentToken: string }>(`/api/schools/${schoolId}/enrolment-token/rotate`)).enrolmentToken,
      );
      setMessage('A new token is in use. The old one no longer enrols devices.');
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  return (
    <section className="panel token-panel" aria-labelledby="token-title">
      <h2 id="token-title">Enrolment token</h2>
      <p>
        Installers and <code>npm run agent -- enrol</code> need this token to enrol a device into this school. Treat it
        like a password.
      </p>
      {token ? (
        <p>
          <code className="token" aria-label="Enrolment token">
            {token}
          </code>
        </p>
      ) : (
        <button type="button" onClick={() => void show()}>
          Show token
        </button>
      )}{' '}
      <button type="button" onClick={() => void rotate()}>
        Rotate token
      </button>
      {message ? <p role="status">{message}</p> : null}
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

export function DevicesPage() {
  const school = useSchool();
  const state = useAsync(async () => itemsOf(await get<{ items: Device[] }>('/api/devices')), [school.schoolId]);
  const isAdmin = school.can(ADMINS);
  const [error, setError] = useState<string | null>(null);
  useLiveEvent('device:status', () => state.reload());

  async function revoke(d: Device) {
    if (!window.confirm(`Revoke ${d.hostname}? It will stop uploading captures until it is enrolled again.`)) return;
    try {
      await post(`/api/devices/${d.id}/revoke`);
      resetDeviceCache();
      state.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const devices = (state.data ?? []).filter((d) => d.schoolId === school.schoolId);
  const sorted = [...devices].sort(
    (a, b) =>
      Number(a.reporting) - Number(b.reporting) ||
      Number(a.revoked) - Number(b.revoked) ||
      a.hostname.localeCompare(b.hostname),
  );
  const silent = sorted.filter((d) => !d.reporting && !d.revoked).length;
  return (
    <div>
      <PageHeader title="Devices" />
      {isAdmin && school.schoolId ? <EnrolmentToken schoolId={school.schoolId} /> : null}
      <ErrorNotice error={state.error} />
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {state.loading && !state.data ? <Loading /> : null}
      {state.data ? (
        <>
          <p>
            {devices.length} device{devices.length === 1 ? '' : 's'}
            {silent > 0 ? <strong className="warn-text">, {silent} not reporting</strong> : ', all reporting'}.
          </p>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Device</th>
                <th scope="col">User</th>
                <th scope="col">Last seen</th>
                <th scope="col">Agent</th>
                <th scope="col">Lists</th>
                <th scope="col">Queue</th>
                <th scope="col">Last capture</th>
                {isAdmin ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {sorted.map((d) => (
                <tr key={d.id} className={d.revoked ? 'revoked' : d.reporting ? '' : 'not-reporting'}>
                  <td>
                    <span className={`pill ${d.revoked ? 'pill-muted' : d.reporting ? 'pill-ok' : 'pill-warn'}`}>
                      {d.revoked ? 'Revoked' : d.reporting ? 'Reporting' : 'Not reporting'}
                    </span>
                  </td>
                  <td>
                    <strong>{d.hostname}</strong>
                    <br />
                    <span className="muted">
                      {d.os} {d.osVersion ?? ''}
                    </span>
                  </td>
                  <td>{d.user ?? '–'}</td>
                  <td>{d.lastSeenAt ? <RelativeTime iso={d.lastSeenAt} /> : 'never'}</td>
                  <td>{d.agentVersion}</td>
                  <td className="mono">{d.policyVersion ?? '–'}</td>
                  <td>{d.queueDepth ?? '–'}</td>
                  <td>
                    {d.lastCaptureAt ? (
                      <time title={exactTime(d.lastCaptureAt)}>{exactTime(d.lastCaptureAt)}</time>
                    ) : (
                      '–'
                    )}
                  </td>
                  {isAdmin ? (
                    <td>
                      {d.revoked ? null : (
                        <button type="button" className="subtle" onClick={() => void revoke(d)}>
                          Revoke<span className="visually-hidden"> {d.hostname}</span>
                        </button>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
          {devices.length === 0 ? <p className="muted">No devices enrolled yet.</p> : null}
        </>
      ) : null}
    </div>
  );
}
