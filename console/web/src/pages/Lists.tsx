import { useId, useMemo, useState, type FormEvent } from 'react';
import { ApiError, errorMessage, get, post, put } from '../api/client';
import type {
  ListEntry,
  ListsState,
  ListVersion,
  LocalPhrase,
  MatchMode,
  PolicyOverrides,
  PreviewMatch,
} from '../api/types';
import { exactTime, humanise } from '../app/format';
import { LIST_EDITORS, useSchool } from '../app/session';
import { useAsync } from '../app/use-async';
import { ErrorNotice, Highlighted, Loading, PageHeader, SeverityBadge, SeverityOptions } from '../components/bits';

const MATCH_LABELS: Record<MatchMode, string> = {
  word: 'Whole word',
  substring: 'Anywhere in a word',
  prefix: 'Start of a word',
};
const PAGE = 100;

/** A copy of the draft with only the fields PUT accepts. */
function draftOf(state: ListsState): PolicyOverrides {
  const d = state.draft;
  return {
    disabledCategories: [...(d.disabledCategories ?? [])],
    disabledEntries: [...(d.disabledEntries ?? [])],
    severity: { ...(d.severity ?? {}) },
    localPhrases: (d.localPhrases ?? []).map((p) => ({ ...p })),
    exclusions: [...(d.exclusions ?? [])],
  };
}

function toggle(list: string[], value: string, on: boolean): string[] {
  const rest = list.filter((v) => v !== value);
  return on ? [...rest, value] : rest;
}

function isLocal(entry: ListEntry, p: LocalPhrase): boolean {
  return p.phrase.toLowerCase() === entry.phrase.toLowerCase() && p.category === entry.category;
}

function TryIt({ base }: { base: string }) {
  const id = useId();
  const [text, setText] = useState('');
  const [useDraft, setUseDraft] = useState(true);
  const [result, setResult] = useState<{ text: string; matches: PreviewMatch[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const answer = await post<{ matches: PreviewMatch[] }>(`${base}/preview`, { text, draft: useDraft });
      setResult({ text, matches: answer.matches });
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Try it</h2>
      <form onSubmit={run}>
        <label htmlFor={`${id}-text`}>Paste some text to see what the lists would match</label>
        <textarea id={`${id}-text`} rows={4} maxLength={20000} value={text} onChange={(e) => setText(e.target.value)} />
        <div className="form-row">
          <label className="toggle">
            <input type="radio" name={`${id}-which`} checked={useDraft} onChange={() => setUseDraft(true)} /> Draft
          </label>
          <label className="toggle">
            <input type="radio" name={`${id}-which`} checked={!useDraft} onChange={() => setUseDraft(false)} />{' '}
            Published
          </label>
          <button type="submit" className="primary" disabled={!text.trim()}>
            Check text
          </button>
        </div>
      </form>
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {result ? (
        <div role="status">
          <p className="preview-text">
            <Highlighted text={result.text} ranges={result.matches} />
          </p>
          {result.matches.length === 0 ? (
            <p>Nothing matched.</p>
          ) : (
            <ul className="matches">
              {result.matches.map((m, i) => (
                <li key={i}>
                  <SeverityBadge severity={m.severity} /> <strong>{m.text}</strong> matched “{m.phrase}” (
                  {humanise(m.category)})
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </section>
  );
}

export function ListsPage() {
  const school = useSchool();
  const base = `/api/schools/${school.schoolId}/lists`;
  const state = useAsync(() => get<ListsState>(base), [base]);
  const versions = useAsync(() => get<{ items: ListVersion[] }>(`${base}/versions`).then((v) => v.items), [base]);
  const canEdit = school.can(LIST_EDITORS);
  const ids = useId();
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState('');
  const [shown, setShown] = useState(PAGE);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [adding, setAdding] = useState<LocalPhrase>({ phrase: '', category: '', severity: 3, match: 'word' });
  const [exclusion, setExclusion] = useState('');
  const [changelog, setChangelog] = useState('');

  const lists = state.data;
  const entries = useMemo(() => {
    if (!lists) return [];
    const q = search.trim().toLowerCase();
    return lists.entries.filter(
      (e) => (!category || e.category === category) && (!q || e.phrase.toLowerCase().includes(q)),
    );
  }, [lists, search, category]);

  async function saveDraft(update: (draft: PolicyOverrides) => void, done?: string) {
    if (!lists) return false;
    const draft = draftOf(lists);
    update(draft);
    setBusy(true);
    setMessage(null);
    try {
      const next = await put<ListsState>(`${base}/draft`, draft);
      state.setData(() => next);
      if (done) setMessage({ text: done });
      return true;
    } catch (err) {
      setMessage({ text: errorMessage(err), error: true });
      return false;
    } finally {
      setBusy(false);
    }
  }

  function setEntrySeverity(entry: ListEntry, severity: number) {
    void saveDraft((d) => {
      if (entry.source === 'local') {
        const p = d.localPhrases!.find((x) => isLocal(entry, x));
        if (p) p.severity = severity;
      } else if (entry.curatedSeverity === severity) {
        delete d.severity![entry.id];
      } else {
        d.severity![entry.id] = severity;
      }
    }, `“${entry.phrase}” is now severity ${severity} in the draft.`);
  }

  function setEntryMatch(entry: ListEntry, match: MatchMode) {
    void saveDraft((d) => {
      const p = d.localPhrases!.find((x) => isLocal(entry, x));
      if (p) p.match = match;
    }, `“${entry.phrase}” now matches: ${MATCH_LABELS[match].toLowerCase()}.`);
  }

  function setEntryEnabled(entry: ListEntry, enabled: boolean) {
    void saveDraft(
      (d) => {
        d.disabledEntries = toggle(d.disabledEntries!, entry.id, !enabled);
      },
      `“${entry.phrase}” ${enabled ? 'enabled' : 'disabled'} in the draft.`,
    );
  }

  function removeLocal(entry: ListEntry) {
    void saveDraft((d) => {
      d.localPhrases = d.localPhrases!.filter((x) => !isLocal(entry, x));
    }, `“${entry.phrase}” removed from the draft.`);
  }

  async function addPhrase(event: FormEvent) {
    event.preventDefault();
    const phrase = adding.phrase.trim();
    if (!phrase || !adding.category) return setMessage({ text: 'Give the phrase and its category.', error: true });
    const ok = await saveDraft((d) => {
      d.localPhrases!.push({ ...adding, phrase });
    }, `“${phrase}” added to the draft.`);
    if (ok) setAdding({ ...adding, phrase: '' });
  }

  async function addExclusion(event: FormEvent) {
    event.preventDefault();
    const phrase = exclusion.trim();
    if (!phrase) return;
    if (await saveDraft((d) => void d.exclusions!.push(phrase), `“${phrase}” will never be matched.`)) setExclusion('');
  }

  async function publish(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const answer = await post<{ version: number; policyVersion: string }>(`${base}/publish`, {
        changelog: changelog.trim(),
      });
      setChangelog('');
      setMessage({ text: `Published version ${answer.version}. Devices pick it up at their next check.` });
      state.reload();
      versions.reload();
    } catch (err) {
      setMessage({
        text:
          err instanceof ApiError && err.code === 'CONSOLE_ERR_NOTHING_TO_PUBLISH'
            ? 'The draft is the same as what is published: nothing to publish.'
            : errorMessage(err),
        error: true,
      });
    } finally {
      setBusy(false);
    }
  }

  if (state.error && !lists) {
    return (
      <div>
        <PageHeader title="Keyword lists" />
        <ErrorNotice error={state.error} />
      </div>
    );
  }
  if (!lists) return <Loading />;

  const categoryName = (id: string) => lists.categories.find((c) => c.id === id)?.name ?? humanise(id);
  return (
    <div className="lists">
      <PageHeader title="Keyword lists" />
      <section className="panel publish-panel" aria-labelledby={`${ids}-pub`}>
        <h2 id={`${ids}-pub`}>Published</h2>
        {lists.published ? (
          <p>
            Version <strong>{lists.published.version}</strong> (
            <span className="mono">{lists.published.policyVersion}</span>), published{' '}
            {exactTime(lists.published.publishedAt)}
            {lists.published.publishedBy ? ` by ${lists.published.publishedBy}` : ''}: “{lists.published.changelog}”
          </p>
        ) : (
          <p>The curated lists as shipped; nothing published by this school yet.</p>
        )}
        <p className={lists.draftChanged ? 'draft-changed' : 'muted'} role="status">
          {lists.draftChanged
            ? 'The draft has changes that are not published yet.'
            : 'The draft is the same as what is published.'}
        </p>
        {canEdit ? (
          <form onSubmit={publish} className="publish-form">
            <label htmlFor={`${ids}-log`}>What changed (the changelog)</label>
            <textarea
              id={`${ids}-log`}
              rows={2}
              maxLength={2000}
              value={changelog}
              onChange={(e) => setChangelog(e.target.value)}
            />
            <button type="submit" className="primary" disabled={busy || !changelog.trim() || !lists.draftChanged}>
              Publish to devices
            </button>
          </form>
        ) : null}
        {message ? (
          <p className={`notice${message.error ? ' notice-error' : ''}`} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        ) : null}
      </section>

      <div className="lists-grid">
        <section className="panel" aria-labelledby={`${ids}-cats`}>
          <h2 id={`${ids}-cats`}>Categories</h2>
          <ul className="category-list">
            {lists.categories.map((c) => (
              <li key={c.id} className={c.enabled ? '' : 'disabled'}>
                <button
                  type="button"
                  className="link-button"
                  aria-pressed={category === c.id}
                  onClick={() => setCategory(category === c.id ? '' : c.id)}
                  title={c.description}
                >
                  {c.name}
                </button>{' '}
                <span className="muted">{c.entryCount}</span>
                {canEdit ? (
                  <select
                    className="small"
                    aria-label={`Severity of every entry in ${c.name}`}
                    value={c.severity ?? ''}
                    disabled={busy}
                    onChange={(e) => {
                      const value = e.target.value;
                      void saveDraft(
                        (d) => {
                          if (value) d.severity![c.id] = Number(value);
                          else delete d.severity![c.id];
                        },
                        value
                          ? `${c.name}: every entry is severity ${value} in the draft (unless set per entry).`
                          : `${c.name}: curated severities in the draft.`,
                      );
                    }}
                  >
                    <option value="">As curated</option>
                    <SeverityOptions label={(s) => `All ${s}`} />
                  </select>
                ) : c.severity ? (
                  <span className="muted">all {c.severity}</span>
                ) : null}
                {canEdit ? (
                  <label className="toggle small">
                    <input
                      type="checkbox"
                      checked={c.enabled}
                      disabled={busy}
                      onChange={(e) =>
                        void saveDraft(
                          (d) => {
                            d.disabledCategories = toggle(d.disabledCategories!, c.id, !e.target.checked);
                          },
                          `${c.name} ${e.target.checked ? 'enabled' : 'disabled'} in the draft.`,
                        )
                      }
                    />{' '}
                    On<span className="visually-hidden"> ({c.name})</span>
                  </label>
                ) : null}
              </li>
            ))}
          </ul>
        </section>

        <section className="panel" aria-labelledby={`${ids}-entries`}>
          <h2 id={`${ids}-entries`}>Entries {category ? `in ${categoryName(category)}` : ''}</h2>
          <div className="form-row">
            <label htmlFor={`${ids}-search`}>Search phrases</label>
            <input
              id={`${ids}-search`}
              type="search"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setShown(PAGE);
              }}
            />
            <span className="muted">
              {entries.length} shown of {lists.entries.length}
            </span>
          </div>
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Phrase</th>
                <th scope="col">Category</th>
                <th scope="col">Severity</th>
                <th scope="col">Match</th>
                <th scope="col">False positives</th>
                <th scope="col">On</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {entries.slice(0, shown).map((e) => (
                <tr key={e.id} className={e.enabled ? '' : 'disabled'} data-entry-id={e.id}>
                  <th scope="row">
                    {e.phrase}
                    {e.language ? <span className="muted"> ({e.language})</span> : null}
                  </th>
                  <td>{categoryName(e.category)}</td>
                  <td>
                    {canEdit ? (
                      <select
                        aria-label={`Severity of ${e.phrase}`}
                        value={e.severity}
                        disabled={busy}
                        onChange={(ev) => setEntrySeverity(e, Number(ev.target.value))}
                      >
                        <SeverityOptions label={(s) => `${s}${e.curatedSeverity === s ? ' (curated)' : ''}`} />
                      </select>
                    ) : (
                      <SeverityBadge severity={e.severity} />
                    )}
                  </td>
                  <td>
                    {canEdit && e.source === 'local' ? (
                      <select
                        aria-label={`Match mode of ${e.phrase}`}
                        value={e.match}
                        disabled={busy}
                        onChange={(ev) => setEntryMatch(e, ev.target.value as MatchMode)}
                      >
                        {(Object.keys(MATCH_LABELS) as MatchMode[]).map((m) => (
                          <option key={m} value={m}>
                            {MATCH_LABELS[m]}
                          </option>
                        ))}
                      </select>
                    ) : (
                      MATCH_LABELS[e.match]
                    )}
                  </td>
                  <td className={e.falsePositives > 0 ? 'fp-nonzero' : ''}>{e.falsePositives}</td>
                  <td>
                    {canEdit ? (
                      <input
                        type="checkbox"
                        aria-label={`${e.phrase} enabled`}
                        checked={e.enabled}
                        disabled={busy}
                        onChange={(ev) => setEntryEnabled(e, ev.target.checked)}
                      />
                    ) : e.enabled ? (
                      'Yes'
                    ) : (
                      'No'
                    )}
                  </td>
                  <td>
                    {e.source === 'local' ? 'This school' : 'Curated'}
                    {canEdit && e.source === 'local' ? (
                      <button type="button" className="subtle" onClick={() => removeLocal(e)}>
                        Remove<span className="visually-hidden"> {e.phrase}</span>
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length > shown ? (
            <button type="button" onClick={() => setShown(shown + PAGE)}>
              Show more entries
            </button>
          ) : null}

          {canEdit ? (
            <form className="add-form" onSubmit={addPhrase} aria-labelledby={`${ids}-add`}>
              <h3 id={`${ids}-add`}>Add a phrase for this school</h3>
              <div className="form-row">
                <label>
                  Phrase
                  <input
                    value={adding.phrase}
                    maxLength={500}
                    onChange={(e) => setAdding({ ...adding, phrase: e.target.value })}
                  />
                </label>
                <label>
                  Category
                  <select value={adding.category} onChange={(e) => setAdding({ ...adding, category: e.target.value })}>
                    <option value="">Choose…</option>
                    {lists.categories.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Severity
                  <select
                    value={adding.severity}
                    onChange={(e) => setAdding({ ...adding, severity: Number(e.target.value) })}
                  >
                    <SeverityOptions />
                  </select>
                </label>
                <label>
                  Match
                  <select
                    value={adding.match}
                    onChange={(e) => setAdding({ ...adding, match: e.target.value as MatchMode })}
                  >
                    {(Object.keys(MATCH_LABELS) as MatchMode[]).map((m) => (
                      <option key={m} value={m}>
                        {MATCH_LABELS[m]}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="submit" disabled={busy}>
                  Add to draft
                </button>
              </div>
            </form>
          ) : null}
        </section>
      </div>

      <div className="lists-grid">
        <section className="panel" aria-labelledby={`${ids}-excl`}>
          <h2 id={`${ids}-excl`}>Exclusions</h2>
          <p className="muted">Text that is never matched, such as place names (“Scunthorpe”).</p>
          <ul className="exclusions">
            {lists.exclusions
              .filter((x) => x.source === 'local')
              .map((x) => (
                <li key={`local:${x.phrase}`}>
                  {x.phrase} <span className="muted">(this school)</span>
                  {canEdit ? (
                    <button
                      type="button"
                      className="subtle"
                      onClick={() =>
                        void saveDraft(
                          (d) => void (d.exclusions = d.exclusions!.filter((p) => p !== x.phrase)),
                          `“${x.phrase}” removed from the exclusions.`,
                        )
                      }
                    >
                      Remove<span className="visually-hidden"> {x.phrase}</span>
                    </button>
                  ) : null}
                </li>
              ))}
          </ul>
          <details>
            <summary>Curated exclusions ({lists.exclusions.filter((x) => x.source === 'curated').length})</summary>
            <ul className="exclusions curated">
              {lists.exclusions
                .filter((x) => x.source === 'curated')
                .map((x) => (
                  <li key={`curated:${x.phrase}`}>{x.phrase}</li>
                ))}
            </ul>
          </details>
          {canEdit ? (
            <form onSubmit={addExclusion} className="form-row">
              <label htmlFor={`${ids}-newx`}>New exclusion</label>
              <input
                id={`${ids}-newx`}
                value={exclusion}
                maxLength={500}
                onChange={(e) => setExclusion(e.target.value)}
              />
              <button type="submit" disabled={busy || !exclusion.trim()}>
                Add exclusion
              </button>
            </form>
          ) : null}
        </section>
        <TryIt base={base} />
      </div>

      <section className="panel" aria-labelledby={`${ids}-ver`}>
        <h2 id={`${ids}-ver`}>Published versions</h2>
        {versions.data && versions.data.length > 0 ? (
          <ol className="versions">
            {versions.data.map((v) => (
              <li key={v.version}>
                <strong>Version {v.version}</strong> · {exactTime(v.publishedAt)}{' '}
                {v.publishedBy ? `· ${v.publishedBy}` : ''} — {v.changelog}
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted">No versions published yet.</p>
        )}
      </section>
    </div>
  );
}
