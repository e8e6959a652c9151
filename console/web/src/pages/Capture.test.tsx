import '../test/fake-socket';
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { capture, fakeApi, me, reply } from '../test/fake-api';
import { renderApp } from '../test/render';
import type { HistoryEntry } from '../api/types';

function captureApi(roles: Parameters<typeof me>[0] = ['dsl']) {
  let current = {
    ...capture({
      id: 'cap1',
      user: 'amiller',
      windowTitle: 'Chat - Google Chrome',
      url: 'https://chat.example.com/',
      app: 'chromium',
    }),
    policyVersion: 'v1',
    screenshot: { type: 'image/webp', width: 1280, height: 800 },
    earlierCaptures: [capture({ id: 'early', user: 'amiller', severity: 3 })],
  };
  const history: HistoryEntry[] = [];
  let fp = 0;
  const api = fakeApi({
    'GET /api/auth/me': () => me(roles),
    'GET /api/captures/cap1': () => current,
    'GET /api/captures/nope': () => reply(404, { code: 'CONSOLE_ERR_NOT_FOUND', message: 'No such capture' }),
    'GET /api/captures/cap1/history': () => ({ items: history }),
    'GET /api/keyword-stats': () => [
      { entryId: 'suicide.kill-myself', phrase: 'kill myself', category: 'suicide', falsePositives: fp, total: 4 },
    ],
    'GET /api/devices': () => ({ items: [{ id: 'd1', hostname: 'OAK-LAPTOP-07', schoolId: 'school-oak' }] }),
    'GET /api/schools/school-oak/reviewers': () => ({
      items: [
        { id: 'u-deputy', email: 'deputy@oak.sch.uk', displayName: 'Sam Patel' },
        { id: 'u-dsl', email: 'dsl@oak.sch.uk', displayName: null },
      ],
    }),
    'PATCH /api/captures/cap1': (c) => {
      const body = c.body as { status?: 'false_positive'; note?: string; assigneeId?: string | null };
      history.unshift({
        id: `h${history.length}`,
        at: new Date().toISOString(),
        userId: 'u-dsl',
        userEmail: 'dsl@oak.sch.uk',
        statusFrom: body.status ? current.status : null,
        statusTo: body.status ?? null,
        assigneeFrom: null,
        assigneeTo: body.assigneeId ?? null,
        holdTo: null,
        note: body.note ?? null,
      });
      if (body.status === 'false_positive') fp += 1;
      current = { ...current, ...body };
      return current;
    },
  });
  return api;
}

describe('the capture page', () => {
  it('shows the screenshot with zoom, the banner, the match in context, where it happened and the pupil’s timeline', async () => {
    captureApi();
    const user = userEvent.setup();
    renderApp('/captures/cap1');
    const img = await screen.findByRole('img', { name: /^Screenshot taken .* on OAK-LAPTOP-07$/ });
    expect(img).toHaveAttribute('src', '/api/captures/cap1/screenshot');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('kill myself');
    const banner = document.querySelector('.capture-banner') as HTMLElement;
    expect(banner).toHaveClass('sev-banner-5');
    expect(banner).toHaveTextContent(/\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\) · amiller on OAK-LAPTOP-07/);
    expect(within(banner).getByText('Immediate risk')).toBeInTheDocument();
    const matched = screen.getByRole('region', { name: 'What matched' });
    expect(within(matched).getByText('kill myself', { selector: 'mark' })).toBeInTheDocument();
    const where = screen.getByRole('region', { name: 'Where' });
    expect(within(where).getByText('Chat - Google Chrome')).toBeInTheDocument();
    expect(within(where).getByText('https://chat.example.com/')).toBeInTheDocument();
    expect(within(where).getByText('chromium')).toBeInTheDocument();
    const timeline = screen.getByRole('region', { name: 'amiller’s earlier captures' });
    expect(within(timeline).getByRole('link')).toHaveAttribute('href', '/captures/early');
    await user.click(screen.getByRole('button', { name: '200%' }));
    expect(screen.getByRole('button', { name: '200%' })).toHaveAttribute('aria-pressed', 'true');
    expect(img.parentElement).toHaveClass('zoom-200');
    expect(screen.getByRole('link', { name: 'Incident report (PDF)' })).toHaveAttribute(
      'href',
      '/api/captures/cap1/report.pdf',
    );
    expect(screen.getByRole('link', { name: /CSV/ }).getAttribute('href')).toContain(
      '/api/captures/export.csv?user=amiller',
    );
  });

  it('marks a false positive, the phrase’s count moves, and the history says who did what; notes and assignment save', async () => {
    const api = captureApi();
    const user = userEvent.setup();
    renderApp('/captures/cap1');
    await screen.findByRole('heading', { level: 1 });
    const count = () => document.querySelector('.fp-count')?.textContent;
    await waitFor(() => expect(count()).toBe('0'));
    await user.click(
      within(screen.getByRole('group', { name: 'Set status' })).getByRole('button', { name: 'False positive' }),
    );
    await screen.findByText('Marked false positive.');
    expect(count()).toBe('1');
    expect(screen.getByText(/dsl@oak\.sch\.uk: status Unreviewed → False positive/)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Add a note'), 'Spoke to the pupil.');
    await user.click(screen.getByRole('button', { name: 'Save note' }));
    expect(await screen.findByText('Spoke to the pupil.', { selector: '.note' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Assign to me' }));
    expect(await screen.findByText('Assigned to you')).toBeInTheDocument();
    expect(
      api
        .called('PATCH', '/api/captures/cap1')
        .map((c) => c.body)
        .slice(0, 3),
    ).toEqual([{ status: 'false_positive' }, { note: 'Spoke to the pupil.' }, { assigneeId: 'u-dsl' }]);
    await user.selectOptions(screen.getByLabelText('Assign to'), 'u-deputy');
    expect(await screen.findByText('Assigned to Sam Patel (deputy@oak.sch.uk)')).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Assign to'), '');
    expect(await screen.findByText('Not assigned')).toBeInTheDocument();
    expect(
      api
        .called('PATCH', '/api/captures/cap1')
        .map((c) => c.body)
        .slice(3),
    ).toEqual([{ assigneeId: 'u-deputy' }, { assigneeId: null }]);
    // Each change is one PATCH: the capture is not opened (and audited as viewed) again.
    expect(api.called('GET', '/api/captures/cap1')).toHaveLength(1);
  });

  it('says "not found" for a capture the user may not see, without detail', async () => {
    captureApi();
    renderApp('/captures/nope');
    expect(await screen.findByRole('heading', { name: 'Capture not found' })).toBeInTheDocument();
    expect(screen.queryByRole('img')).not.toBeInTheDocument();
  });

  it('a head reads but cannot review', async () => {
    captureApi(['head']);
    renderApp('/captures/cap1');
    await screen.findByRole('heading', { level: 1 });
    expect(screen.queryByRole('group', { name: 'Set status' })).not.toBeInTheDocument();
    expect(screen.getByText(/reviewing it is for the DSLs/)).toBeInTheDocument();
  });
});
