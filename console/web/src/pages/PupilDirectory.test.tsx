import '../test/fake-socket';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { capture, fakeApi, me, reply, SCHOOL } from '../test/fake-api';
import { renderApp } from '../test/render';
import type { Pupil } from '../api/types';

const PUPILS = `/api/schools/${SCHOOL}/pupils`;

function directoryApi(roles: Parameters<typeof me>[0], initial: Pupil[]) {
  let pupils = initial;
  return fakeApi({
    'GET /api/auth/me': () => me(roles),
    [`GET ${PUPILS}`]: () => ({ schoolId: SCHOOL, count: pupils.length, pupils }),
    [`PUT ${PUPILS}`]: (c) => {
      const csv = String(c.body);
      if (csv.includes('"broken')) {
        return reply(400, {
          code: 'CONSOLE_ERR_VALIDATION',
          message: 'The pupil directory was not changed: line 3: a quoted field is never closed',
        });
      }
      pupils = csv
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => {
          const [login = '', name = '', yearGroup = ''] = line.split(',');
          return { login, name, yearGroup: yearGroup ? `Year ${yearGroup}` : null };
        });
      return { schoolId: SCHOOL, count: pupils.length, pupils };
    },
    // The admin's other sections, answered empty.
    [`GET /api/schools/${SCHOOL}/users`]: () => ({ items: [] }),
    [`GET /api/schools/${SCHOOL}/settings`]: () => reply(404, { code: 'CONSOLE_ERR_NOT_FOUND', message: 'none' }),
    'GET /api/audit': () => ({ items: [], nextCursor: null }),
  });
}

const csvFile = (text: string, name = 'pupils.csv') => new File([text], name, { type: 'text/csv' });

describe('the pupil directory', () => {
  it('shows a DSL the count and a searchable list (login, name, year group), and nothing else of the admin page', async () => {
    directoryApi(
      ['dsl'],
      [
        { login: 'jsmith', name: 'John Smith', yearGroup: 'Year 9' },
        { login: 'amiller', name: 'Amy Miller', yearGroup: 'Year 10' },
        { login: 'tbrown', name: 'Tom Brown', yearGroup: null },
      ],
    );
    const user = userEvent.setup();
    renderApp('/inbox');
    await user.click(await screen.findByRole('link', { name: 'People and settings' }));
    expect(await screen.findByText('3 pupils in the directory.')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Users and roles' })).not.toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Audit log' })).not.toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Pupils in the directory' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))).toEqual([
      ['jsmith', 'John Smith', 'Year 9'],
      ['amiller', 'Amy Miller', 'Year 10'],
      ['tbrown', 'Tom Brown', '–'],
    ]);
    await user.type(screen.getByLabelText('Search pupils'), 'year 10');
    expect(within(table).getAllByRole('row')).toHaveLength(2);
    expect(within(table).getByText('Amy Miller')).toBeInTheDocument();
    expect(screen.getByText('1 match')).toBeInTheDocument();
    await user.clear(screen.getByLabelText('Search pupils'));
    await user.type(screen.getByLabelText('Search pupils'), 'SMI');
    expect(
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map((r) => r.querySelector('td')?.textContent),
    ).toEqual(['jsmith']);
  });

  it('uploads a CSV file as text/csv and shows the new directory', async () => {
    const api = directoryApi(['school_admin'], []);
    const user = userEvent.setup();
    renderApp('/people');
    expect(await screen.findByText('No pupils in the directory yet.')).toBeInTheDocument();
    const upload = screen.getByRole('button', { name: 'Upload the directory' });
    expect(upload).toBeDisabled();
    await user.upload(
      screen.getByLabelText('CSV file of pupils'),
      csvFile('login,name,year group\njsmith,John Smith,9\nkwhite,Kim White,11\n'),
    );
    await user.click(upload);
    expect(await screen.findByText('Loaded 2 pupils from pupils.csv (the directory had 0).')).toBeInTheDocument();
    const put = api.called('PUT', PUPILS);
    expect(put).toHaveLength(1);
    expect(put[0]?.headers['content-type']).toBe('text/csv');
    expect(put[0]?.headers['x-vigil-csrf']).toBe('csrf-123');
    expect(put[0]?.body).toBe('login,name,year group\njsmith,John Smith,9\nkwhite,Kim White,11\n');
    expect(screen.getByText('2 pupils in the directory.')).toBeInTheDocument();
    expect(screen.getByText('Kim White')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Replace the directory' })).toBeDisabled(); // the file input is cleared
  });

  it('shows the console’s line-numbered error and keeps the directory as it was', async () => {
    directoryApi(['org_admin'], [{ login: 'jsmith', name: 'John Smith', yearGroup: 'Year 9' }]);
    const user = userEvent.setup();
    renderApp('/people');
    expect(await screen.findByText('1 pupil in the directory.')).toBeInTheDocument();
    await user.upload(
      screen.getByLabelText('CSV file of pupils'),
      csvFile('login,name\nkwhite,Kim White\n"broken,Nobody\n', 'bad.csv'),
    );
    await user.click(screen.getByRole('button', { name: 'Replace the directory' }));
    const alert = (await screen.findByText('bad.csv was not loaded:')).closest('[role="alert"]');
    expect(alert).toHaveTextContent('bad.csv was not loaded: the directory is unchanged.');
    expect(alert).toHaveTextContent('Line 3: a quoted field is never closed');
    expect(screen.getByText('1 pupil in the directory.')).toBeInTheDocument();
    expect(screen.getByText('John Smith')).toBeInTheDocument();
    expect(screen.queryByText('Kim White')).not.toBeInTheDocument();
  });

  it('is not offered to a deputy DSL or a head', async () => {
    directoryApi(['deputy_dsl', 'head'], []);
    renderApp('/inbox');
    await screen.findByRole('navigation', { name: 'Main' });
    expect(screen.queryByRole('link', { name: 'People and settings' })).not.toBeInTheDocument();
  });
});

describe('pupils’ directory labels', () => {
  function labelledApi(roles: Parameters<typeof me>[0]) {
    return fakeApi({
      'GET /api/auth/me': () => me(roles),
      'GET /api/captures': () => ({
        items: [capture({ id: 'a', user: 'OAK\\JSmith' }), capture({ id: 'b', user: 'pupil01' })],
        nextCursor: null,
      }),
      'GET /api/devices': () => ({ items: [] }),
      [`GET ${PUPILS}`]: () => ({
        schoolId: SCHOOL,
        count: 1,
        pupils: [{ login: 'jsmith@oak.sch.uk', name: 'John Smith', yearGroup: 'Year 9' }],
      }),
    });
  }

  it('shows the directory’s name and year group beside the login however the laptop spelt it', async () => {
    labelledApi(['deputy_dsl']);
    renderApp('/inbox');
    const row = (await screen.findByText('John Smith, Year 9')).closest('li')!;
    expect(row).toHaveAttribute('data-capture-id', 'a');
    expect(within(row).getByText('OAK\\JSmith')).toBeInTheDocument();
    const other = document.querySelector('[data-capture-id="b"]')!;
    expect(other.querySelector('.row-meta dd')?.textContent).toBe('pupil01');
  });

  it('does not ask for the directory for a head, who may not read it', async () => {
    const api = labelledApi(['head']);
    renderApp('/inbox');
    await screen.findByText('OAK\\JSmith');
    expect(api.called('GET', PUPILS)).toHaveLength(0);
    expect(screen.queryByText('John Smith, Year 9')).not.toBeInTheDocument();
  });
});

describe('the subject access export', () => {
  const EXPORT = `/api/schools/${SCHOOL}/subject-access`;
  afterEach(() => vi.unstubAllGlobals());

  function exportApi(roles: Parameters<typeof me>[0], answer: () => unknown) {
    const detail = {
      ...capture({ id: 'cap1', user: 'OAK\\amiller' }),
      policyVersion: 'v1',
      screenshot: { type: 'image/webp', width: 1280, height: 800 },
      earlierCaptures: [],
    };
    return fakeApi({
      'GET /api/auth/me': () => me(roles),
      'GET /api/captures/cap1': () => detail,
      'GET /api/captures/cap1/history': () => ({ items: [] }),
      'GET /api/keyword-stats': () => [],
      'GET /api/devices': () => ({ items: [] }),
      'GET /api/captures': () => ({ items: [detail], nextCursor: null }),
      [`GET ${EXPORT}`]: answer,
    });
  }

  /** Catches the browser download: the blob handed to an object URL and the name the link saves it as. */
  function catchDownloads() {
    const saved: { name: string; text: Promise<string> }[] = [];
    let blob: Blob | null = null;
    vi.stubGlobal(
      'URL',
      Object.assign(URL, {
        createObjectURL: (b: Blob) => {
          blob = b;
          return 'blob:console.test/1';
        },
        revokeObjectURL: () => undefined,
      }),
    );
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      if (this.href.startsWith('blob:') && blob) saved.push({ name: this.download, text: blob.text() });
    });
    return saved;
  }

  it('downloads everything held about the capture’s pupil from the capture page', async () => {
    const api = exportApi(['dsl'], () =>
      reply(
        200,
        { pupil: 'OAK\\amiller', captures: [] },
        {
          'content-disposition': 'attachment; filename="vigil-subject-access-OAK_amiller-2026-11-25.json"',
        },
      ),
    );
    const saved = catchDownloads();
    const user = userEvent.setup();
    renderApp('/captures/cap1');
    await user.click(await screen.findByRole('button', { name: 'Export everything held about this pupil' }));
    expect(await screen.findByText(/Downloaded vigil-subject-access-OAK_amiller-2026-11-25\.json/)).toBeInTheDocument();
    const call = api.called('GET', EXPORT);
    expect(call).toHaveLength(1);
    expect(call[0]?.query.get('pupil')).toBe('OAK\\amiller');
    expect(saved).toHaveLength(1);
    expect(saved[0]?.name).toBe('vigil-subject-access-OAK_amiller-2026-11-25.json');
    expect(JSON.parse(await saved[0]!.text)).toEqual({ pupil: 'OAK\\amiller', captures: [] });
  });

  it('says so when the export fails, and downloads nothing', async () => {
    exportApi(['dsl'], () => reply(403, { code: 'CONSOLE_ERR_FORBIDDEN', message: 'Not allowed at this school' }));
    const saved = catchDownloads();
    const user = userEvent.setup();
    renderApp('/captures/cap1');
    await user.click(await screen.findByRole('button', { name: 'Export everything held about this pupil' }));
    expect(await screen.findByText('The export failed: Not allowed at this school')).toBeInTheDocument();
    expect(saved).toHaveLength(0);
  });

  it('is offered on the pupil’s captures in the inbox, and not to a deputy DSL', async () => {
    exportApi(['dsl'], () => ({}));
    const first = renderApp('/inbox?user=amiller');
    expect(await screen.findByText(/Showing the captures of/)).toHaveTextContent('Showing the captures of amiller.');
    expect(screen.getByRole('button', { name: 'Export everything held about this pupil' })).toBeInTheDocument();
    first.unmount();

    exportApi(['deputy_dsl'], () => ({}));
    renderApp('/captures/cap1');
    await screen.findByRole('heading', { name: 'Export' });
    expect(screen.queryByRole('button', { name: 'Export everything held about this pupil' })).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByText('Incident report (PDF)')).toBeInTheDocument());
  });
});
