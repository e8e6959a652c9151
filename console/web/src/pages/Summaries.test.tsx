import '../test/fake-socket';
import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeApi, me, reply, SCHOOL } from '../test/fake-api';
import { renderApp } from '../test/render';
import type { SchoolSummarySettings } from '../api/types';

const SETTINGS = `/api/schools/${SCHOOL}/summary-settings`;

const initial: SchoolSummarySettings = {
  sendDay: 'monday',
  sendTime: '07:00',
  recipients: [
    { email: 'dsl@oak.sch.uk', role: 'dsl' },
    { email: 'head@oak.sch.uk', role: 'head' },
  ],
  alertRecipients: [{ email: 'dsl@oak.sch.uk', role: 'dsl' }],
  summaryRoles: ['head', 'dsl', 'deputy_dsl'],
  alertRoles: ['dsl', 'deputy_dsl'],
  summaryExtraEmails: [],
  alertExtraEmails: [],
  includeNames: false,
  alertSeverity: 4,
  dailyDigest: false,
  emailConfigured: true,
};

function settingsApi(put: (body: Record<string, unknown>) => unknown) {
  return fakeApi({
    'GET /api/auth/me': () => me(['dsl']),
    'GET /api/summaries': () => ({ items: [] }),
    [`GET ${SETTINGS}`]: () => initial,
    [`PUT ${SETTINGS}`]: (c) => put(c.body as Record<string, unknown>),
  });
}

describe('the Summaries page: who receives the summary and alerts', () => {
  it('sends the chosen roles and extra addresses, and shows who now receives them', async () => {
    const api = settingsApi((body) => ({
      ...initial,
      ...body,
      recipients: [
        { email: 'dsl@oak.sch.uk', role: 'dsl' },
        { email: 'safeguarding@oak.sch.uk', role: 'extra' },
      ],
      alertRecipients: [
        { email: 'dsl@oak.sch.uk', role: 'dsl' },
        { email: 'head@oak.sch.uk', role: 'head' },
      ],
    }));
    const user = userEvent.setup();
    renderApp('/summaries');
    const summaryTo = await screen.findByRole('group', { name: 'Weekly summary to' });
    const alertsTo = screen.getByRole('group', { name: 'Alerts and the daily digest to' });
    expect(within(summaryTo).getByLabelText('Head')).toBeChecked();
    expect(within(alertsTo).getByLabelText('Head')).not.toBeChecked();
    await user.click(within(summaryTo).getByLabelText('Head'));
    await user.click(within(summaryTo).getByLabelText('Deputy DSL'));
    await user.click(within(alertsTo).getByLabelText('Head'));
    await user.type(
      screen.getByLabelText(/Extra addresses for the weekly summary/),
      'safeguarding@oak.sch.uk{Enter}office@oak.sch.uk, ',
    );
    await user.click(screen.getByRole('button', { name: 'Save summary settings' }));
    await screen.findByText('Settings saved.');
    expect(api.called('PUT', SETTINGS)[0]?.body).toEqual({
      sendTime: '07:00',
      includeNames: false,
      alertSeverity: 4,
      dailyDigest: false,
      summaryRoles: ['dsl'],
      alertRoles: ['dsl', 'deputy_dsl', 'head'],
      summaryExtraEmails: ['safeguarding@oak.sch.uk', 'office@oak.sch.uk'],
      alertExtraEmails: [],
    });
    expect(screen.getByText(/safeguarding@oak\.sch\.uk \(extra address\)/)).toBeInTheDocument();
    expect(screen.getByText(/Alerts and the daily digest go to/).parentElement).toHaveTextContent(
      'head@oak.sch.uk (Head)',
    );
  });

  it("shows the console's 400 (no recipient left) as an alert and keeps what was typed", async () => {
    settingsApi(() =>
      reply(400, {
        code: 'CONSOLE_ERR_VALIDATION',
        message:
          'The weekly summary needs at least one recipient: choose a role somebody at the school holds, or add an email address',
      }),
    );
    const user = userEvent.setup();
    renderApp('/summaries');
    const summaryTo = await screen.findByRole('group', { name: 'Weekly summary to' });
    for (const role of ['Head', 'DSL', 'Deputy DSL']) await user.click(within(summaryTo).getByLabelText(role));
    await user.click(screen.getByRole('button', { name: 'Save summary settings' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The weekly summary needs at least one recipient');
    expect(screen.queryByText('Settings saved.')).not.toBeInTheDocument();
    expect(within(summaryTo).getByLabelText('DSL')).not.toBeChecked();
    // Who receives it is what the console last confirmed, not the unsaved choice.
    expect(screen.getByText(/Weekly summary goes to/).parentElement).toHaveTextContent('head@oak.sch.uk (Head)');
  });

  it('shows a head the choices without letting them change them', async () => {
    fakeApi({
      'GET /api/auth/me': () => me(['head']),
      'GET /api/summaries': () => ({ items: [] }),
      [`GET ${SETTINGS}`]: () => initial,
    });
    renderApp('/summaries');
    const summaryTo = await screen.findByRole('group', { name: 'Weekly summary to' });
    expect(within(summaryTo).getByLabelText('Head')).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Save summary settings' })).not.toBeInTheDocument();
  });
});
