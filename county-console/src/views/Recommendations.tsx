import { useState } from 'react';
import { RECOMMENDATION_STATES, type RecommendationListAnswer, type RecommendationState, type RecommendationSummary } from '@vj/shared';
import { useApi, type TokenSource } from '../api';
import { ListView } from '../components/ListView';
import { RecommendationForm } from '../components/RecommendationForm';
import { RecommendationPage } from '../components/RecommendationPage';
import { TR } from '../recommendation-strings';

type Mode = 'list' | 'board';

/**
 * 建议书整改落实: the letters on the left (the list with its filters, or the 督办 board), the chosen letter's page or
 * the form to record one on the right. 党风政风监督室 and the commission leaders record and act; the others read.
 */
export function Recommendations({ token, canWrite }: { token: TokenSource; canWrite: boolean }) {
  const [mode, setMode] = useState<Mode>('list');
  const [state, setState] = useState<RecommendationState | ''>('');
  const [overdue, setOverdue] = useState(false);
  const [open, setOpen] = useState<string>();
  const [writing, setWriting] = useState(false);
  const params = new URLSearchParams({ overdue: overdue ? '1' : '0', ...(state ? { state } : {}) }).toString();
  // Both kept fresh while the screen is open: others record reports and assessments too.
  const list = useApi<RecommendationListAnswer>(token, mode === 'list' ? `/api/recommendations?${params}` : undefined, 60_000);
  const board = useApi<RecommendationListAnswer>(token, mode === 'board' ? '/api/recommendations/board' : undefined, 60_000);
  const shown = mode === 'list' ? list : board;
  const choose = (id: string) => (setOpen(id), setWriting(false));
  const changed = () => (list.reload(), board.reload());
  return (
    <div className="split letters">
      <section className="panel" data-testid="letters">
        <div className="panel-head">
          <h2>{TR.title}</h2>
          {canWrite && (
            <button className="primary" onClick={() => (setWriting(true), setOpen(undefined))} data-testid="letter-new">
              {TR.newLetter}
            </button>
          )}
        </div>
        <p className="hint">{mode === 'board' && board.data ? TR.boardHint(board.data.asOf) : TR.hint}</p>
        <div className="filters" role="group">
          {(['list', 'board'] as const).map((m) => (
            <button key={m} className={m === mode ? 'tab on' : 'tab'} onClick={() => setMode(m)} data-testid={`letters-mode-${m}`}>
              {TR.modes[m]}
            </button>
          ))}
          {mode === 'list' && (
            <>
              <label>
                {TR.stateLabel}
                <select value={state} onChange={(e) => setState(e.target.value as RecommendationState | '')} data-testid="letters-state">
                  <option value="">{TR.allStates}</option>
                  {RECOMMENDATION_STATES.map((s) => (
                    <option key={s} value={s}>
                      {TR.states[s]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.target.checked)} data-testid="letters-overdue" />
                {TR.overdueOnly}
              </label>
            </>
          )}
        </div>
        <ListView
          rows={shown.data?.items}
          error={shown.error}
          errorTestId="letters-error"
          loading={!shown.data && !shown.error}
          empty={mode === 'list' ? TR.empty : TR.boardEmpty}
          columns={mode === 'list' ? TR.columns : TR.boardColumns}
          testId={mode === 'list' ? 'letters-list' : 'letters-board'}
          row={(r) => (mode === 'list' ? listRow(r, open, choose) : boardRow(r, open, choose))}
        />
        {shown.data?.truncated && <p className="hint">{TR.truncated(shown.data.items.length)}</p>}
      </section>
      {writing && (
        <RecommendationForm
          token={token}
          onCancel={() => setWriting(false)}
          onDone={(id) => {
            setWriting(false);
            setOpen(id);
            changed();
          }}
        />
      )}
      {open && !writing && <RecommendationPage key={open} id={open} token={token} canWrite={canWrite} onClose={() => setOpen(undefined)} onChanged={changed} />}
    </div>
  );
}

function listRow(r: RecommendationSummary, open: string | undefined, choose: (id: string) => void) {
  return (
    <tr key={r.id} className={open === r.id ? 'selected' : undefined} onClick={() => choose(r.id)} data-testid={`letter-${r.id}`}>
      <td>{r.docNumber}</td>
      <td>{TR.kinds[r.kind]}</td>
      <td>{r.unit.name}</td>
      <td>{r.district?.name ?? TR.noDistrict}</td>
      <td>
        {r.state === 'closed' ? '—' : r.deadline}
        {r.overdue && <span className="tag late">{TR.overdueTag(r.overdue.days)}</span>}
      </td>
      <td data-testid="letter-state">{TR.stateCell(r)}</td>
    </tr>
  );
}

function boardRow(r: RecommendationSummary, open: string | undefined, choose: (id: string) => void) {
  return (
    <tr key={r.id} className={open === r.id ? 'selected' : undefined} onClick={() => choose(r.id)} data-testid={`board-${r.id}`}>
      <td>{r.docNumber}</td>
      <td>{r.unit.name}</td>
      <td>{r.district?.name ?? TR.noDistrict}</td>
      <td>{r.overdue ? TR.overdueReasons[r.overdue.reason] : ''}</td>
      <td>{r.overdue?.since ?? ''}</td>
      <td className="late">{r.overdue ? TR.days(r.overdue.days) : ''}</td>
    </tr>
  );
}
