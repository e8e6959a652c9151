import './../test/fake-socket';
import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeApi, me, reply } from '../test/fake-api';
import { renderApp } from '../test/render';

describe('signing in', () => {
  it('asks for the authenticator code when the console needs one, then opens the inbox', async () => {
    let signedIn = false;
    const api = fakeApi({
      'GET /api/auth/me': () =>
        signedIn ? me() : reply(401, { code: 'CONSOLE_ERR_UNAUTHENTICATED', message: 'Sign in' }),
      'POST /api/auth/login': (c) => {
        const body = c.body as { totp?: string };
        if (!body.totp) return reply(401, { code: 'CONSOLE_ERR_TOTP_REQUIRED', message: 'Enter the code' });
        if (body.totp !== '123456')
          return reply(401, { code: 'CONSOLE_ERR_BAD_CREDENTIALS', message: 'That code is not right.' });
        signedIn = true;
        return me();
      },
      'GET /api/captures': () => ({ items: [], nextCursor: null }),
      'GET /api/devices': () => ({ items: [] }),
    });
    const user = userEvent.setup();
    renderApp('/');
    await user.type(await screen.findByLabelText('Email address'), 'dsl@oak.sch.uk');
    await user.type(screen.getByLabelText('Password'), 'a long password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const code = await screen.findByLabelText('Code from your authenticator app');
    await user.type(code, '654321');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That code is not right.');

    await user.clear(code);
    await user.type(code, '123 456');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Inbox' })).toBeInTheDocument();
    const logins = api.called('POST', '/api/auth/login');
    expect(logins.map((c) => c.body)).toEqual([
      { email: 'dsl@oak.sch.uk', password: 'a long password' },
      { email: 'dsl@oak.sch.uk', password: 'a long password', totp: '654321' },
      { email: 'dsl@oak.sch.uk', password: 'a long password', totp: '123456' },
    ]);
  });

  it('signs in with a recovery code instead', async () => {
    const api = fakeApi({
      'GET /api/auth/me': () => reply(401, { code: 'CONSOLE_ERR_UNAUTHENTICATED', message: 'Sign in' }),
      'POST /api/auth/login': (c) =>
        (c.body as { recoveryCode?: string }).recoveryCode
          ? me()
          : reply(401, { code: 'CONSOLE_ERR_TOTP_REQUIRED', message: 'code' }),
      'GET /api/captures': () => ({ items: [], nextCursor: null }),
    });
    const user = userEvent.setup();
    renderApp('/');
    await user.type(await screen.findByLabelText('Email address'), 'dsl@oak.sch.uk');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await user.click(await screen.findByRole('button', { name: 'Use a recovery code instead' }));
    await user.type(screen.getByLabelText('Recovery code'), 'abcd-efgh');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Inbox' });
    expect(api.called('POST', '/api/auth/login').at(-1)?.body).toEqual({
      email: 'dsl@oak.sch.uk',
      password: 'pw',
      recoveryCode: 'abcd-efgh',
    });
  });

  it('sets up two-step sign-in with a QR code, shows the recovery codes once, then asks for a new password', async () => {
    let state = me(['dsl'], { totpSetupRequired: true, totpEnrolled: false, mustChangePassword: true });
    const api = fakeApi({
      'GET /api/auth/me': () => state,
      'POST /api/auth/totp/setup': () => ({
        secret: 'JBSWY3DPEHPK3PXP',
        otpauthUrl: 'otpauth://totp/Vigil:dsl@oak.sch.uk?secret=JBSWY3DPEHPK3PXP&issuer=Vigil',
      }),
      'POST /api/auth/totp/confirm': (c) => {
        if ((c.body as { code: string }).code !== '111111')
          return reply(400, { code: 'CONSOLE_ERR_VALIDATION', message: 'That code is not right.' });
        state = me(['dsl'], { totpSetupRequired: false, totpEnrolled: true, mustChangePassword: true });
        return { recoveryCodes: ['aaaa-1111', 'bbbb-2222'] };
      },
      'POST /api/auth/password': () => {
        state = me(['dsl']);
        return reply(204);
      },
      'GET /api/captures': () => ({ items: [], nextCursor: null }),
    });
    const user = userEvent.setup();
    renderApp('/');
    await screen.findByRole('heading', { name: 'Set up two-step sign-in' });
    const qr = await screen.findByRole('img', { name: 'QR code for your authenticator app' });
    expect(qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(screen.getByText('JBSWY3DPEHPK3PXP')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Six-digit code'), '111111');
    await user.click(screen.getByRole('button', { name: 'Turn on two-step sign-in' }));
    const codes = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(codes).toHaveTextContent('aaaa-1111');
    expect(codes).toHaveTextContent('bbbb-2222');
    await user.click(screen.getByRole('button', { name: 'I have saved them: continue' }));

    await screen.findByRole('heading', { name: 'Choose a new password' });
    await user.type(screen.getByLabelText('Current (one-time) password'), 'one-time-pw');
    await user.type(screen.getByLabelText('New password'), 'short');
    await user.type(screen.getByLabelText('New password again'), 'short');
    await user.click(screen.getByRole('button', { name: 'Save password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('at least 12 characters');
    expect(api.called('POST', '/api/auth/password')).toHaveLength(0);
    const inputs = screen.getAllByLabelText(/New password/);
    for (const input of inputs) {
      await user.clear(input);
      await user.type(input, 'a much longer password');
    }
    await user.click(screen.getByRole('button', { name: 'Save password' }));
    await screen.findByRole('heading', { name: 'Inbox' });
    expect(api.called('POST', '/api/auth/password')[0]?.body).toEqual({
      currentPassword: 'one-time-pw',
      newPassword: 'a much longer password',
    });
    expect(api.called('POST', '/api/auth/password')[0]?.headers['x-vigil-csrf']).toBe('csrf-123');
  });

  it('goes back to sign-in when the session ends, saying so', async () => {
    let ended = false;
    fakeApi({
      'GET /api/auth/me': () => me(),
      'GET /api/captures': () =>
        ended
          ? reply(401, { code: 'CONSOLE_ERR_UNAUTHENTICATED', message: 'Sign in first' })
          : { items: [], nextCursor: null },
    });
    const user = userEvent.setup();
    renderApp('/inbox');
    await screen.findByText(/No captures yet/);
    ended = true;
    await user.click(screen.getByRole('button', { name: 'Unreviewed severity 4–5' }));
    expect(await screen.findByText('Your session has ended. Please sign in again.')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
  });
});
