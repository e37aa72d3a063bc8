import { useEffect, useState } from 'react';
import { AUDIT_ACTIONS, type AuditEntryView } from '@vj/shared';
import { apiRequest } from '@vj/shared/client';
import { type TokenSource } from '../api';
import { TA, auditActionLabel, auditDetailsText } from '../audit-strings';
import { T } from '../strings';

interface Filters {
  actor?: { id: string; name: string };
  objectId?: string;
  action?: string;
}

/** Supervisors' audit view: newest first, filter by user, case and action, older pages on demand. */
export function Audit({ token }: { token: TokenSource }) {
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
    const r = await apiRequest<{ ok: boolean; rows: number; firstBroken: { seq: string; problem: string } | null }>('GET', '/api/audit/verify', { token: token() });
    setVerify(r.ok ? T.auditIntact(r.rows) : T.auditBroken(r.firstBroken!.seq, r.firstBroken!.problem));
  };

  return (
    <section className="panel wide" data-testid="audit-view">
      <h2>{T.auditTitle}</h2>
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
      {error && <p className="error">{T.loadFailed(error)}</p>}
      {rows.length === 0 && !error && <p className="empty">{T.empty}</p>}
      {rows.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>#</th>
              <th>{T.auditTime}</th>
              <th>{T.auditActor}</th>
              <th>{T.auditAction}</th>
              <th>{T.auditObject}</th>
              <th>{T.auditDetails}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
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
                      {TA.objects[r.objectType ?? ''] ?? T.auditObject} <span translate="no">{r.objectId.slice(0, 8)}</span>
                    </button>
                  ) : (
                    '—'
                  )}
                </td>
                <td className="details">{auditDetailsText(r.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && <button onClick={() => void load(next)}>{T.more}</button>}
    </section>
  );
}
