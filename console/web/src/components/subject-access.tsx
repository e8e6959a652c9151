import { useState } from 'react';
import { download, errorMessage, withQuery } from '../api/client';

/**
 * "Export everything held about this pupil": the console's subject access export (every capture
 * with its history, notes and screenshots, and the devices they used) saved as a JSON file. The
 * console audits it; nothing is kept in the browser.
 */
export function SubjectAccessButton({ schoolId, pupil }: { schoolId: string; pupil: string }) {
  const [state, setState] = useState<{ busy: boolean; message: string | null; error: boolean }>({
    busy: false,
    message: null,
    error: false,
  });
  async function run() {
    setState({ busy: true, message: 'Gathering everything held about this pupil…', error: false });
    try {
      const name = await download(
        withQuery(`/api/schools/${encodeURIComponent(schoolId)}/subject-access`, { pupil }),
        'vigil-subject-access.json',
      );
      setState({
        busy: false,
        message: `Downloaded ${name}. It holds screenshots and typed text: keep it safe.`,
        error: false,
      });
    } catch (err) {
      setState({ busy: false, message: `The export failed: ${errorMessage(err)}`, error: true });
    }
  }
  return (
    <div className="subject-access">
      <button type="button" disabled={state.busy} onClick={() => void run()}>
        Export everything held about this pupil
      </button>
      <p className="muted small">
        For a subject access request: every capture of {pupil} with its notes and screenshots, and the devices used, as
        one JSON file.
      </p>
      <div role="status" aria-live="polite">
        {state.message ? <p className={`notice${state.error ? ' notice-error' : ''}`}>{state.message}</p> : null}
      </div>
    </div>
  );
}
