import { useState } from 'react';
import { localDay, type VisitListAnswer, type VisitView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useAction, useApi, type TokenSource } from '../api';
import { FilterTabs } from '../components/FilterTabs';
import { ListView } from '../components/ListView';
import { TV } from '../visit-strings';

type Filter = 'planned' | 'done' | 'all';

/** 回访教育: the visits (due first), and for 审理室 and the 片区督查组 the record of one made. */
export function Visits({ token, canWrite }: { token: TokenSource; canWrite: boolean }) {
  const [filter, setFilter] = useState<Filter>('planned');
  const [open, setOpen] = useState<VisitView>();
  const list = useApi<VisitListAnswer>(token, `/api/discipline/visits?state=${filter}`, 60_000);
  return (
    <div className="split letters">
      <section className="panel" data-testid="visits">
        <h2>{TV.title}</h2>
        <p className="hint">{TV.hint}</p>
        <FilterTabs options={['planned', 'done', 'all'] as const} labels={TV.filters} value={filter} onChange={setFilter} testId="visits" />
        <ListView
          rows={list.data?.items}
          error={list.error}
          errorText={(e) => e}
          empty={TV.empty}
          columns={TV.columns}
          testId="visits-list"
          row={(v) => (
            <tr key={v.id} className={open?.id === v.id ? 'selected' : undefined} onClick={() => setOpen(v)} data-testid={`visit-${v.recordId}`}>
              <td>{v.name}</td>
              <td>{v.unitName ?? ''}</td>
              <td>{v.kind}</td>
              <td>{v.effectEndsOn ?? ''}</td>
              <td>{v.plannedOn}</td>
              <td className={v.overdue ? 'late' : undefined}>{v.state === 'done' ? TV.done(v.doneOn) : v.overdue ? TV.overdue : TV.planned}</td>
            </tr>
          )}
        />
        {list.data?.truncated && <p className="hint">{TV.truncated(list.data.items.length)}</p>}
      </section>
      {open && canWrite && open.state === 'planned' && (
        <RecordVisit key={open.id} v={open} token={token} onCancel={() => setOpen(undefined)} onDone={() => (setOpen(undefined), list.reload())} />
      )}
    </div>
  );
}

function RecordVisit({ v, token, onCancel, onDone }: { v: VisitView; token: TokenSource; onCancel: () => void; onDone: () => void }) {
  const [doneOn, setDoneOn] = useState(() => localDay());
  const [notes, setNotes] = useState('');
  const save = useAction();
  return (
    <section className="panel letter-form" data-testid="visit-record">
      <div className="panel-head">
        <h2>
          {TV.record}：{v.name}
        </h2>
        <button className="link" type="button" onClick={onCancel}>
          {TV.cancel}
        </button>
      </div>
      <p className="hint">
        {v.kind}（{v.decidedOn}），{TV.by(v.plannedBy)}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save.run(() => apiRequest('POST', `/api/discipline/visits/${v.id}/record`, { token: token(), body: { doneOn, notes } }), onDone);
        }}
      >
        <label>
          {TV.doneOn}
          <input type="date" value={doneOn} max={localDay()} onChange={(e) => setDoneOn(e.target.value)} data-testid="visit-done-on" />
        </label>
        <label>
          {TV.notes}
          <textarea rows={4} maxLength={2000} placeholder={TV.notesHint} value={notes} onChange={(e) => setNotes(e.target.value)} data-testid="visit-notes" />
        </label>
        {save.error && (
          <p className="error" data-testid="visit-error">
            {save.error}
          </p>
        )}
        <div className="actions">
          <button className="primary" type="submit" disabled={save.busy} data-testid="visit-save">
            {save.busy ? TV.saving : TV.save}
          </button>
        </div>
      </form>
    </section>
  );
}

/** On the person page: a visit planned for a record in its 影响期 (审理室 and the 片区督查组). */
export function PlanVisit({ recordId, endsOn, token }: { recordId: string; endsOn: string; token: TokenSource }) {
  const [id] = useState(() => crypto.randomUUID());
  const [day, setDay] = useState<string>();
  const [plannedOn, setPlannedOn] = useState(() => localDay());
  const [open, setOpen] = useState(false);
  const save = useAction();
  if (day) return <span className="hint">{TV.planned_(day)}</span>;
  if (!open)
    return (
      <button className="link" onClick={() => setOpen(true)} data-testid={`plan-visit-${recordId}`}>
        {TV.plan}
      </button>
    );
  return (
    <span className="plan-visit">
      <input type="date" value={plannedOn} min={localDay()} max={endsOn} onChange={(e) => setPlannedOn(e.target.value)} data-testid="plan-visit-day" />
      <button
        disabled={save.busy}
        data-testid="plan-visit-save"
        onClick={() =>
          void save.run(
            () => apiRequest('POST', '/api/discipline/visits', { token: token(), body: { id, recordId, plannedOn } }),
            () => setDay(plannedOn),
          )
        }
      >
        {TV.planSave}
      </button>
      {save.error && <span className="error">{save.error}</span>}
    </span>
  );
}
