import { useEffect, useId, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { ApiError, api, errorMessage, post } from '../api/client';
import type { Me } from '../api/types';
import { useSession } from '../app/session';
import { useTitle } from '../components/bits';

function Field(props: {
  label: string;
  type?: string;
  value: string;
  onChange(value: string): void;
  autoComplete?: string;
  inputMode?: 'numeric' | 'text';
  hint?: string;
  autoFocus?: boolean;
  required?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.hint ? (
        <p className="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <input
        id={id}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        autoFocus={props.autoFocus}
        required={props.required ?? true}
      />
    </div>
  );
}

function AuthCard({ title, children }: { title: string; children: React.ReactNode }) {
  useTitle(title);
  return (
    <main className="auth-page" id="main">
      <div className="auth-card">
        <p className="brand">Vigil</p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

export function SignInPage({ reason }: { reason?: string }) {
  const { signedIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const [useRecovery, setUseRecovery] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body: Record<string, string> = { email, password };
    if (needCode && code.trim()) body[useRecovery ? 'recoveryCode' : 'totp'] = code.trim().replace(/\s+/g, '');
    try {
      const me = await api<Me>('POST', '/api/auth/login', body, { quiet: true });
      signedIn(me);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CONSOLE_ERR_TOTP_REQUIRED' && !needCode) {
        setNeedCode(true);
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title="Sign in">
      {reason ? <p className="notice">{reason}</p> : null}
      <form onSubmit={submit} noValidate={false}>
        <Field label="Email address" type="email" value={email} onChange={setEmail} autoComplete="username" autoFocus />
        <Field
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
        />
        {needCode ? (
          <>
            <Field
              label={useRecovery ? 'Recovery code' : 'Code from your authenticator app'}
              hint={
                useRecovery
                  ? 'One of the codes you saved when you set up two-step sign-in.'
                  : 'Six digits; it changes every 30 seconds.'
              }
              value={code}
              onChange={setCode}
              autoComplete="one-time-code"
              inputMode={useRecovery ? 'text' : 'numeric'}
              autoFocus
            />
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setUseRecovery(!useRecovery);
                setCode('');
              }}
            >
              {useRecovery ? 'Use a code from my authenticator app' : 'Use a recovery code instead'}
            </button>
          </>
        ) : null}
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthCard>
  );
}

export function ChangePasswordPage() {
  const { refresh, signOut } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (next.length < 12) return setError('The new password must be at least 12 characters.');
    if (next !== confirm) return setError('The two new passwords do not match.');
    setBusy(true);
    setError(null);
    try {
      await post('/api/auth/password', { currentPassword: current, newPassword: next });
      await refresh();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title="Choose a new password">
      <p>You signed in with a one-time password. Choose your own before you continue.</p>
      <form onSubmit={submit}>
        <Field
          label="Current (one-time) password"
          type="password"
          value={current}
          onChange={setCurrent}
          autoComplete="current-password"
          autoFocus
        />
        <Field
          label="New password"
          hint="At least 12 characters. A few unrelated words make a good one."
          type="password"
          value={next}
          onChange={setNext}
          autoComplete="new-password"
        />
        <Field
          label="New password again"
          type="password"
          value={confirm}
          onChange={setConfirm}
          autoComplete="new-password"
        />
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          Save password
        </button>
        <button type="button" className="link-button" onClick={() => void signOut()}>
          Sign out
        </button>
      </form>
    </AuthCard>
  );
}

export function TotpSetupPage() {
  const { refresh, signOut } = useSession();
  const [setup, setSetup] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    post<{ secret: string; otpauthUrl: string }>('/api/auth/totp/setup')
      .then(async (s) => {
        if (!live) return;
        setSetup(s);
        setQr(await QRCode.toDataURL(s.otpauthUrl, { margin: 1, width: 220, errorCorrectionLevel: 'M' }));
      })
      .catch((err: unknown) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, []);

  async function confirm(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const answer = await post<{ recoveryCodes: string[] }>('/api/auth/totp/confirm', { code: code.trim() });
      setCodes(answer.recoveryCodes);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  if (codes) {
    return (
      <AuthCard title="Save your recovery codes">
        <p>
          Two-step sign-in is on. If you lose your phone, each of these codes lets you sign in once. Keep them somewhere
          safe: they are shown only now.
        </p>
        <ol className="recovery-codes" aria-label="Recovery codes">
          {codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ol>
        <button type="button" className="primary" onClick={() => void refresh()}>
          I have saved them: continue
        </button>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Set up two-step sign-in">
      <p>Your role can see captures, so you sign in with a code from an authenticator app as well as your password.</p>
      <ol className="steps">
        <li>
          Open an authenticator app (Microsoft Authenticator, Google Authenticator or similar) and add an account.
        </li>
        <li>Scan this QR code, or type the key below.</li>
        <li>Enter the six-digit code the app shows.</li>
      </ol>
      {qr ? <img className="qr" src={qr} width={220} height={220} alt="QR code for your authenticator app" /> : null}
      {setup ? (
        <p>
          Key: <code className="secret">{setup.secret}</code>
        </p>
      ) : null}
      <form onSubmit={confirm}>
        <Field
          label="Six-digit code"
          value={code}
          onChange={setCode}
          autoComplete="one-time-code"
          inputMode="numeric"
        />
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={!setup}>
          Turn on two-step sign-in
        </button>
        <button type="button" className="link-button" onClick={() => void signOut()}>
          Sign out
        </button>
      </form>
    </AuthCard>
  );
}
