import { useCallback, useEffect, useState } from 'react';
import type { RegistryImportView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { uploadWithProgress, type TokenSource } from '../api';
import { TC } from '../case-strings';
import { HeldChanges } from '../components/HeldChanges';
import { CalendarImport } from './CalendarImport';

const SHOWN_ERRORS = 200;
const POLL_MS = 500;

/** Imports from the county's integrity archive and discipline registry, with progress and a per-row error report. */
export function Registry({ token }: { token: TokenSource }) {
  // Moves when an officials import finishes: it may have held changes for a second person.
  const [imports, setImports] = useState(0);
  const imported = useCallback(() => setImports((n) => n + 1), []);
  return (
    <section className="panel" data-testid="registry">
      <h2>{TC.registryTitle}</h2>
      <p className="hint">{TC.registryHint}</p>
      <ImportCard kind="officials" label={TC.officialsFile} token={token} onDone={imported} />
      <HeldChanges token={token} reloadKey={imports} />
      <ImportCard kind="discipline" label={TC.disciplineFile} token={token} />
      <CalendarImport token={token} />
    </section>
  );
}

function ImportCard({ kind, label, token, onDone }: { kind: RegistryImportView['kind']; label: string; token: TokenSource; onDone?: () => void }) {
  const [upload, setUpload] = useState<number>();
  const [job, setJob] = useState<RegistryImportView>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (job?.status === 'done') onDone?.();
  }, [job?.status, onDone]);

  useEffect(() => {
    if (!job || job.status !== 'running') return;
    const t = setTimeout(() => {
      apiRequest<RegistryImportView>('GET', `/api/registry/imports/${job.id}`, { token: token() }).then(setJob, (err: unknown) => setError(String(err)));
    }, POLL_MS);
    return () => clearTimeout(t);
  }, [job, token]);

  const start = async (file: File) => {
    setError(undefined);
    setJob(undefined);
    setUpload(0);
    try {
      const view = await uploadWithProgress<RegistryImportView>(`/api/registry/imports?kind=${kind}`, token() ?? '', file, setUpload, 'POST');
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
          accept=".csv,text/csv"
          disabled={upload !== undefined || job?.status === 'running'}
          onChange={(e) => e.target.files?.[0] && void start(e.target.files[0])}
          data-testid={`import-file-${kind}`}
        />
      </label>
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
