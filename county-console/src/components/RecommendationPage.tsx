import { useState, type FormEvent, type ReactNode } from 'react';
import { localDay, REVIEW_OUTCOMES, type RecommendationAction, type RecommendationDetail, type ReviewOutcome } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useAction, useApi, type TokenSource } from '../api';
import { TR } from '../recommendation-strings';
import { PendingPanel } from './PendingPanel';

/**
 * One letter: what it found and asked, the cases it came from, its timeline (issued → report → 通过／退回 → 回头看 →
 * 销号), and for those who act the one step its state allows.
 */
export function RecommendationPage({
  id,
  token,
  canWrite,
  onClose,
  onChanged,
}: {
  id: string;
  token: TokenSource;
  canWrite: boolean;
  onClose: () => void;
  onChanged: () => void;
}) {
  const v = useApi<RecommendationDetail>(token, `/api/recommendations/${id}`);
  const act = useAction();
  const send = (body: RecommendationAction) =>
    act.run(
      () => apiRequest<RecommendationDetail>('POST', `/api/recommendations/${id}/actions`, { token: token(), body }),
      () => (v.reload(), onChanged()),
    );
  if (v.error || !v.data) return <PendingPanel loaded={v} errorTestId="letter-page-error" />;
  const l = v.data;
  return (
    <section className="panel letter-page" data-testid="letter-page">
      <div className="panel-head">
        <h2>{TR.page.title(l.docNumber)}</h2>
        <button className="link" onClick={onClose}>
          {TR.page.close}
        </button>
      </div>
      <dl className="facts">
        <dt>{TR.page.fields.kind}</dt>
        <dd>{TR.kinds[l.kind]}</dd>
        <dt>{TR.page.fields.unit}</dt>
        <dd>{l.unit.name}</dd>
        <dt>{TR.page.fields.issuedOn}</dt>
        <dd>{l.issuedOn}</dd>
        <dt>{TR.page.fields.district}</dt>
        <dd>{l.district?.name ?? TR.noDistrict}</dd>
        <dt>{TR.page.fields.deadline}</dt>
        <dd>
          {l.deadline}
          {l.round > 1 && `（${TR.round(l.round)}）`}
        </dd>
        <dt>{TR.page.fields.state}</dt>
        <dd data-testid="letter-page-state">
          {TR.states[l.state]}
          {l.overdue && <span className="tag late">{TR.overdueTag(l.overdue.days)}</span>}
        </dd>
        {l.reviewOn && (
          <>
            <dt>{TR.page.fields.reviewOn}</dt>
            <dd>{l.reviewOn}</dd>
          </>
        )}
      </dl>
      <h3>{TR.page.problems}</h3>
      <p className="narrative">{l.problems}</p>
      <h3>{TR.page.requests}</h3>
      <p className="narrative">{l.requests}</p>
      <h3>{TR.page.links}</h3>
      {l.links.length === 0 && l.hiddenLinks === 0 ? (
        <p className="empty">{TR.page.noLinks}</p>
      ) : (
        <ul className="chips" data-testid="letter-links">
          {l.links.map((x) => (
            <li key={x.recordId}>{TR.page.link(x.personName, x.kind, x.decidedOn)}</li>
          ))}
        </ul>
      )}
      {l.hiddenLinks > 0 && <p className="hint">{TR.page.hiddenLinks(l.hiddenLinks)}</p>}
      <h3>{TR.page.timeline}</h3>
      <ol className="letter-timeline" data-testid="letter-timeline">
        {l.events.map((e, i) => (
          <li key={i} data-event={e.type}>
            <time>{e.day}</time> <strong>{TR.events[e.type]}</strong>
            {e.deadline && `，${TR.eventDeadline(e.deadline)}`}
            {e.reviewOn && `，${TR.eventReview(e.reviewOn)}`}
            {e.byName && <span className="hint">（{TR.by(e.byName)}）</span>}
            {e.text && <p className="narrative">{e.text}</p>}
          </li>
        ))}
      </ol>
      <p className="hint">{TR.page.asOf(l.asOf)}</p>
      {l.state === 'closed' ? (
        <p className="notice">{TR.actions.closed}</p>
      ) : !canWrite ? (
        <p className="hint">{TR.actions.readOnly}</p>
      ) : (
        <>
          {l.state === 'awaiting_report' && <ReportForm busy={act.busy} onSend={send} />}
          {l.state === 'report_received' && <AssessForm busy={act.busy} onSend={send} />}
          {l.state === 'review_pending' && <ReviewForm busy={act.busy} onSend={send} />}
          {act.error && (
            <p className="error" data-testid="letter-action-error">
              {act.error}
            </p>
          )}
        </>
      )}
    </section>
  );
}

type Send = (body: RecommendationAction) => Promise<void>;

/** One step's form: its title, its fields and the button that sends it. */
function Step({ title, button, testId, primary = true, busy, onSubmit, children }: StepProps) {
  const submit = (e: FormEvent) => (e.preventDefault(), onSubmit());
  return (
    <form className="letter-step" onSubmit={submit}>
      <h3>{title}</h3>
      {children}
      <div className="actions">
        <button className={primary ? 'primary' : undefined} type="submit" disabled={busy} data-testid={`${testId}-submit`}>
          {button}
        </button>
      </div>
    </form>
  );
}
type StepProps = { title: string; button: string; testId: string; primary?: boolean; busy: boolean; onSubmit: () => void; children: ReactNode };

function DateField({ label, value, onChange, testId }: { label: string; value: string; onChange: (v: string) => void; testId: string }) {
  return (
    <label>
      {label}
      <input type="date" value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
    </label>
  );
}

function TextField({
  label,
  value,
  onChange,
  testId,
  rows = 2,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  testId: string;
  rows?: number;
}) {
  return (
    <label>
      {label}
      <textarea rows={rows} maxLength={rows > 2 ? 4000 : 2000} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
    </label>
  );
}

function ReportForm({ busy, onSend }: { busy: boolean; onSend: Send }) {
  const [receivedOn, setReceivedOn] = useState(() => localDay());
  const [summary, setSummary] = useState('');
  return (
    <Step
      title={TR.actions.reportTitle}
      button={TR.actions.report}
      testId="report"
      busy={busy}
      onSubmit={() => void onSend({ action: 'report', receivedOn, summary })}
    >
      <DateField label={TR.actions.receivedOn} value={receivedOn} onChange={setReceivedOn} testId="report-received" />
      <TextField label={TR.actions.summary} value={summary} onChange={setSummary} testId="report-summary" rows={3} />
    </Step>
  );
}

function AssessForm({ busy, onSend }: { busy: boolean; onSend: Send }) {
  const [reviewOn, setReviewOn] = useState('');
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [deadline, setDeadline] = useState('');
  return (
    <>
      <Step
        title={TR.actions.assessTitle}
        button={TR.actions.accept}
        testId="accept"
        busy={busy}
        onSubmit={() => void onSend({ action: 'accept', reviewOn, note })}
      >
        <DateField label={TR.actions.reviewOn} value={reviewOn} onChange={setReviewOn} testId="accept-review-on" />
        <TextField label={TR.actions.note} value={note} onChange={setNote} testId="accept-note" />
      </Step>
      <Step
        title={TR.actions.return}
        button={TR.actions.return}
        testId="return"
        primary={false}
        busy={busy}
        onSubmit={() => void onSend({ action: 'return', reason, deadline })}
      >
        <TextField label={TR.actions.reason} value={reason} onChange={setReason} testId="return-reason" />
        <DateField label={TR.actions.newDeadline} value={deadline} onChange={setDeadline} testId="return-deadline" />
      </Step>
    </>
  );
}

function ReviewForm({ busy, onSend }: { busy: boolean; onSend: Send }) {
  const [outcome, setOutcome] = useState<ReviewOutcome>('done');
  const [notes, setNotes] = useState('');
  const [deadline, setDeadline] = useState('');
  const body = (): RecommendationAction => ({ action: 'review', outcome, notes, ...(outcome === 'not_done' ? { deadline } : {}) });
  return (
    <Step title={TR.actions.reviewTitle} button={TR.actions.review} testId="review" busy={busy} onSubmit={() => void onSend(body())}>
      <label>
        {TR.actions.outcome}
        <select value={outcome} onChange={(e) => setOutcome(e.target.value as ReviewOutcome)} data-testid="review-outcome">
          {REVIEW_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {TR.actions.outcomes[o]}
            </option>
          ))}
        </select>
      </label>
      <TextField label={TR.actions.notes} value={notes} onChange={setNotes} testId="review-notes" />
      {outcome === 'not_done' && <DateField label={TR.actions.newDeadline} value={deadline} onChange={setDeadline} testId="review-deadline" />}
    </Step>
  );
}
