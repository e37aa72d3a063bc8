import { useEffect, useState } from 'react';
import { MATTER_CLASSES, type CasePolicyView, type DeadlinePolicyRow, type DeadlinePolicyRowView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useApi, type TokenSource } from '../api';
import { TC } from '../case-strings';
import { T } from '../strings';
import { CalendarImport } from './CalendarImport';

/** The policy page's answer, as the server's schema says it. */
type PolicyData = CasePolicyView;

/** One line per calendar exception: "2026-10-01 休 国庆" or "2026-10-10 班 调休". */
const formatExceptions = (e: PolicyData['exceptions']) => e.map((x) => `${x.day} ${x.working ? '班' : '休'} ${x.note}`.trim()).join('\n');
function parseExceptions(text: string): PolicyData['exceptions'] | string {
  const out: PolicyData['exceptions'] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const m = /^(\d{4}-\d{2}-\d{2})\s+(休|班)\s*(.*)$/.exec(line.trim());
    if (!m) return TC.policyBadLine(i + 1);
    out.push({ day: m[1]!, working: m[2] === '班', note: m[3]!.slice(0, 40) });
  }
  return out;
}

/** The deadline policy table and the holiday calendar; a supervisor's change is audited and applies at once. */
export function Policy({ token }: { token: TokenSource }) {
  const loaded = useApi<PolicyData>(token, '/api/case-policy');
  const [rows, setRows] = useState<DeadlinePolicyRowView[]>([]);
  const [exceptions, setExceptions] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  useEffect(() => {
    if (!loaded.data) return;
    setRows(loaded.data.rows);
    setExceptions(formatExceptions(loaded.data.exceptions));
  }, [loaded.data]);

  const save = async () => {
    const parsed = parseExceptions(exceptions);
    if (typeof parsed === 'string') return setMessage({ ok: false, text: parsed });
    try {
      // Only the numbers go back: the source and the default are the table's, not the page's to change.
      const body = rows.map(({ matterClass, kind, days, counting, dueSoonDays, maxCount }): DeadlinePolicyRow => ({
        matterClass,
        kind,
        days,
        counting,
        dueSoonDays,
        maxCount,
      }));
      await apiRequest('PUT', '/api/case-policy', { token: token(), body: { rows: body, exceptions: parsed } });
      setMessage({ ok: true, text: TC.policySaved });
      loaded.reload();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  };
  const set = (i: number, patch: Partial<DeadlinePolicyRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const indexed = rows.map((r, i) => ({ r, i }));

  if (!loaded.data)
    return (
      <section className="panel wide">{loaded.error ? <p className="error">{T.loadFailed(loaded.error)}</p> : <p className="hint">{T.loading}</p>}</section>
    );
  return (
    <section className="panel wide" data-testid="policy">
      <h2>{TC.policyTitle}</h2>
      <p className="hint">{TC.policyHint}</p>
      {MATTER_CLASSES.map((c) => (
        <table className="table compact" key={c} data-testid={`policy-${c}`}>
          <caption>{TC.matterClasses[c]}</caption>
          <thead>
            <tr>
              <th />
              <th>{TC.policyDays}</th>
              <th>{TC.policyCounting}</th>
              <th>{TC.policyDueSoon}</th>
              <th>{TC.policyMaxCount}</th>
              <th>{TC.policySource}</th>
            </tr>
          </thead>
          <tbody>
            {indexed
              .filter(({ r }) => r.matterClass === c)
              .map(({ r, i }) => (
                <tr key={`${r.matterClass}.${r.kind}`} data-testid={`policy-row-${r.matterClass}-${r.kind}`}>
                  <td>{TC.policyKinds[r.kind]}</td>
                  <td>
                    <input type="number" min={1} max={365} value={r.days} onChange={(e) => set(i, { days: Number(e.target.value) })} />
                  </td>
                  <td>
                    <select value={r.counting} onChange={(e) => set(i, { counting: e.target.value as DeadlinePolicyRow['counting'] })}>
                      <option value="calendar">{TC.countings.calendar}</option>
                      <option value="working">{TC.countings.working}</option>
                    </select>
                  </td>
                  <td>
                    <input type="number" min={0} max={60} value={r.dueSoonDays} onChange={(e) => set(i, { dueSoonDays: Number(e.target.value) })} />
                  </td>
                  <td>
                    {r.kind === 'extension' ? (
                      <input type="number" min={0} max={5} value={r.maxCount} onChange={(e) => set(i, { maxCount: Number(e.target.value) })} />
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="hint" data-testid="policy-source">
                    {r.source}
                    <br />
                    {TC.policyDefault(r.defaultDays, TC.countings[r.defaultCounting])}
                    {(r.days !== r.defaultDays || r.counting !== r.defaultCounting) && <strong> · {TC.policyChanged}</strong>}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      ))}
      <label className="stacked">
        {TC.policyCalendar}
        <textarea rows={8} value={exceptions} onChange={(e) => setExceptions(e.target.value)} placeholder={'2026-10-01 休 国庆节\n2026-10-10 班 调休'} />
      </label>
      {message && <p className={message.ok ? 'hint' : 'error'}>{message.text}</p>}
      <div className="actions">
        <button className="primary" onClick={() => void save()}>
          {TC.policySave}
        </button>
      </div>
      <CalendarImport token={token} onApplied={loaded.reload} />
    </section>
  );
}
