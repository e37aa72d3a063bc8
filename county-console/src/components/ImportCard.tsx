import { useEffect, useState } from 'react';
import type { RegistryImportView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { uploadWithProgress, type TokenSource } from '../api';
import { TC } from '../case-strings';

const SHOWN_ERRORS = 200;
const POLL_MS = 500;

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

  useEffect(() => {
    if (job?.status === 'done') onDone?.();
  }, [job?.status, onDone]);

  useEffect(() => {
    if (!job || job.status !== 'running') return;
    const t = setTimeout(() => {
      apiRequest<RegistryImportView>('GET', `${url}/${job.id}`, { token: token() }).then(setJob, (err: unknown) => setError(String(err)));
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
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setUpload(undefined);
    }
  };

  return (
    <div className="import-card" data-testid={`import-${kind}`}>
      <label>
        {label}
        <input
          type="file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          disabled={upload !== undefined || job?.status === 'running'}
          onChange={(e) => e.target.files?.[0] && void start(e.target.files[0])}
          data-testid={`import-file-${kind}`}
        />
      </label>
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
