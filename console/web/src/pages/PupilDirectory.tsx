import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { errorMessage, get, putText } from '../api/client';
import type { PupilDirectory } from '../api/types';
import { useAsync } from '../app/use-async';
import { forgetPupilDirectory } from '../app/pupils';
import { ErrorNotice, Loading } from '../components/bits';

/** At most this many rows are drawn at once; searching narrows the rest. */
const SHOWN = 200;

/**
 * The school's pupil directory (login → name, year group), which summaries and alerts use to say
 * "J.S., Year 9". A CSV upload replaces it whole; a bad row is refused by the console with its line
 * number, and the directory stays as it was.
 */
export function PupilDirectorySection({ schoolId }: { schoolId: string }) {
  const ids = useId();
  const state = useAsync(() => get<PupilDirectory>(`/api/schools/${schoolId}/pupils`), [schoolId]);
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ text: string; error?: boolean; file?: string } | null>(null);
  const [search, setSearch] = useState('');

  const before = state.data?.count ?? 0;
  async function upload(event: FormEvent) {
    event.preventDefault();
    if (!file) return setResult({ text: 'Choose a CSV file first.', error: true });
    setBusy(true);
    setResult(null);
    try {
      const text = await file.text();
      const saved = await putText<PupilDirectory>(`/api/schools/${schoolId}/pupils`, text, 'text/csv');
      state.setData(() => saved);
      forgetPupilDirectory(schoolId);
      setResult({
        text: `Loaded ${saved.count} ${saved.count === 1 ? 'pupil' : 'pupils'} from ${file.name} (the directory had ${before}).`,
      });
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
    } catch (err) {
      // The console says "The pupil directory was not changed: line 3: …"; the box above says that part.
      const reason = errorMessage(err).replace(/^The pupil directory was not changed:\s*/, '');
      setResult({ text: reason.charAt(0).toUpperCase() + reason.slice(1), error: true, file: file.name });
    } finally {
      setBusy(false);
    }
  }

  const pupils = state.data?.pupils;
  const matches = useMemo(() => {
    const q = search.trim().toLowerCase();
    if (!pupils) return [];
    if (!q) return pupils;
    return pupils.filter((p) => [p.login, p.name, p.yearGroup ?? ''].some((field) => field.toLowerCase().includes(q)));
  }, [pupils, search]);

  return (
    <section className="panel pupil-directory" aria-labelledby={`${ids}-t`}>
      <h2 id={`${ids}-t`}>Pupil directory</h2>
      <p className="muted">
        Lets summaries and alerts show a pupil as initials and year group (“J.S., Year 9”) instead of guessing from the
        computer login. Upload a CSV file with a header row naming <code>login</code>, <code>name</code> and, if you
        have it, <code>year group</code>, in any order. <code>login</code> is the pupil’s computer login (
        <code>jsmith</code>, <code>OAK\jsmith</code> and <code>jsmith@oak.sch.uk</code> all match). An upload replaces
        the whole directory; if any row is wrong, nothing changes.
      </p>
      <form className="pupil-upload" onSubmit={(e) => void upload(e)}>
        <label htmlFor={`${ids}-file`}>CSV file of pupils</label>
        <input
          id={`${ids}-file`}
          ref={fileInput}
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setResult(null);
          }}
        />
        <button type="submit" className="primary" disabled={busy || !file}>
          {before > 0 ? 'Replace the directory' : 'Upload the directory'}
        </button>
      </form>
      <div role="status" aria-live="polite">
        {result && !result.error ? <p className="notice notice-ok">{result.text}</p> : null}
      </div>
      {result?.error ? (
        <div className="notice notice-error upload-error" role="alert">
          <p>
            <strong>{result.file ? `${result.file} was not loaded` : 'The file was not loaded'}:</strong> the directory
            is unchanged.
          </p>
          <p>{result.text}</p>
        </div>
      ) : null}

      <ErrorNotice error={state.error} />
      {state.loading && !state.data ? <Loading /> : null}
      {state.data ? (
        <>
          <p className="pupil-count">
            {state.data.count === 0
              ? 'No pupils in the directory yet.'
              : `${state.data.count} ${state.data.count === 1 ? 'pupil' : 'pupils'} in the directory.`}
          </p>
          {state.data.count > 0 ? (
            <>
              <label className="search">
                Search pupils{' '}
                <input
                  type="search"
                  value={search}
                  onChange={(e) => setSearch(e.target.value)}
                  placeholder="login, name or year"
                />
              </label>
              <p className="muted small" aria-live="polite">
                {search.trim() ? `${matches.length} ${matches.length === 1 ? 'match' : 'matches'}` : ''}
                {matches.length > SHOWN ? `${search.trim() ? ';' : ''} showing the first ${SHOWN}` : ''}
              </p>
              <table className="table compact pupils">
                <caption className="visually-hidden">Pupils in the directory</caption>
                <thead>
                  <tr>
                    <th scope="col">Login</th>
                    <th scope="col">Name</th>
                    <th scope="col">Year group</th>
                  </tr>
                </thead>
                <tbody>
                  {matches.slice(0, SHOWN).map((p) => (
                    <tr key={p.login}>
                      <td className="mono">{p.login}</td>
                      <td>{p.name}</td>
                      <td>{p.yearGroup ?? '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
