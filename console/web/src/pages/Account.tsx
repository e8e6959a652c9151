import { useId, useState, type FormEvent } from 'react';
import { errorMessage, post } from '../api/client';
import { useMe, useSession } from '../app/session';
import { PageHeader } from '../components/bits';

/** The signed-in user's own password and recovery codes. */
export function AccountPage() {
  const me = useMe();
  const { refresh } = useSession();
  const ids = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [pwMessage, setPwMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const [totp, setTotp] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [codeMessage, setCodeMessage] = useState<string | null>(null);

  async function changePassword(event: FormEvent) {
    event.preventDefault();
    if (next.length < 12)
      return setPwMessage({ text: 'The new password must be at least 12 characters.', error: true });
    if (next !== confirm) return setPwMessage({ text: 'The two new passwords do not match.', error: true });
    try {
      await post('/api/auth/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setConfirm('');
      setPwMessage({ text: 'Password changed. Your other sessions have been signed out.' });
      await refresh();
    } catch (err) {
      setPwMessage({ text: errorMessage(err), error: true });
    }
  }

  async function newCodes(event: FormEvent) {
    event.preventDefault();
    setCodeMessage(null);
    try {
      setCodes(
        (await post<{ recoveryCodes: string[] }>('/api/auth/recovery-codes', { totp: totp.trim() })).recoveryCodes,
      );
      setTotp('');
    } catch (err) {
      setCodeMessage(errorMessage(err));
    }
  }

  return (
    <div>
      <PageHeader title="Your account" />
      <p>
        Signed in as <strong>{me.user.email}</strong>. Two-step sign-in is {me.user.totpEnrolled ? 'on' : 'not set up'}.
      </p>
      <section className="panel" aria-labelledby={`${ids}-pw`}>
        <h2 id={`${ids}-pw`}>Change your password</h2>
        <form onSubmit={changePassword} className="settings-form">
          <label>
            Current password
            <input
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              required
            />
          </label>
          <label>
            New password (at least 12 characters)
            <input
              type="password"
              autoComplete="new-password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              required
            />
          </label>
          <label>
            New password again
            <input
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              required
            />
          </label>
          <div>
            <button type="submit">Change password</button>
          </div>
          {pwMessage ? (
            <p
              className={`notice${pwMessage.error ? ' notice-error' : ''}`}
              role={pwMessage.error ? 'alert' : 'status'}
            >
              {pwMessage.text}
            </p>
          ) : null}
        </form>
      </section>
      {me.user.totpEnrolled ? (
        <section className="panel" aria-labelledby={`${ids}-rc`}>
          <h2 id={`${ids}-rc`}>Recovery codes</h2>
          <p>Lost your codes, or used most of them? Make a new set: the old ones stop working.</p>
          {codes ? (
            <>
              <ol className="recovery-codes" aria-label="New recovery codes">
                {codes.map((c) => (
                  <li key={c}>
                    <code>{c}</code>
                  </li>
                ))}
              </ol>
              <p className="notice notice-warn">Keep these somewhere safe: they are shown only now.</p>
            </>
          ) : (
            <form onSubmit={newCodes} className="settings-form">
              <label>
                Code from your authenticator app
                <input
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  value={totp}
                  onChange={(e) => setTotp(e.target.value)}
                  required
                />
              </label>
              <div>
                <button type="submit">Make new recovery codes</button>
              </div>
              {codeMessage ? (
                <p className="notice notice-error" role="alert">
                  {codeMessage}
                </p>
              ) : null}
            </form>
          )}
        </section>
      ) : null}
    </div>
  );
}
