import { fakeSocket } from '../test/fake-socket';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { capture, fakeApi, me, SCHOOL } from '../test/fake-api';
import { renderApp } from '../test/render';
import type { Capture } from '../api/types';

function inboxApi(items: Capture[], roles: Parameters<typeof me>[0] = ['dsl']) {
  return fakeApi({
    'GET /api/auth/me': () => me(roles),
    'GET /api/captures': (c) => ({
      items: items.filter((i) => !c.query.get('status') || i.status === c.query.get('status')),
      nextCursor: null,
    }),
    'GET /api/devices': () => ({ items: [{ id: 'd1', hostname: 'OAK-LAPTOP-07', schoolId: SCHOOL }] }),
    'PATCH /api/captures/:id': (c) => ({ ...items.find((i) => c.path.endsWith(i.id)), ...(c.body as object) }),
    'POST /api/captures/bulk': () => ({ items: [] }),
  });
}

describe('the inbox', () => {
  beforeEach(() => fakeSocket.reset());

  it('lists captures with severity as colour and words, the phrase highlighted, pupil, device, source and time', async () => {
    inboxApi([
      capture({ id: 'a', user: 'jsmith' }),
      capture({ id: 'b', severity: 2, user: 'tbrown', source: 'screen' }),
    ]);
    renderApp('/inbox');
    const first = (await screen.findByText('jsmith')).closest('li')!;
    expect(first).toHaveClass('sev-row-5');
    expect(within(first).getByText('Immediate risk')).toBeInTheDocument();
    expect(within(first).getByText('kill myself', { selector: 'mark' })).toBeInTheDocument();
    expect(within(first).getByText('OAK-LAPTOP-07')).toBeInTheDocument();
    expect(within(first).getByText('Typed')).toBeInTheDocument();
    expect(within(first).getByText('1 min ago')).toHaveAttribute(
      'title',
      expect.stringMatching(/\d\d:\d\d:\d\d (GMT|BST)/),
    );
    const second = screen.getByText('tbrown').closest('li')!;
    expect(within(second).getByText('Possible concern')).toBeInTheDocument();
    expect(within(second).getByText('On screen')).toBeInTheDocument();
  });

  it('triages from the keyboard: j moves, f marks false positive, e escalates, enter opens', async () => {
    const api = inboxApi([capture({ id: 'a' }), capture({ id: 'b' }), capture({ id: 'c' })]);
    const user = userEvent.setup();
    renderApp('/inbox');
    await screen.findAllByText('kill myself', { selector: 'mark' });
    await user.keyboard('j');
    await user.keyboard('f');
    await waitFor(() => expect(api.called('PATCH', '/api/captures/b')).toHaveLength(1));
    expect(api.called('PATCH', '/api/captures/b')[0]?.body).toEqual({ status: 'false_positive' });
    expect(api.called('PATCH', '/api/captures/b')[0]?.headers['x-vigil-csrf']).toBe('csrf-123');
    await waitFor(() =>
      expect(document.querySelector('.notice')?.textContent).toBe('1 capture marked false positive.'),
    );
    await user.keyboard('j');
    await user.keyboard('e');
    await waitFor(() => expect(api.called('PATCH', '/api/captures/c')[0]?.body).toEqual({ status: 'escalated' }));
    await user.keyboard('k');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId('where')).toHaveTextContent('/captures/b'));
  });

  it('keys typed into a filter box do not triage', async () => {
    const api = inboxApi([capture({ id: 'a' })]);
    const user = userEvent.setup();
    renderApp('/inbox');
    await screen.findAllByText('kill myself', { selector: 'mark' });
    await user.click(screen.getByText('Filters'));
    await user.type(screen.getByLabelText('Pupil'), 'jfr');
    expect(api.called('PATCH', /\/api\/captures\//)).toHaveLength(0);
  });

  it('reviews a bulk selection in one request', async () => {
    const api = inboxApi([
      capture({ id: 'a', user: 'p1' }),
      capture({ id: 'b', user: 'p2' }),
      capture({ id: 'c', user: 'p3' }),
    ]);
    const user = userEvent.setup();
    renderApp('/inbox');
    const boxes = await screen.findAllByRole('checkbox', { name: /^Select capture of/ });
    await user.click(boxes[0]!);
    await user.click(boxes[2]!);
    expect(screen.getByText('2 selected')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Mark reviewed' }));
    await waitFor(() => expect(api.called('POST', '/api/captures/bulk')).toHaveLength(1));
    expect(api.called('POST', '/api/captures/bulk')[0]?.body).toEqual({ ids: ['a', 'c'], status: 'reviewed' });
    expect(await screen.findByText('2 captures marked reviewed.')).toBeInTheDocument();
  });

  it('sends every filter to the API and saved views set them', async () => {
    const api = inboxApi([]);
    const user = userEvent.setup();
    renderApp('/inbox');
    await screen.findByText(/No captures yet/);
    await user.click(screen.getByRole('button', { name: 'Unreviewed severity 4–5' }));
    await waitFor(() => {
      const last = api.called('GET', '/api/captures').at(-1)!;
      expect(last.query.get('status')).toBe('new');
      expect(last.query.get('severityMin')).toBe('4');
    });
    expect(screen.getByRole('button', { name: 'Unreviewed severity 4–5' })).toHaveAttribute('aria-pressed', 'true');
    await user.click(screen.getByText(/^Filters/));
    await user.selectOptions(screen.getByLabelText('Source'), 'clipboard');
    await user.type(screen.getByLabelText('Category'), 'bullying');
    await user.type(screen.getByLabelText('Search text'), 'after school');
    await user.selectOptions(screen.getByLabelText('Device'), 'OAK-LAPTOP-07');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => {
      const q = api.called('GET', '/api/captures').at(-1)!.query;
      expect(Object.fromEntries(q)).toMatchObject({
        status: 'new',
        severityMin: '4',
        source: 'clipboard',
        category: 'bullying',
        q: 'after school',
        deviceId: 'd1',
        schoolId: SCHOOL,
        collapseGroups: 'true',
      });
    });
    expect(screen.getByText(/No captures match these filters/)).toBeInTheDocument();
  });

  it('shows a non-modal notice when captures arrive live, and loads them on request', async () => {
    const items = [capture({ id: 'old' })];
    const api = inboxApi(items);
    const user = userEvent.setup();
    renderApp('/inbox');
    await screen.findAllByText('kill myself', { selector: 'mark' });
    expect(fakeSocket.options).toMatchObject({ path: '/api/live', auth: { csrfToken: 'csrf-123' } });
    act(() => {
      fakeSocket.emit('capture:new', {
        id: 'new1',
        schoolId: SCHOOL,
        severity: 3,
        categories: ['bullying'],
        capturedAt: new Date().toISOString(),
      });
      fakeSocket.emit('capture:new', {
        id: 'new2',
        schoolId: SCHOOL,
        severity: 5,
        categories: ['suicide'],
        capturedAt: new Date().toISOString(),
      });
      fakeSocket.emit('capture:new', {
        id: 'other',
        schoolId: 'another-school',
        severity: 5,
        categories: [],
        capturedAt: new Date().toISOString(),
      });
    });
    const notice = await screen.findByText('2 new captures, highest severity 5');
    expect(notice.closest('[role="status"]')).toBeInTheDocument();
    expect(notice.closest('.live-notice')).toHaveClass('live-critical');
    items.unshift(capture({ id: 'new2', user: 'newpupil' }));
    const before = api.called('GET', '/api/captures').length;
    await user.click(screen.getByRole('button', { name: 'Show new captures' }));
    expect(await screen.findByText('newpupil')).toBeInTheDocument();
    expect(api.called('GET', '/api/captures').length).toBe(before + 1);
    expect(screen.queryByText(/new capture/)).not.toBeInTheDocument();
  });

  it('collapses a group to one row that expands to its members', async () => {
    fakeApi({
      'GET /api/auth/me': () => me(),
      'GET /api/captures': () => ({
        items: [
          capture({
            id: 'g1',
            severity: 3,
            group: { id: 'grp', memberCount: 4, pupilCount: 3, firstAt: '', lastAt: '' },
          }),
        ],
        nextCursor: null,
      }),
      'GET /api/capture-groups/:id': () => ({
        id: 'grp',
        members: [capture({ id: 'm1', user: 'member-one' }), capture({ id: 'm2', user: 'member-two' })],
      }),
    });
    const user = userEvent.setup();
    renderApp('/inbox');
    await user.click(await screen.findByRole('button', { name: 'Show 3 similar from 3 pupils' }));
    expect(await screen.findByRole('link', { name: 'member-two' })).toHaveAttribute('href', '/captures/m2');
  });

  it('offers no review controls to a head (read only)', async () => {
    inboxApi([capture({ id: 'a' })], ['head']);
    renderApp('/inbox');
    await screen.findAllByText('kill myself', { selector: 'mark' });
    expect(screen.queryByRole('checkbox', { name: /^Select capture/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Mark reviewed' })).not.toBeInTheDocument();
  });
});

describe('the severity-5 chime', () => {
  it('plays only when switched on, and only for severity 5', async () => {
    const started: number[] = [];
    class FakeAudioContext {
      currentTime = 0;
      destination = {};
      constructor() {
        started.push(Date.now());
      }
      createOscillator() {
        return { frequency: { value: 0 }, connect: (n: unknown) => n, start() {}, stop() {} };
      }
      createGain() {
        return {
          gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} },
          connect: (n: unknown) => n,
        };
      }
      close() {
        return Promise.resolve();
      }
    }
    vi.stubGlobal('AudioContext', FakeAudioContext);
    inboxApi([capture({ id: 'a' })]);
    const user = userEvent.setup();
    renderApp('/inbox');
    await screen.findAllByText('kill myself', { selector: 'mark' });
    const live = (severity: number) =>
      act(() =>
        fakeSocket.emit('capture:new', {
          id: `n${severity}`,
          schoolId: SCHOOL,
          severity,
          categories: [],
          capturedAt: new Date().toISOString(),
        }),
      );
    live(5);
    expect(started).toHaveLength(0);
    await user.click(screen.getByLabelText('Sound for severity 5'));
    live(4);
    expect(started).toHaveLength(0);
    live(5);
    expect(started).toHaveLength(1);
  });
});

describe('the severity-5 banner', () => {
  beforeEach(() => fakeSocket.reset());

  it('stays above the inbox while severity-5 captures are unreviewed, and goes when they are reviewed', async () => {
    const items = [
      capture({ id: 'a', severity: 5 }),
      capture({ id: 'b', severity: 5 }),
      capture({ id: 'c', severity: 3 }),
    ];
    fakeApi({
      'GET /api/auth/me': () => me(['dsl']),
      'GET /api/captures': (c) => ({
        items: items.filter(
          (i) =>
            (!c.query.get('status') || i.status === c.query.get('status')) &&
            i.severity >= Number(c.query.get('severityMin') ?? 1),
        ),
        nextCursor: null,
      }),
      'POST /api/captures/bulk': (c) => {
        const body = c.body as { ids: string[]; status: 'reviewed' };
        for (const i of items) if (body.ids.includes(i.id)) i.status = body.status;
        return { items: [] };
      },
    });
    const user = userEvent.setup();
    renderApp('/inbox');
    const banner = await screen.findByRole('region', { name: 'Unreviewed severity 5' });
    expect(banner).toHaveTextContent('2 unreviewed severity-5 captures');
    await user.click(within(banner).getByRole('button', { name: 'Show them' }));
    await waitFor(() => expect(screen.getByTestId('where')).toHaveTextContent('/inbox?status=new&severityMin=5'));
    await waitFor(() => expect(screen.getAllByRole('checkbox', { name: /^Select capture of/ })).toHaveLength(2));
    await user.click(screen.getByLabelText('Select all shown'));
    await user.click(screen.getByRole('button', { name: 'Mark reviewed' }));
    await waitFor(() =>
      expect(screen.queryByRole('region', { name: 'Unreviewed severity 5' })).not.toBeInTheDocument(),
    );
  });
});
