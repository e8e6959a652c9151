import '../test/fake-socket';
import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeApi, me, reply } from '../test/fake-api';
import { renderApp } from '../test/render';

describe('your account', () => {
  it('makes new recovery codes with a code from the authenticator, and refuses a wrong one', async () => {
    const api = fakeApi({
      'GET /api/auth/me': () => me(['dsl']),
      'POST /api/auth/recovery-codes': (c) =>
        (c.body as { totp: string }).totp === '222333'
          ? { recoveryCodes: ['new1-aaaa', 'new2-bbbb'] }
          : reply(401, { code: 'CONSOLE_ERR_BAD_CREDENTIALS', message: 'That code is not right.' }),
    });
    const user = userEvent.setup();
    renderApp('/account');
    const code = await screen.findByLabelText('Code from your authenticator app');
    await user.type(code, '000000');
    await user.click(screen.getByRole('button', { name: 'Make new recovery codes' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That code is not right.');
    await user.clear(code);
    await user.type(code, '222333');
    await user.click(screen.getByRole('button', { name: 'Make new recovery codes' }));
    expect(await screen.findByRole('list', { name: 'New recovery codes' })).toHaveTextContent('new2-bbbb');
    expect(api.called('POST', '/api/auth/recovery-codes').at(-1)?.body).toEqual({ totp: '222333' });
  });

  it('changes the password', async () => {
    const api = fakeApi({ 'GET /api/auth/me': () => me(['dsl']), 'POST /api/auth/password': () => reply(204) });
    const user = userEvent.setup();
    renderApp('/account');
    await user.type(await screen.findByLabelText('Current password'), 'old password here');
    await user.type(screen.getByLabelText('New password (at least 12 characters)'), 'new password here');
    await user.type(screen.getByLabelText('New password again'), 'new password here');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText(/Password changed/)).toBeInTheDocument();
    expect(api.called('POST', '/api/auth/password')[0]?.body).toEqual({
      currentPassword: 'old password here',
      newPassword: 'new password here',
    });
  });
});
