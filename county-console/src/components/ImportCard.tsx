import { useEffect, useState } from 'react';
import type { RegistryImportView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { uploadWithProgress, userMessage, type TokenSource } from '../api';
import { TC } from '../case-strings';
import { FilePick } from './FilePick';

const SHOWN_ERRORS = 200;
const POLL_MS = 500;
const RETRY_MS = 2000;

/**
 * A file import with an upload bar, then the server's progress and its per-row error report (CSV or .xlsx). `url`
 * takes the upload (the registry's with ?kind=, the archive's monthly one without) and answers progress at url/:id.
 */
export function ImportCard({
  kind,
  url,
  label,
  hint,
  token,
  onDone,
}: {
  kind: RegistryImportView['kind'];
  url: string;
  label: string;
  hint?: string;
  token: TokenSource;
  onDone?: () => void;
}) {
  const [upload, setUpload] = useState<number>();
  const [job, setJob] = useState<RegistryImportView>();
  const [error, setError] = useState<string>();
  const [chosen, setChosen] = useState(0);

  useEffect(() => {
    if (job?.status === 'done') onDone?.();
  }, [job?.status, onDone]);

  useEffect(() => {
    if (!job || job.status !== 'running') return;
    const t = setTimeout(() => {
      apiRequest<RegistryImportView>('GET', `${url}/${job.id}`, { token: token() }).then(
        (v) => {
          setError(undefined);
          setJob(v);
        },
        // The import goes on on the server: say so, and look again (a new object, so the effect runs once more).
        (err: unknown) => {
          setError(userMessage(err));
          setTimeout(() => setJob((j) => (j ? { ...j } : j)), RETRY_MS);
        },
      );
    }, POLL_MS);
    return () => clearTimeout(t);
  }, [job, token, url]);

  const start = async (file: File) => {
    setError(undefined);
    setJob(undefined);
    setUpload(0);
    try {
      const view = await uploadWithProgress<RegistryImportView>(
        kind === 'archive_months' ? url : `${url}?kind=${kind}`,
        token() ?? '',
        file,
        setUpload,
        'POST',
      );
      setJob(view);
    } catch (err) {
      setError(userMessage(err));
    } finally {
      setUpload(undefined);
    }
  };

  return (
    <div className="import-card" data-testid={`import-${kind}`}>
      <FilePick
        label={label}
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        count={chosen}
        single
        disabled={upload !== undefined || job?.status === 'running'}
        onFiles={(files) => {
          if (!files[0]) return;
          setChosen(1);
          void start(files[0]);
        }}
        testId={`import-file-${kind}`}
      />
      {hint && <p className="hint">{hint}</p>}
      {upload !== undefined && (
        <p>
          <progress value={upload} max={1} /> {TC.uploadingFile(Math.round(upload * 100))}
        </p>
      )}
      {job && (
        <div role="status">
          <progress value={job.processedRows} max={Math.max(1, job.totalRows)} data-testid={`import-progress-${kind}`} />{' '}
          {job.status === 'running'
            ? TC.importing(job.processedRows, job.totalRows)
            : job.status === 'done'
              ? TC.importDone(job.importedRows, job.errorCount)
              : TC.importFailed}
        </div>
      )}
      {error && <p className="error">{error}</p>}
      {job && job.errors.length > 0 && (
        <table className="table compact" data-testid={`import-errors-${kind}`}>
          <thead>
            <tr>
              <th>{TC.errorLine}</th>
              <th>{TC.errorWhat}</th>
            </tr>
          </thead>
          <tbody>
            {job.errors.slice(0, SHOWN_ERRORS).map((e, i) => (
              <tr key={i}>
                <td>{e.line || '—'}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {job && job.errorCount > Math.min(job.errors.length, SHOWN_ERRORS) && (
        <p className="hint">{TC.moreErrors(job.errorCount - Math.min(job.errors.length, SHOWN_ERRORS))}</p>
      )}
    </div>
  );
}
