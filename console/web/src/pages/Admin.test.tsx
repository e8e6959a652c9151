import '../test/fake-socket';
import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeApi, me, reply, SCHOOL } from '../test/fake-api';
import { renderApp } from '../test/render';
import type { Device } from '../api/types';

function device(over: Partial<Device>): Device {
  return {
    id: 'd',
    schoolId: SCHOOL,
    hostname: 'H',
    os: 'linux',
    osVersion: null,
    agentVersion: '0.1.0',
    policyVersion: 'p1',
    queueDepth: 0,
    user: null,
    enrolledAt: new Date().toISOString(),
    lastSeenAt: new Date().toISOString(),
    lastCaptureAt: null,
    revoked: false,
    revokedAt: null,
    reporting: true,
    ...over,
  };
}

describe('devices', () => {
  it('lists devices not reporting first, and lets an admin show and rotate the enrolment token', async () => {
    let token = 'enrol_first';
    const api = fakeApi({
      'GET /api/auth/me': () => me(['school_admin']),
      'GET /api/devices': () => ({
        items: [
          device({ id: 'a', hostname: 'ALPHA', reporting: true, user: 'jsmith' }),
          device({ id: 'b', hostname: 'BRAVO', reporting: false, lastSeenAt: null }),
          device({ id: 'c', hostname: 'CHARLIE', revoked: true, reporting: false }),
        ],
      }),
      [`GET /api/schools/${SCHOOL}/enrolment-token`]: () => ({ schoolId: SCHOOL, enrolmentToken: token }),
      [`POST /api/schools/${SCHOOL}/enrolment-token/rotate`]: () => {
        token = 'enrol_second';
        return { schoolId: SCHOOL, enrolmentToken: token };
      },
    });
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    const user = userEvent.setup();
    renderApp('/devices');
    await screen.findAllByText('BRAVO');
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => r.querySelector('strong')?.textContent)).toEqual(['BRAVO', 'CHARLIE', 'ALPHA']);
    expect(rows[0]).toHaveTextContent('Not reporting');
    expect(screen.getByText(/1 not reporting/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show token' }));
    expect(await screen.findByText('enrol_first')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Rotate token' }));
    expect(await screen.findByText('enrol_second')).toBeInTheDocument();
    expect(screen.getByText(/old one no longer enrols/)).toBeInTheDocument();
    expect(api.called('POST', `/api/schools/${SCHOOL}/enrolment-token/rotate`)[0]?.headers['x-vigil-csrf']).toBe(
      'csrf-123',
    );
  });

  it('shows no token to a DSL', async () => {
    fakeApi({ 'GET /api/auth/me': () => me(['dsl']), 'GET /api/devices': () => ({ items: [] }) });
    renderApp('/devices');
    await screen.findByText('No devices enrolled yet.');
    expect(screen.queryByRole('button', { name: 'Show token' })).not.toBeInTheDocument();
  });
});

describe('summaries', () => {
  const summary = {
    id: 's1',
    schoolId: SCHOOL,
    week: '2026-W47',
    builtAt: '2026-11-23T07:00:00Z',
    sendState: 'not_configured',
    html: '<p>ignored</p>',
    data: {
      schoolId: SCHOOL,
      schoolName: 'Oak Academy',
      week: '2026-W47',
      weekStart: '2026-11-16T00:00:00Z',
      weekEnd: '2026-11-23T00:00:00Z',
      builtAt: '2026-11-23T07:00:00Z',
      headline: '2 severity-5 captures are still unreviewed.',
      total: { count: 7, lastWeek: 4, fourWeekAverage: 5, changeFromLastWeek: 3, changeFromAverage: 2 },
      bySeverity: [
        { severity: 5, count: 2, lastWeek: 0, fourWeekAverage: 0.5, changeFromLastWeek: 2, changeFromAverage: 1.5 },
      ],
      byCategory: [
        {
          category: 'self_harm',
          count: 2,
          lastWeek: 1,
          fourWeekAverage: 1,
          changeFromLastWeek: 1,
          changeFromAverage: 1,
        },
      ],
      ofInterest: [
        {
          id: 'c9',
          capturedAt: '2026-11-20T10:00:00Z',
          severity: 5,
          status: 'new',
          categories: ['suicide'],
          phrases: ['kill myself'],
          pupil: 'J.S',
          device: 'OAK-07',
          link: 'x',
        },
      ],
      repeatedConcerns: [],
      backlog: { unreviewed: 2, oldestUnreviewedAt: null, oldestAgeHours: 70 },
      devicesNotReporting: [],
      keywordListChanges: [],
      namesShown: false,
    },
  };

  it('shows the archive, a summary’s headline and captures of interest, and says email is not configured', async () => {
    fakeApi({
      'GET /api/auth/me': () => me(['dsl']),
      'GET /api/summaries': () => ({
        items: [{ id: 's1', schoolId: SCHOOL, week: '2026-W47', builtAt: '', sendState: 'not_configured' }],
      }),
      'GET /api/summaries/s1': () => summary,
      [`GET /api/schools/${SCHOOL}/summary-settings`]: () => ({
        sendDay: 'monday',
        sendTime: '07:00',
        recipients: [{ email: 'head@oak.sch.uk', role: 'head' }],
        includeNames: false,
        alertSeverity: 4,
        dailyDigest: false,
        emailConfigured: false,
      }),
    });
    renderApp('/summaries');
    expect(await screen.findByText('2 severity-5 captures are still unreviewed.')).toBeInTheDocument();
    expect(screen.getByText('Email is not configured.')).toBeInTheDocument();
    expect(screen.getByText(/head@oak\.sch\.uk \(Head\)/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'kill myself' })).toHaveAttribute('href', '/captures/c9');
    expect(screen.getByRole('link', { name: 'Download as PDF' })).toHaveAttribute('href', '/api/summaries/s1/pdf');
    expect(screen.getByRole('link', { name: 'Week 2026-W47' })).toHaveAttribute('aria-current', 'page');
  });

  it('saves the school’s summary settings', async () => {
    const api = fakeApi({
      'GET /api/auth/me': () => me(['dsl']),
      'GET /api/summaries': () => ({ items: [] }),
      [`GET /api/schools/${SCHOOL}/summary-settings`]: () => ({
        sendDay: 'monday',
        sendTime: '07:00',
        recipients: [],
        includeNames: false,
        alertSeverity: 4,
        dailyDigest: false,
        emailConfigured: true,
      }),
      [`PUT /api/schools/${SCHOOL}/summary-settings`]: (c) => ({
        sendDay: 'monday',
        recipients: [],
        emailConfigured: true,
        ...(c.body as object),
      }),
    });
    const user = userEvent.setup();
    renderApp('/summaries');
    await user.selectOptions(await screen.findByLabelText('Email DSLs at once from severity'), '3');
    await user.click(screen.getByLabelText(/A daily digest/));
    await user.click(screen.getByRole('button', { name: 'Save summary settings' }));
    await screen.findByText('Settings saved.');
    expect(api.called('PUT', `/api/schools/${SCHOOL}/summary-settings`)[0]?.body).toEqual({
      sendTime: '07:00',
      includeNames: false,
      alertSeverity: 3,
      dailyDigest: true,
    });
    expect(screen.queryByText('Email is not configured.')).not.toBeInTheDocument();
  });

  it('falls back to the console-wide settings for a deputy DSL', async () => {
    fakeApi({
      'GET /api/auth/me': () => me(['deputy_dsl']),
      'GET /api/summaries': () => ({ items: [] }),
      [`GET /api/schools/${SCHOOL}/summary-settings`]: () =>
        reply(403, { code: 'CONSOLE_ERR_FORBIDDEN', message: 'no' }),
      'GET /api/summary-settings': () => ({
        emailConfigured: false,
        recipients: [{ schoolId: SCHOOL, emails: ['dsl@oak.sch.uk'] }],
        schools: [],
      }),
    });
    renderApp('/summaries');
    expect(await screen.findByText('Email is not configured.')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Recipients and settings' })).toHaveTextContent('dsl@oak.sch.uk');
  });
});

describe('people and settings', () => {
  it('adds a person and shows their one-time password once; changes a role', async () => {
    const users = [
      {
        id: 'u-admin',
        email: 'it@oak.sch.uk',
        displayName: null,
        roles: ['school_admin'],
        totpEnrolled: false,
        mustChangePassword: false,
        disabled: false,
        lockedUntil: null,
        lastSignInAt: null,
      },
      {
        id: 'u2',
        email: 'head@oak.sch.uk',
        displayName: 'Ms Head',
        roles: ['head'],
        totpEnrolled: true,
        mustChangePassword: false,
        disabled: false,
        lockedUntil: null,
        lastSignInAt: null,
      },
    ];
    const api = fakeApi({
      'GET /api/auth/me': () => me(['school_admin'], { id: 'u-admin', email: 'it@oak.sch.uk' }),
      [`GET /api/schools/${SCHOOL}/users`]: () => ({ items: users }),
      [`POST /api/schools/${SCHOOL}/users`]: (c) => ({
        user: { ...users[1], id: 'u3', ...(c.body as object) },
        oneTimePassword: 'abcde-fghij',
      }),
      [`PATCH /api/schools/${SCHOOL}/users/u2`]: (c) => ({ user: { ...users[1], ...(c.body as object) } }),
      [`GET /api/schools/${SCHOOL}/settings`]: () => ({
        retentionDays: 90,
        minSeverity: null,
        alertSeverity: null,
        monitoredHours: null,
      }),
      'GET /api/audit': () => ({ items: [], nextCursor: null }),
    });
    const user = userEvent.setup();
    renderApp('/people');
    await screen.findByText('Ms Head');
    await user.type(screen.getByLabelText('Email address'), 'new.dsl@oak.sch.uk');
    await user.click(screen.getByRole('button', { name: 'Add person' }));
    expect(await screen.findByText('abcde-fghij')).toBeInTheDocument();
    expect(api.called('POST', `/api/schools/${SCHOOL}/users`)[0]?.body).toEqual({
      email: 'new.dsl@oak.sch.uk',
      roles: ['dsl'],
    });
    const headRow = screen.getByText('Ms Head').closest('tr')!;
    await user.click(within(headRow).getByRole('checkbox', { name: 'DSL' }));
    await waitFor(() =>
      expect(api.called('PATCH', `/api/schools/${SCHOOL}/users/u2`)[0]?.body).toEqual({ roles: ['head', 'dsl'] }),
    );
    expect(screen.queryByRole('checkbox', { name: 'Trust admin' })).not.toBeInTheDocument();
  });

  it('saves retention and monitored hours, and shows the console’s refusal', async () => {
    const api = fakeApi({
      'GET /api/auth/me': () => me(['school_admin']),
      [`GET /api/schools/${SCHOOL}/users`]: () => ({ items: [] }),
      [`GET /api/schools/${SCHOOL}/settings`]: () => ({
        retentionDays: 90,
        minSeverity: null,
        alertSeverity: null,
        monitoredHours: null,
      }),
      [`PUT /api/schools/${SCHOOL}/settings`]: (c) => {
        const body = c.body as { retentionDays: number };
        if (body.retentionDays > 3650)
          return reply(400, { code: 'CONSOLE_ERR_VALIDATION', message: 'retentionDays must be at most 3650' });
        return body;
      },
      'GET /api/audit': () => ({ items: [], nextCursor: null }),
    });
    const user = userEvent.setup();
    renderApp('/people');
    const days = await screen.findByLabelText('Keep captures for (days)');
    await user.clear(days);
    await user.type(days, '30');
    await user.click(screen.getByRole('button', { name: 'Add hours' }));
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await screen.findByText('Settings saved.');
    expect(api.called('PUT', `/api/schools/${SCHOOL}/settings`)[0]?.body).toEqual({
      retentionDays: 30,
      minSeverity: null,
      alertSeverity: null,
      monitoredHours: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '16:00' }],
    });
  });

  it('filters the audit log by action', async () => {
    const api = fakeApi({
      'GET /api/auth/me': () => me(['school_admin']),
      [`GET /api/schools/${SCHOOL}/users`]: () => ({ items: [] }),
      [`GET /api/schools/${SCHOOL}/settings`]: () => ({
        retentionDays: 90,
        minSeverity: null,
        alertSeverity: null,
        monitoredHours: null,
      }),
      'GET /api/audit': () => ({
        items: [
          {
            id: 'a1',
            at: '2026-11-25T10:00:00Z',
            action: 'auth.login',
            outcome: 'failure',
            actorUserId: 'u9',
            actorLabel: 'x@oak.sch.uk',
            organisationId: null,
            schoolId: SCHOOL,
            targetId: 'u9',
            ip: null,
            details: { reason: 'bad_password' },
          },
        ],
        nextCursor: null,
      }),
    });
    const user = userEvent.setup();
    renderApp('/people');
    expect(await screen.findByText('reason: bad_password')).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Action'), 'auth.login');
    await user.click(screen.getByRole('button', { name: 'Filter' }));
    await waitFor(() => expect(api.called('GET', '/api/audit').at(-1)?.query.get('action')).toBe('auth.login'));
  });
});

describe('overview', () => {
  it('shows backlog, severity split, top categories, repeated concerns and silent devices', async () => {
    fakeApi({
      'GET /api/auth/me': () => me(['dsl']),
      [`GET /api/schools/${SCHOOL}/overview`]: () => ({
        from: '2026-10-29T00:00:00Z',
        to: '2026-11-25T23:59:59Z',
        days: [{ date: '2026-11-25', byCategory: { suicide: 2, bullying: 1 }, total: 3 }],
        severity: { '1': 0, '2': 1, '3': 0, '4': 1, '5': 2 },
        topCategories: [
          { category: 'suicide', count: 2 },
          { category: 'bullying', count: 1 },
        ],
        repeatedConcerns: [{ user: 'amiller', count: 3, maxSeverity: 4, lastAt: new Date().toISOString() }],
        backlog: { unreviewed: 3, oldestUnreviewedAt: new Date(Date.now() - 5 * 3600_000).toISOString() },
        devicesNotReporting: [{ id: 'd2', hostname: 'OAK-LIBRARY-02', user: null, lastSeenAt: null }],
      }),
    });
    renderApp('/overview');
    const backlog = await screen.findByRole('heading', { name: 'Review backlog' });
    expect(backlog.parentElement).toHaveTextContent('3unreviewed; oldest 5 h ago');
    expect(screen.getByRole('link', { name: '2 captures of severity 5, Immediate risk' })).toHaveAttribute(
      'href',
      '/inbox?severityMin=5&severityMax=5',
    );
    expect(screen.getByRole('link', { name: 'Suicide' })).toHaveAttribute('href', '/inbox?category=suicide');
    expect(screen.getByRole('link', { name: 'amiller' })).toHaveAttribute('href', '/inbox?user=amiller');
    expect(screen.getByText('OAK-LIBRARY-02')).toBeInTheDocument();
    expect(screen.getByText(/last seen/)).toHaveTextContent('never');
  });
});
