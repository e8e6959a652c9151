import '../test/fake-socket';
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeApi, me, reply, SCHOOL } from '../test/fake-api';
import { renderApp } from '../test/render';
import type { ListsState, PolicyOverrides } from '../api/types';

const BASE = `/api/schools/${SCHOOL}/lists`;

function listsApi(roles: Parameters<typeof me>[0] = ['dsl']) {
  let draft: PolicyOverrides = {};
  let published: ListsState['published'] = null;
  const state = (): ListsState => {
    const local = (draft.localPhrases ?? []).map((p) => ({
      id: `local:${p.phrase}`,
      phrase: p.phrase,
      category: p.category,
      severity: p.severity,
      curatedSeverity: null,
      match: p.match ?? 'word',
      language: null,
      enabled: true,
      source: 'local' as const,
      falsePositives: 0,
    }));
    return {
      published,
      draft,
      draftChanged: JSON.stringify(draft) !== '{}' && !published,
      categories: [
        {
          id: 'bullying',
          name: 'Bullying and abuse',
          description: '',
          enabled: !(draft.disabledCategories ?? []).includes('bullying'),
          severity: null,
          entryCount: 2,
        },
        { id: 'drugs', name: 'Drugs and alcohol', description: '', enabled: true, severity: null, entryCount: 1 },
      ],
      entries: [
        {
          id: 'bullying.kys',
          phrase: 'kys',
          category: 'bullying',
          severity: draft.severity?.['bullying.kys'] ?? 4,
          curatedSeverity: 4,
          match: 'word',
          language: 'en-GB',
          enabled: !(draft.disabledEntries ?? []).includes('bullying.kys'),
          source: 'curated',
          falsePositives: 3,
        },
        {
          id: 'bullying.loser',
          phrase: 'loser',
          category: 'bullying',
          severity: 2,
          curatedSeverity: 2,
          match: 'word',
          language: null,
          enabled: true,
          source: 'curated',
          falsePositives: 0,
        },
        {
          id: 'drugs.weed',
          phrase: 'weed',
          category: 'drugs',
          severity: 2,
          curatedSeverity: 2,
          match: 'word',
          language: null,
          enabled: true,
          source: 'curated',
          falsePositives: 0,
        },
        ...local,
      ],
      exclusions: [
        { phrase: 'scunthorpe', source: 'curated' },
        ...(draft.exclusions ?? []).map((phrase) => ({ phrase, source: 'local' as const })),
      ],
    };
  };
  const api = fakeApi({
    'GET /api/auth/me': () => me(roles),
    [`GET ${BASE}`]: () => state(),
    [`GET ${BASE}/versions`]: () => ({ items: published ? [{ ...published }] : [] }),
    [`PUT ${BASE}/draft`]: (c) => {
      const body = c.body as PolicyOverrides;
      if (body.localPhrases?.some((p) => p.category === ''))
        return reply(400, { code: 'CONSOLE_ERR_VALIDATION', message: 'Unknown category' });
      draft = JSON.parse(JSON.stringify(body)) as PolicyOverrides;
      for (const key of Object.keys(draft) as (keyof PolicyOverrides)[]) {
        const v = draft[key];
        if (Array.isArray(v) ? v.length === 0 : v && typeof v === 'object' && Object.keys(v).length === 0)
          delete draft[key];
      }
      return state();
    },
    [`POST ${BASE}/preview`]: (c) => {
      const text = (c.body as { text: string }).text;
      const start = text.indexOf('kys');
      return {
        matches:
          start < 0
            ? []
            : [
                {
                  id: 'bullying.kys',
                  phrase: 'kys',
                  category: 'bullying',
                  severity: 4,
                  start,
                  end: start + 3,
                  text: 'kys',
                },
              ],
      };
    },
    [`POST ${BASE}/publish`]: (c) => {
      if (!state().draftChanged)
        return reply(409, { code: 'CONSOLE_ERR_NOTHING_TO_PUBLISH', message: 'Nothing to publish' });
      published = {
        version: 1,
        policyVersion: 'p1',
        etag: '"e1"',
        publishedAt: new Date().toISOString(),
        publishedBy: 'dsl@oak.sch.uk',
        changelog: (c.body as { changelog: string }).changelog,
      };
      return { version: 1, policyVersion: 'p1', etag: '"e1"', publishedAt: published.publishedAt };
    },
  });
  return { api, draft: () => draft };
}

describe('the keyword lists page', () => {
  it('browses and searches entries with their false-positive counts', async () => {
    listsApi();
    const user = userEvent.setup();
    renderApp('/lists');
    const kys = await screen.findByRole('rowheader', { name: /kys/ });
    expect(kys.closest('tr')!.querySelector('.fp-nonzero')).toHaveTextContent('3');
    await user.type(screen.getByLabelText('Search phrases'), 'wee');
    expect(screen.queryByRole('rowheader', { name: /kys/ })).not.toBeInTheDocument();
    expect(screen.getByRole('rowheader', { name: 'weed' })).toBeInTheDocument();
    await user.clear(screen.getByLabelText('Search phrases'));
    await user.click(screen.getByRole('button', { name: 'Drugs and alcohol' }));
    expect(screen.getAllByRole('rowheader').map((r) => r.textContent)).toEqual(['weed']);
  });

  it('changes a severity, disables an entry and adds a phrase and an exclusion to the draft', async () => {
    const { api, draft } = listsApi();
    const user = userEvent.setup();
    renderApp('/lists');
    await user.selectOptions(await screen.findByLabelText('Severity of kys'), '5');
    await screen.findByText('“kys” is now severity 5 in the draft.');
    expect(draft().severity).toEqual({ 'bullying.kys': 5 });
    await user.click(screen.getByRole('checkbox', { name: 'loser enabled' }));
    await screen.findByText('“loser” disabled in the draft.');
    expect(draft().disabledEntries).toEqual(['bullying.loser']);

    const add = screen.getByRole('form', { name: 'Add a phrase for this school' });
    await user.type(within(add).getByLabelText('Phrase'), 'the estate boys');
    await user.selectOptions(within(add).getByLabelText('Category'), 'bullying');
    await user.selectOptions(within(add).getByLabelText('Severity'), '4');
    await user.click(within(add).getByRole('button', { name: 'Add to draft' }));
    await screen.findByText('“the estate boys” added to the draft.');
    expect(draft().localPhrases).toEqual([
      { phrase: 'the estate boys', category: 'bullying', severity: 4, match: 'word' },
    ]);
    expect(screen.getByRole('rowheader', { name: 'the estate boys' })).toBeInTheDocument();

    await user.type(screen.getByLabelText('New exclusion'), 'Scunthorpe United');
    await user.click(screen.getByRole('button', { name: 'Add exclusion' }));
    await screen.findByText('“Scunthorpe United” will never be matched.');
    expect(draft().exclusions).toEqual(['Scunthorpe United']);
    expect(api.called('PUT', `${BASE}/draft`).every((c) => c.headers['x-vigil-csrf'] === 'csrf-123')).toBe(true);
  });

  it('sets a whole category’s severity and switches a category off in the draft', async () => {
    const { draft } = listsApi();
    const user = userEvent.setup();
    renderApp('/lists');
    await user.selectOptions(await screen.findByLabelText('Severity of every entry in Drugs and alcohol'), '3');
    await screen.findByText(/Drugs and alcohol: every entry is severity 3 in the draft/);
    expect(draft().severity).toEqual({ drugs: 3 });
    await user.click(screen.getByRole('checkbox', { name: /Bullying and abuse/ }));
    await screen.findByText('Bullying and abuse disabled in the draft.');
    expect(draft().disabledCategories).toEqual(['bullying']);
  });

  it('asks for the category before saving a phrase, and sends nothing', async () => {
    const { api } = listsApi();
    const user = userEvent.setup();
    renderApp('/lists');
    const add = await screen.findByRole('form', { name: 'Add a phrase for this school' });
    await user.type(within(add).getByLabelText('Phrase'), 'something');
    await user.click(within(add).getByRole('button', { name: 'Add to draft' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Give the phrase and its category.');
    expect(api.called('PUT', `${BASE}/draft`)).toHaveLength(0);
  });

  it('tries text against the lists and highlights what would match', async () => {
    const { api } = listsApi();
    const user = userEvent.setup();
    renderApp('/lists');
    await user.type(await screen.findByLabelText('Paste some text to see what the lists would match'), 'just kys lol');
    await user.click(screen.getByRole('button', { name: 'Check text' }));
    expect(await screen.findByText('kys', { selector: '.preview-text mark' })).toBeInTheDocument();
    expect(api.called('POST', `${BASE}/preview`)[0]?.body).toEqual({ text: 'just kys lol', draft: true });
  });

  it('publishes with a changelog and lists the version', async () => {
    const { api } = listsApi();
    const user = userEvent.setup();
    renderApp('/lists');
    expect(await screen.findByRole('button', { name: 'Publish to devices' })).toBeDisabled();
    await user.selectOptions(screen.getByLabelText('Severity of kys'), '5');
    await screen.findByText('The draft has changes that are not published yet.');
    await user.type(screen.getByLabelText('What changed (the changelog)'), 'kys to 5');
    await user.click(screen.getByRole('button', { name: 'Publish to devices' }));
    await screen.findByText(/Published version 1\./);
    expect(api.called('POST', `${BASE}/publish`)[0]?.body).toEqual({ changelog: 'kys to 5' });
    await waitFor(() =>
      expect(screen.getByRole('region', { name: 'Published versions' })).toHaveTextContent('kys to 5'),
    );
  });

  it('is read-only for a head', async () => {
    listsApi(['head']);
    renderApp('/lists');
    await screen.findByRole('rowheader', { name: /kys/ });
    expect(screen.queryByLabelText('Severity of kys')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Publish to devices' })).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Add a phrase for this school' })).not.toBeInTheDocument();
  });
});
