import { useState, type FormEvent, type ReactNode } from 'react';
import { ASSESSMENTS, WARNING_ACTIONS, type ArchiveMonthView, type ArchiveProfile, type Assessment, type WarningAction, type WarningView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useAction, useApi, type TokenSource } from '../api';
import { TA } from '../archive-strings';
import { chinaDay } from '../format';
import { PendingPanel } from './PendingPanel';

type Dims = ArchiveMonthView['dims'];
const DIM_KEYS = ['property', 'vehicles', 'family', 'partyGovernance', 'duty', 'spirit', 'integrity', 'findings'] as const satisfies readonly (keyof Dims)[];
/** The months the server still takes: this one and the eleven before it, newest first. */
function editableMonths(current: string): string[] {
  const [y, m] = current.split('-').map(Number) as [number, number];
  return Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

const EMPTY: Dims = { property: '', vehicles: '', family: '', partyGovernance: '', duty: '', spirit: '', integrity: '', findings: '' };

/**
 * 清廉档案 of one person: the portrait, the warnings (closed here by the 督查组), the months (signed here by its
 * leader) and, for the 督查组 of a key official's 片区, the month's entry. Opening it is audited on the server.
 */
export function ArchivePanel({ code, token, onChange }: { code: string; token: TokenSource; onChange?: () => void }) {
  const v = useApi<ArchiveProfile>(token, `/api/archive/people/${encodeURIComponent(code)}`);
  const [editing, setEditing] = useState<string>();
  const [saved, setSaved] = useState<string>();
  if (v.error || !v.data) return <PendingPanel loaded={v} />;
  const p = v.data;
  const open = p.warnings.filter((w) => w.state === 'open');
  const month = editing ?? p.currentMonth;
  const entered = p.months.find((m) => m.month === month);
  const changed = () => (v.reload(), onChange?.());
  return (
    <div className="archive" data-testid="archive-panel">
      <h3>{TA.title}</h3>
      <p className="portrait" data-testid="archive-portrait">
        {p.portrait}
      </p>
      <h4>{TA.warningsTitle(open.length)}</h4>
      {p.warnings.length === 0 ? (
        <p className="empty">{TA.noWarnings}</p>
      ) : (
        <ul className="warnings" data-testid="archive-warnings">
          {p.warnings.map((w) => (
            <WarningItem key={w.id} w={w} canClose={p.canClose} token={token} onDone={changed} />
          ))}
        </ul>
      )}
      {!p.keyOfficial && <p className="hint">{TA.notKey}</p>}
      {p.keyOfficial && (
        <>
          <h4>{TA.monthsTitle(p.months.length)}</h4>
          {p.months.length === 0 ? <p className="empty">{TA.noMonths}</p> : <MonthTable p={p} token={token} onEdit={setEditing} onDone={changed} />}
          {saved && (
            <p className="hint" data-testid="archive-saved">
              {TA.form.saved(saved)}
            </p>
          )}
          {p.canEnter && !entered?.signedBy && (
            <MonthForm
              key={month}
              code={code}
              month={month}
              months={editableMonths(p.currentMonth)}
              onMonth={(m) => (setSaved(undefined), setEditing(m === p.currentMonth ? undefined : m))}
              // A month not entered yet starts from the latest one before it: only what changed is typed again.
              start={entered ?? p.months.find((m) => m.month < month)}
              entered={Boolean(entered)}
              token={token}
              onDone={() => (setSaved(month), setEditing(undefined), changed())}
            />
          )}
        </>
      )}
    </div>
  );
}

function MonthTable({ p, token, onEdit, onDone }: { p: ArchiveProfile; token: TokenSource; onEdit: (month: string) => void; onDone: () => void }) {
  const [shown, setShown] = useState<string>();
  const sign = useAction();
  return (
    <>
      <table className="table" data-testid="archive-months">
        <thead>
          <tr>
            {TA.monthColumns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.months.map((m) => (
            <MonthRow
              key={m.month}
              m={m}
              shown={shown === m.month}
              onToggle={() => setShown(shown === m.month ? undefined : m.month)}
              signAction={
                !m.signedBy && p.canSign ? (
                  <button
                    disabled={sign.busy}
                    data-testid={`archive-sign-${m.month}`}
                    onClick={() => {
                      if (!window.confirm(TA.signConfirm(m.month))) return;
                      void sign.run(
                        () => apiRequest('POST', `/api/archive/people/${encodeURIComponent(p.code)}/months/${m.month}/sign`, { token: token() }),
                        onDone,
                      );
                    }}
                  >
                    {sign.busy ? TA.signing : TA.sign}
                  </button>
                ) : null
              }
              onEdit={
                !m.signedBy && p.canEnter && m.month !== p.currentMonth && editableMonths(p.currentMonth).includes(m.month) ? () => onEdit(m.month) : undefined
              }
            />
          ))}
        </tbody>
      </table>
      {sign.error && <p className="error">{sign.error}</p>}
    </>
  );
}

function MonthRow(props: { m: ArchiveMonthView; shown: boolean; onToggle: () => void; signAction: ReactNode; onEdit: (() => void) | undefined }) {
  const { m } = props;
  return (
    <>
      <tr data-testid={`archive-month-${m.month}`}>
        <td>
          {m.month}
          <button className="link" onClick={props.onToggle}>
            {props.shown ? TA.hideDetails : TA.details}
          </button>
        </td>
        <td className={m.assessment === 'poor' ? 'late' : undefined}>{TA.assessments[m.assessment]}</td>
        <td>{TA.findings(m.findingsOpen, m.findingsOverdue)}</td>
        <td>{TA.entered(m.enteredBy, chinaDay(m.enteredAt))}</td>
        <td data-testid="archive-signed">
          {m.signedBy ? TA.entered(m.signedBy, chinaDay(m.signedAt!)) : (props.signAction ?? TA.unsigned)}
          {props.onEdit && (
            <button className="link" onClick={props.onEdit}>
              {TA.form.edit(m.month)}
            </button>
          )}
        </td>
      </tr>
      {props.shown && (
        <tr className="dims">
          <td colSpan={5}>
            <dl className="facts">
              {DIM_KEYS.map((k) => (
                <div key={k} className="dim">
                  <dt>{TA.fields[k]}</dt>
                  <dd>{m.dims[k] || '—'}</dd>
                </div>
              ))}
            </dl>
          </td>
        </tr>
      )}
    </>
  );
}

function MonthForm(props: {
  code: string;
  month: string;
  months: string[];
  onMonth: (month: string) => void;
  start: ArchiveMonthView | undefined;
  entered: boolean;
  token: TokenSource;
  onDone: () => void;
}) {
  const { start } = props;
  const [dims, setDims] = useState<Dims>(start?.dims ?? EMPTY);
  const [assessment, setAssessment] = useState<Assessment>(props.entered ? start!.assessment : 'good');
  const [findingsOpen, setOpen] = useState(String(start?.findingsOpen ?? 0));
  const [findingsOverdue, setOverdue] = useState(String(start?.findingsOverdue ?? 0));
  const save = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { dims, assessment, findingsOpen: Number(findingsOpen), findingsOverdue: Number(findingsOverdue) };
    void save.run(
      () => apiRequest('PUT', `/api/archive/people/${encodeURIComponent(props.code)}/months/${props.month}`, { token: props.token(), body }),
      props.onDone,
    );
  };
  return (
    <form className="archive-form" onSubmit={submit} data-testid="archive-form">
      <div className="panel-head">
        <h4>{props.entered ? TA.form.edit(props.month) : TA.form.title}</h4>
        <label className="inline">
          {TA.form.month}
          <select value={props.month} onChange={(e) => props.onMonth(e.target.value)} data-testid="archive-month">
            {props.months.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!props.entered && start && <p className="hint">{TA.form.startsFrom(start.month)}</p>}
      <fieldset>
        <legend>{TA.dims.personal}</legend>
        {(['property', 'vehicles', 'family'] as const).map((k) => (
          <DimField key={k} k={k} value={dims[k]} onChange={(x) => setDims({ ...dims, [k]: x })} />
        ))}
      </fieldset>
      {(['partyGovernance', 'duty', 'spirit', 'integrity', 'findings'] as const).map((k) => (
        <DimField key={k} k={k} value={dims[k]} onChange={(x) => setDims({ ...dims, [k]: x })} />
      ))}
      <div className="row">
        <label>
          {TA.form.findingsOpen}
          <input type="number" min={0} max={999} value={findingsOpen} onChange={(e) => setOpen(e.target.value)} data-testid="archive-findings-open" />
        </label>
        <label>
          {TA.form.findingsOverdue}
          <input type="number" min={0} max={999} value={findingsOverdue} onChange={(e) => setOverdue(e.target.value)} data-testid="archive-findings-overdue" />
        </label>
        <label>
          {TA.form.assessment}
          <select value={assessment} onChange={(e) => setAssessment(e.target.value as Assessment)} data-testid="archive-assessment">
            {ASSESSMENTS.map((a) => (
              <option key={a} value={a}>
                {TA.assessments[a]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {save.error && (
        <p className="error" data-testid="archive-form-error">
          {save.error}
        </p>
      )}
      <div className="actions">
        <button className="primary" type="submit" disabled={save.busy} data-testid="archive-save">
          {save.busy ? TA.form.saving : TA.form.save}
        </button>
      </div>
    </form>
  );
}

function DimField({ k, value, onChange }: { k: keyof Dims; value: string; onChange: (v: string) => void }) {
  const max = k === 'vehicles' ? 500 : k === 'property' || k === 'family' ? 1000 : 2000;
  return (
    <label>
      {TA.fields[k]}
      <textarea rows={2} maxLength={max} value={value} onChange={(e) => onChange(e.target.value)} data-testid={`archive-dim-${k}`} />
    </label>
  );
}

function WarningItem({ w, canClose, token, onDone }: { w: WarningView; canClose: boolean; token: TokenSource; onDone: () => void }) {
  const [closing, setClosing] = useState(false);
  const [action, setAction] = useState<WarningAction>('remind');
  const [note, setNote] = useState('');
  const act = useAction();
  return (
    <li className={w.state === 'open' ? 'open' : undefined} data-testid={`archive-warning-${w.rule}`}>
      <strong>{TA.rules[w.rule]}</strong>
      <span className="hint">{TA.raised(w.month)}</span>
      {w.state === 'closed' ? (
        <p>
          {TA.closedAs(TA.actions[w.action!], w.closedBy, chinaDay(w.closedAt!))}
          {w.note && `：${w.note}`}
        </p>
      ) : w.state === 'withdrawn' ? (
        <p>{TA.withdrawn(w.closedBy, chinaDay(w.closedAt!))}</p>
      ) : canClose && !closing ? (
        <button onClick={() => setClosing(true)} data-testid="archive-warning-close">
          {TA.close}
        </button>
      ) : null}
      {closing && w.state === 'open' && (
        <form
          className="archive-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act.run(() => apiRequest('POST', `/api/archive/warnings/${w.id}/close`, { token: token(), body: { action, note } }), onDone);
          }}
        >
          <label>
            {TA.closeAction}
            <select value={action} onChange={(e) => setAction(e.target.value as WarningAction)} data-testid="archive-warning-action">
              {WARNING_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {TA.actions[a]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {TA.closeNote}
            <textarea
              rows={2}
              maxLength={2000}
              placeholder={TA.closeNoteHint}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              data-testid="archive-warning-note"
            />
          </label>
          {act.error && <p className="error">{act.error}</p>}
          <div className="actions">
            <button type="button" className="link" onClick={() => setClosing(false)}>
              {TA.form.cancel}
            </button>
            <button className="primary" type="submit" disabled={act.busy} data-testid="archive-warning-submit">
              {act.busy ? TA.closing : TA.closeSubmit}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
