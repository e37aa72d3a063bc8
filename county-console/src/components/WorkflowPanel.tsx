import { useState } from 'react';
import {
  ACCUSER_RESPONSES,
  AppError,
  DISPOSITIONS_WITH_OUTCOME,
  NOTICE_VIAS,
  CASE_ACTIONS,
  checkTransition,
  type AccuserResponse,
  type CaseAction,
  type CaseWorkflowView,
  type Disposition,
  type NoticeVia,
  type Role,
} from '@vj/shared';
import { DispositionFields, DispositionLine, OutcomeFields, useDispositionForm } from './DispositionForm';
import { apiRequest } from '@vj/client';
import { uploadWithProgress, useDownload, type TokenSource } from '../api';
import { TJ } from '../jurisdiction-strings';
import { TC } from '../case-strings';
import { chinaDay, evidenceLabel } from '../format';
import { FilePick } from './FilePick';
import { T } from '../strings';

export function DueBadge({ state }: { state: string }) {
  return <span className={`badge due-${state}`}>{TC.dueStates[state]}</span>;
}

interface Props {
  /** `/api/petitions/:id` for the county, `/api/township/cases/:id` for a township handler. */
  base: string;
  role: Role;
  token: TokenSource;
  workflow: CaseWorkflowView;
  onChanged: (view: CaseWorkflowView) => void;
  /** Why the matter may not go down to its township (分级负责): 交办 is then not offered, and this says why. */
  referBar?: string;
}

/** The case's deadline, its handling record and the actions the rule table allows this user now. */
export function WorkflowPanel({ base, role, token, workflow: w, onChanged, referBar }: Props) {
  const [open, setOpen] = useState<CaseAction>();
  const files = useDownload(token);
  const n = w.notices;
  // A township never learns whether the accuser gave their name; it takes none of the notice actions anyway.
  const matter = { matterClass: w.matterClass, named: w.named ?? false };
  // A lead's outcome is recorded by the side that decided it: the county's own, also while a township it 交办 to assists.
  const outcomeBy = w.disposition?.decidedBy ?? w.side;
  const actions = CASE_ACTIONS.filter((a) => checkTransition(a, w.status, a === 'record_outcome' ? outcomeBy : w.side, role, matter) === 'ok').filter((a) => {
    switch (a) {
      case 'refer':
        return !referBar;
      case 'request_extension':
        return !w.extensionPending;
      case 'decide_extension':
        return Boolean(w.extensionPending);
      case 'notify_accept':
        return !n?.acceptGivenAt;
      case 'notify_result':
        return !n?.resultGivenAt;
      case 'record_response':
        return Boolean(n?.resultGivenAt) && !n?.response;
      case 'request_review':
        return !w.review;
      case 'decide_review':
        return Boolean(w.review) && !w.review?.decidedAt;
      case 'request_recheck':
        return Boolean(w.review?.decidedAt) && !w.recheck;
      case 'decide_recheck':
        return Boolean(w.recheck) && !w.recheck?.decidedAt;
      // Decided once; a lead in 暂存待查 is decided again when it comes back. The outcome once, where the disposition has one.
      case 'decide_disposition':
        return !w.leadHeldByCounty && (!w.disposition || w.disposition.disposition === 'shelve');
      case 'record_outcome':
        return !w.leadHeldByCounty && Boolean(w.disposition && DISPOSITIONS_WITH_OUTCOME.includes(w.disposition.disposition) && !w.disposition.outcome);
      default:
        return true;
    }
  });
  const hintOf = (a: CaseAction) => (a === 'report_progress' && w.progressDueAt ? TC.progressDue(chinaDay(w.progressDueAt)) : TC.routeExplain[a]);
  // 转办: no handling deadline runs (the body handles it under its own authority); otherwise acceptance, then handling.
  const clock = w.status === 'transferred' ? TC.noConcludeClock : w.side ? TC.concludeDue(chinaDay(w.concludeDueAt)) : TC.acceptDue(chinaDay(w.acceptDueAt));
  return (
    <section className="workflow" data-testid="workflow">
      <h3>{TC.workflowTitle}</h3>
      <p className="workflow-head">
        <span data-testid="matter-class">
          {TC.matterClasses[w.matterClass]}
          {w.named !== null && ` · ${w.named ? TC.named : TC.anonymousShort}`}
          {w.route && ` · ${TC.routes[w.route]}`}
        </span>
        <span>
          {w.route === 'zhuanban'
            ? w.transferTo
              ? TC.transferredTo(w.transferTo)
              : TC.transferredTownship
            : w.side
              ? TC.sides[w.side]
              : w.status === 'closed'
                ? ''
                : TC.undecided}
        </span>
        {w.assignedHandler && (
          <span>
            {TC.handler}：{w.assignedHandler.name}
          </span>
        )}
        {w.status !== 'closed' && (
          <span data-testid="deadline">
            {clock} <DueBadge state={w.dueState} />
          </span>
        )}
        {w.progressDueAt && w.status !== 'closed' && <span data-testid="progress-due">{TC.progressDue(chinaDay(w.progressDueAt))}</span>}
        {w.extensionsUsed > 0 && <span>{TC.extensionsUsed(w.extensionsUsed)}</span>}
      </p>
      {n && (
        <p className="workflow-head" data-testid="notices">
          <span>{n.acceptGivenAt ? TC.noticeGiven(TC.noticeKinds.accept!, chinaDay(n.acceptGivenAt)) : TC.noticeAcceptDue(chinaDay(n.acceptDueAt))}</span>
          {(n.resultDueAt || n.resultGivenAt) && (
            <span>{n.resultGivenAt ? TC.noticeGiven(TC.noticeKinds.result!, chinaDay(n.resultGivenAt)) : TC.noticeResultDue(chinaDay(n.resultDueAt))}</span>
          )}
          {n.response && (
            <span>
              {TC.response}：{TC.responses[n.response]}
            </span>
          )}
        </p>
      )}
      {(w.review || w.recheck) && (
        <p className="workflow-head" data-testid="reviews">
          {w.review && <span>{TC.reviewLine(TC.clocks.review!, chinaDay(w.review.dueAt), w.review.decidedAt && chinaDay(w.review.decidedAt))}</span>}
          {w.recheck && <span>{TC.reviewLine(TC.clocks.recheck!, chinaDay(w.recheck.dueAt), w.recheck.decidedAt && chinaDay(w.recheck.decidedAt))}</span>}
          {w.status === 'closed' && w.dueState !== 'ok' && <DueBadge state={w.dueState} />}
        </p>
      )}
      {w.disposition && <DispositionLine d={w.disposition} />}
      {w.leadHeldByCounty && (
        <p className="workflow-head" data-testid="disposition-held">
          {TC.dispositionHeldByCounty}
        </p>
      )}
      {w.extensionPending && <p className="warn-text">{TC.extensionPending(w.extensionPending.days, w.extensionPending.reason)}</p>}
      <ol className="steps" data-testid="steps">
        {w.steps.length === 0 && <li className="empty">{TC.noSteps}</li>}
        {w.steps.map((s) => (
          <li key={s.id} className={`step step-${s.action}`}>
            <div>
              <strong>{TC.stepNames[s.action] ?? s.action}</strong> · {s.actorName} · {new Date(s.at).toLocaleString('zh-CN')}
              {s.days !== null && ` · ${s.days} 天`}
            </div>
            {s.text && <p className="step-text">{s.text}</p>}
            {s.attachments.map((a, i) => (
              <button
                key={a.id}
                className="link"
                onClick={() => files.download(`${base}/attachments/${a.id}`, T.fileFallback.evidence)}
                data-testid="step-evidence"
              >
                {T.download} {evidenceLabel(i, a.mime, a.sizeBytes, a.filename)}
              </button>
            ))}
          </li>
        ))}
      </ol>
      {files.error && <p className="error">{files.error}</p>}
      {referBar && checkTransition('refer', w.status, w.side, role, matter) === 'ok' && (
        <p className="warn-text" data-testid="refer-not-offered">
          {TJ.referBarred}
          {referBar}
        </p>
      )}
      {!open && actions.length > 0 && (
        <div className="actions">
          {actions.map((a) =>
            hintOf(a) ? (
              // 交办 and 转办 each carry their one-line difference, so the two read as different choices; a progress
              // report carries when the next one is due.
              <span key={a} className="action-choice">
                <button onClick={() => setOpen(a)} data-testid={`action-${a}`}>
                  {TC.actions[a]}
                </button>
                <small className="hint">{hintOf(a)}</small>
              </span>
            ) : (
              <button key={a} onClick={() => setOpen(a)} data-testid={`action-${a}`} className={a === 'return' ? 'warn' : undefined}>
                {TC.actions[a]}
              </button>
            ),
          )}
        </div>
      )}
      {open && (
        <ActionForm
          key={open}
          action={open}
          base={base}
          role={role}
          token={token}
          pendingDays={w.extensionPending?.days}
          disposition={w.disposition?.disposition}
          onCancel={() => setOpen(undefined)}
          onDone={(v) => {
            setOpen(undefined);
            onChanged(v);
          }}
        />
      )}
    </section>
  );
}

interface FormProps {
  action: CaseAction;
  base: string;
  role: Role;
  token: TokenSource;
  pendingDays: number | undefined;
  /** The lead's disposition in force, for the outcome form. */
  disposition: Disposition | undefined;
  onCancel: () => void;
  onDone: (v: CaseWorkflowView) => void;
}

/** One action. Its step id and its files' ids are fixed when the form opens, so a retry after a network failure never acts twice. */
function ActionForm({ action, base, role, token, pendingDays, disposition, onCancel, onDone }: FormProps) {
  const lead = useDispositionForm(disposition);
  const [stepId] = useState(() => crypto.randomUUID());
  const [text, setText] = useState('');
  const [feedback, setFeedback] = useState('');
  const [days, setDays] = useState(15);
  const [via, setVia] = useState<NoticeVia>('phone');
  const [response, setResponse] = useState<AccuserResponse>('no_objection');
  const [otherBody, setOtherBody] = useState('');
  const [opinion, setOpinion] = useState('');
  const [transferTo, setTransferTo] = useState<'township' | 'other'>('township');
  const [dueDate, setDueDate] = useState('');
  const [files, setFiles] = useState<{ id: string; file: File; progress: number }[]>([]);
  const [override, setOverride] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const withFiles = action === 'add_step' || action === 'report' || action === 'report_progress';

  const submit = async (extra: Record<string, unknown> = {}) => {
    setBusy(true);
    setError(undefined);
    try {
      for (const f of files) {
        // Step evidence: the step claims it below; if the action is refused, the server sweeps it after a day.
        await uploadWithProgress(`${base}/attachments/${f.id}?purpose=step`, token() ?? '', f.file, (p) =>
          setFiles((all) => all.map((x) => (x.id === f.id ? { ...x, progress: p } : x))),
        );
      }
      const body: Record<string, unknown> = { stepId, action, text, ...extra };
      if (withFiles) body.attachmentIds = files.map((f) => f.id);
      if (action === 'approve') body.feedback = feedback;
      if (action === 'request_extension') body.days = days;
      if (action === 'notify_accept' || action === 'notify_result') body.via = via;
      if (action === 'record_response') body.response = response;
      if (action === 'decide_review' || action === 'decide_recheck') body.opinion = opinion;
      if (action === 'forward_other' && otherBody.trim()) body.otherBody = otherBody.trim();
      if (action === 'refer' && dueDate) body.dueDate = dueDate;
      if (action === 'transfer') {
        body.to = transferTo;
        if (transferTo === 'other') body.otherBody = otherBody.trim();
      }
      if (override !== undefined && override.trim()) body.overrideReason = override.trim();
      if (action === 'decide_disposition' || action === 'record_outcome') {
        delete body.text;
        Object.assign(body, lead.body(action, text));
      }
      onDone(await apiRequest<CaseWorkflowView>('POST', `${base}/transition`, { token: token(), body }));
    } catch (err) {
      // Only a handoff's conflict can be overridden; the same code on another action is the reader's own 回避.
      if (err instanceof AppError && err.code === 'CONFLICT_OF_INTEREST' && (action === 'refer' || action === 'transfer')) setOverride((o) => o ?? '');
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  if (action === 'decide_extension') {
    return (
      <div className="action-form" data-testid="action-form">
        <p>{TC.extensionPending(pendingDays ?? 0, '')}</p>
        <textarea rows={2} placeholder={TC.textHints[action]} value={text} onChange={(e) => setText(e.target.value)} />
        {error && <p className="error">{error}</p>}
        <div className="actions">
          <button onClick={onCancel}>{TC.cancel}</button>
          <button disabled={busy} onClick={() => void submit({ approve: false })}>
            {TC.denyExtension}
          </button>
          <button disabled={busy} className="primary" onClick={() => void submit({ approve: true })} data-testid="action-confirm">
            {TC.approveExtension}
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="action-form" data-testid="action-form">
      <h4>{TC.actions[action]}</h4>
      {action === 'approve' && (
        <label>
          {TC.feedback}
          <textarea rows={3} value={feedback} onChange={(e) => setFeedback(e.target.value)} data-testid="action-feedback" />
        </label>
      )}
      {action === 'request_extension' && (
        <label>
          {TC.days}
          <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="action-days" />
        </label>
      )}
      {(action === 'notify_accept' || action === 'notify_result') && (
        <label>
          {TC.via}
          <select value={via} onChange={(e) => setVia(e.target.value as NoticeVia)} data-testid="action-via">
            {NOTICE_VIAS.map((v) => (
              <option key={v} value={v}>
                {TC.vias[v]}
              </option>
            ))}
          </select>
        </label>
      )}
      {action === 'record_response' && (
        <label>
          {TC.response}
          <select value={response} onChange={(e) => setResponse(e.target.value as AccuserResponse)} data-testid="action-response">
            {ACCUSER_RESPONSES.map((r) => (
              <option key={r} value={r}>
                {TC.responses[r]}
              </option>
            ))}
          </select>
        </label>
      )}
      {(action === 'decide_review' || action === 'decide_recheck') && (
        <label>
          {TC.opinion}
          <textarea rows={3} value={opinion} onChange={(e) => setOpinion(e.target.value)} data-testid="action-opinion" />
        </label>
      )}
      {action === 'forward_other' && (
        <label>
          {TC.otherBody}
          <input value={otherBody} placeholder={TC.otherBodyHint} onChange={(e) => setOtherBody(e.target.value)} data-testid="action-other-body" />
        </label>
      )}
      {action === 'refer' && (
        <label>
          {TC.jiaobanDue}
          <input type="date" value={dueDate} onChange={(e) => setDueDate(e.target.value)} data-testid="action-due-date" />
          <small className="hint">{TC.jiaobanDueHint}</small>
        </label>
      )}
      {action === 'transfer' && (
        <fieldset className="transfer-to" data-testid="transfer-to">
          <legend>{TC.transferTo}</legend>
          {(['township', 'other'] as const).map((t) => (
            <label key={t} className="inline">
              <input type="radio" name="transfer-to" checked={transferTo === t} onChange={() => setTransferTo(t)} data-testid={`transfer-to-${t}`} />
              {t === 'township' ? TC.transferToTownship : TC.transferToOther}
            </label>
          ))}
          {transferTo === 'other' && (
            <label>
              {TC.transferOtherBody}
              <input value={otherBody} placeholder={TC.transferOtherHint} onChange={(e) => setOtherBody(e.target.value)} data-testid="transfer-other-body" />
            </label>
          )}
        </fieldset>
      )}
      {action === 'decide_disposition' && <DispositionFields form={lead} />}
      {action === 'record_outcome' && <OutcomeFields form={lead} />}
      <label>
        {action === 'record_outcome' ? lead.textLabel : TC.textHints[action]}
        <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} data-testid="action-text" />
      </label>
      {withFiles && (
        <FilePick
          label={TC.evidence}
          accept="image/jpeg,image/png,application/pdf,audio/mpeg,video/mp4"
          count={files.length}
          onFiles={(picked) => setFiles(picked.map((file) => ({ id: crypto.randomUUID(), file, progress: 0 })))}
          testId="action-files"
        />
      )}
      {files.some((f) => f.progress > 0 && f.progress < 1) && <progress value={files.reduce((n, f) => n + f.progress, 0) / files.length} />}
      {override !== undefined && (
        <div className="override" role="alert">
          <strong>{TC.overrideTitle}</strong>
          {role === 'county_supervisor' ? (
            <label>
              {TC.overrideReason}
              <textarea rows={2} value={override} onChange={(e) => setOverride(e.target.value)} data-testid="override-reason" />
            </label>
          ) : (
            <p>{TC.overrideOnlySupervisor}</p>
          )}
        </div>
      )}
      {error && (
        <p className="error" data-testid="action-error">
          {error}
        </p>
      )}
      <div className="actions">
        <button onClick={onCancel}>{TC.cancel}</button>
        <button
          disabled={busy || (override !== undefined && role !== 'county_supervisor')}
          className="primary"
          onClick={() => void submit()}
          data-testid="action-confirm"
        >
          {override !== undefined && role === 'county_supervisor' ? TC.overrideConfirm : TC.confirm}
        </button>
      </div>
    </div>
  );
}
