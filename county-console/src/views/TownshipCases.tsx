import { useState } from 'react';
import type { Role, TownshipCaseDetail, TownshipCaseView } from '@vj/shared';
import { useApi, type TokenSource } from '../api';
import { TC } from '../case-strings';
import { chinaDay } from '../format';
import { DueBadge, WorkflowPanel } from '../components/WorkflowPanel';
import { ListView } from '../components/ListView';
import { T } from '../strings';
import { ChooseHint } from '../components/ChooseHint';

/** The township commission's workbench: cases referred to it, never who reported them. */
export function TownshipCases({ token, role }: { token: TokenSource; role: Role }) {
  const list = useApi<{ items: TownshipCaseView[] }>(token, '/api/township/cases');
  const [open, setOpen] = useState<string>();
  return (
    <div className="split">
      <section className="panel" data-testid="township-cases">
        <h2>{T.townshipTitle}</h2>
        <ListView
          rows={list.data?.items}
          error={list.error}
          loading={list.loading && !list.data}
          empty={T.townshipEmpty}
          columns={[T.category, T.filterStatus, TC.routeColumn, T.accusedTitle, TC.deadlineColumn]}
          row={(c) => (
            <tr
              key={c.id}
              onClick={() => setOpen(c.id)}
              className={[open === c.id ? 'selected' : '', c.status !== 'closed' ? `due-row-${c.dueState}` : ''].join(' ').trim() || undefined}
              data-testid={`township-case-${c.id}`}
            >
              <td>{c.category}</td>
              <td>{T.status[c.status]}</td>
              <td data-testid="township-route">{c.route ? TC.routes[c.route] : '—'}</td>
              <td>{c.accused.map((a) => a.name).join('、')}</td>
              <td>
                {/* 转办 runs no deadline of the county's; 交办 shows the result's and the next progress report's. */}
                {c.status === 'closed' || c.route === 'zhuanban' ? '—' : chinaDay(c.concludeDueAt)}{' '}
                {c.status !== 'closed' && c.dueState !== 'ok' && <DueBadge state={c.dueState} />}
                {c.progressDueAt && c.status !== 'closed' && <div className="hint">{TC.progressDue(chinaDay(c.progressDueAt))}</div>}
              </td>
            </tr>
          )}
        />
      </section>
      {open ? (
        <TownshipCase key={open} id={open} token={token} role={role} onChanged={list.reload} />
      ) : (
        <ChooseHint text={T.chooseTownshipCase} rows={list.data?.items} />
      )}
    </div>
  );
}

function TownshipCase({ id, token, role, onChanged }: { id: string; token: TokenSource; role: Role; onChanged: () => void }) {
  const c = useApi<TownshipCaseDetail>(token, `/api/township/cases/${id}`);
  if (!c.data) return <section className="panel">{c.error ? <p className="error">{T.loadFailed(c.error)}</p> : <p className="hint">{T.loading}</p>}</section>;
  const item = c.data;
  const returned = item.status === 'returned' ? item.workflow.steps.filter((x) => x.action === 'return').at(-1) : undefined;
  return (
    <section className="panel detail" data-testid="township-case">
      <h2>
        {item.category} · {T.status[item.status]}
        {item.route && ` · ${TC.routes[item.route]}`}
      </h2>
      {item.route === 'zhuanban' && <p className="hint">{TC.routeExplainTownship}</p>}
      {returned && (
        <div className="returned-note" role="alert" data-testid="returned-note">
          <strong>{TC.returnedTitle}</strong>
          <p>{returned.text}</p>
          <span className="hint">
            {returned.actorName} · {new Date(returned.at).toLocaleString('zh-CN')}
          </span>
        </div>
      )}
      <p className="narrative">{item.narrative}</p>
      <dl>
        <dt>{T.accusedTitle}</dt>
        <dd>{item.accused.map((a) => [a.name, a.unit, a.position].filter(Boolean).join(' · ')).join(';') || '—'}</dd>
      </dl>
      <WorkflowPanel
        base={`/api/township/cases/${id}`}
        role={role}
        token={token}
        workflow={item.workflow}
        onChanged={() => {
          c.reload();
          onChanged();
        }}
      />
    </section>
  );
}
