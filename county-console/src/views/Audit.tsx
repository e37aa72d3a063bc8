import { useEffect, useState } from 'react';
import { AUDIT_ACTIONS, AuditExportQuery, type AuditEntryView, type AuditVerifyAnswer } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { type TokenSource } from '../api';
import { TA, auditActionLabel, auditDetailsText } from '../audit-strings';
import { ListView } from '../components/ListView';
import { T } from '../strings';

interface Filters {
  actor?: { id: string; name: string };
  objectId?: string;
  action?: string;
}

/** Supervisors' audit view: newest first, filter by user, case and action, older pages on demand. */
export function Audit({ token, canExport = false }: { token: TokenSource; canExport?: boolean }) {
  const [filters, setFilters] = useState<Filters>({});
  const [rows, setRows] = useState<AuditEntryView[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [verify, setVerify] = useState<string>();

  const load = async (before?: string) => {
    const qs = new URLSearchParams({ limit: '50' });
    if (filters.actor) qs.set('actor', filters.actor.id);
    if (filters.objectId) qs.set('objectId', filters.objectId);
    if (filters.action) qs.set('action', filters.action);
    if (before) qs.set('before', before);
    try {
      const r = await apiRequest<{ items: AuditEntryView[]; nextBefore: string | null }>('GET', `/api/audit?${qs}`, { token: token() });
      setRows((old) => (before ? [...old, ...r.items] : r.items));
      setNext(r.nextBefore);
      setError(undefined);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => void load(), [filters]);

  const runVerify = async () => {
    const r = await apiRequest<AuditVerifyAnswer>('GET', '/api/audit/verify', {
      token: token(),
    });
    setVerify(r.ok ? T.auditIntact(r.rows) : T.auditBroken(r.firstBroken!.seq, r.firstBroken!.problem));
  };

  return (
    <section className="panel wide" data-testid="audit-view">
      <h2>{T.auditTitle}</h2>
      {canExport && <AuditExport token={token} />}
      <div className="filters">
        <label>
          {T.auditAction}
          <select value={filters.action ?? ''} onChange={(e) => setFilters({ ...filters, action: e.target.value || undefined })}>
            <option value="">{T.all}</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {TA.actions[a]}
              </option>
            ))}
          </select>
        </label>
        {filters.actor && <span className="chip">{filters.actor.name}</span>}
        {filters.objectId && <span className="chip">{filters.objectId.slice(0, 8)}…</span>}
        {(filters.actor || filters.objectId || filters.action) && <button onClick={() => setFilters({})}>{T.clearFilters}</button>}
        <span className="hint">{T.auditFilterHint}</span>
        <button onClick={() => void runVerify()}>{T.auditVerify}</button>
        {verify && <strong data-testid="audit-verify-result">{verify}</strong>}
      </div>
      <ListView
        rows={rows}
        error={error}
        empty={T.empty}
        columns={['#', T.auditTime, T.auditActor, T.auditAction, T.auditObject, T.auditDetails]}
        row={(r) => (
          <tr key={r.seq}>
            <td>{r.seq}</td>
            <td>{new Date(r.at).toLocaleString('zh-CN')}</td>
            <td>
              {r.actorId ? (
                <button className="link" onClick={() => setFilters({ ...filters, actor: { id: r.actorId!, name: r.actorName ?? r.actorId! } })}>
                  {r.actorName ?? T.roleNames[r.actorRole ?? ''] ?? r.actorId.slice(0, 8)}
                </button>
              ) : (
                '—'
              )}
            </td>
            <td data-action={r.action}>{auditActionLabel(r.action)}</td>
            <td>
              {r.objectId ? (
                <button className="link" onClick={() => setFilters({ ...filters, objectId: r.objectId! })}>
                  {TA.objects[r.objectType ?? ''] ?? T.auditObject} <span translate="no">{r.objectType === 'route' ? r.objectId : r.objectId.slice(0, 8)}</span>
                </button>
              ) : (
                '—'
              )}
            </td>
            <td className="details">{auditDetailsText(r.details)}</td>
          </tr>
        )}
      />
      {next && <button onClick={() => void load(next)}>{T.more}</button>}
    </section>
  );
}

/** China's calendar day of a moment, as YYYY-MM-DD. */
const chinaDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** The audit administrator's export: a range of days as signed JSON lines. */
function AuditExport({ token }: { token: TokenSource }) {
  const today = chinaDay(new Date());
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  const [status, setStatus] = useState<{ text: string; bad?: boolean }>();
  const run = async () => {
    // Checked here with the server's own schema, so a wrong range is explained in Chinese before anything is sent.
    const checked = AuditExportQuery.safeParse({ from, to });
    if (!checked.success) return setStatus({ text: T.auditExport.failed(checked.error.issues[0]?.message ?? T.auditExport.badRange), bad: true });
    setStatus({ text: T.auditExport.busy });
    try {
      const res = await fetch(`/api/audit/export?${new URLSearchParams({ from, to })}`, { headers: { authorization: `Bearer ${token() ?? ''}` } });
      if (!res.ok) {
        const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
        // Messages the server writes in Chinese (too many rows) are shown; its stable codes otherwise.
        const message = body?.error?.message ?? '';
        throw new Error(/[\u4e00-\u9fff]/.test(message) ? message : body?.error?.code === 'BAD_REQUEST' ? T.auditExport.badRange : T.serverDown);
      }
      const name = `audit-${from}-${to}.jsonl`;
      const href = URL.createObjectURL(await res.blob());
      Object.assign(document.createElement('a'), { href, download: name }).click();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
      setStatus({ text: T.auditExport.done(name) });
    } catch (err) {
      setStatus({ text: T.auditExport.failed(err instanceof Error ? err.message : String(err)), bad: true });
    }
  };
  return (
    <div className="filters" data-testid="audit-export">
      <strong>{T.auditExport.title}</strong>
      <label>
        {T.auditExport.from}
        <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} data-testid="audit-export-from" />
      </label>
      <label>
        {T.auditExport.to}
        <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} data-testid="audit-export-to" />
      </label>
      <button onClick={() => void run()} data-testid="audit-export-button">
        {T.auditExport.button}
      </button>
      {status && (
        <span className={status.bad ? 'error' : 'hint'} data-testid="audit-export-status">
          {status.text}
          {!status.bad && status.text !== T.auditExport.busy && <code translate="no">npm run audit:verify-export -- 文件名</code>}
        </span>
      )}
    </div>
  );
}
