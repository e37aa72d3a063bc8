import { useState } from 'react';
import type { TownshipCaseView } from '@vj/shared';
import { useApi, type TokenSource } from '../api';
import { T } from '../strings';

/** The township commission's list: referred cases only, and never who reported them. */
export function TownshipCases({ token }: { token: TokenSource }) {
  const list = useApi<{ items: TownshipCaseView[] }>(token, '/api/township/cases');
  const [open, setOpen] = useState<string>();
  const item = list.data?.items.find((c) => c.id === open);
  return (
    <div className="split">
      <section className="panel" data-testid="township-cases">
        <h2>{T.townshipTitle}</h2>
        {list.loading && <p className="hint">{T.loading}</p>}
        {list.error && <p className="error">{T.loadFailed(list.error)}</p>}
        {list.data?.items.length === 0 && <p className="empty">{T.townshipEmpty}</p>}
        <table className="table">
          <tbody>
            {list.data?.items.map((c) => (
              <tr key={c.id} onClick={() => setOpen(c.id)} className={open === c.id ? 'selected' : undefined}>
                <td>{c.category}</td>
                <td>{T.status[c.status]}</td>
                <td>{c.accused.map((a) => a.name).join('、')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {item && (
        <section className="panel detail">
          <h2>{item.category}</h2>
          <p className="narrative">{item.narrative}</p>
          <dl>
            <dt>{T.accusedTitle}</dt>
            <dd>{item.accused.map((a) => [a.name, a.unit, a.position].filter(Boolean).join(' · ')).join(';')}</dd>
          </dl>
        </section>
      )}
    </div>
  );
}
