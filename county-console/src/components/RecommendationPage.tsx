import { useState, type FormEvent, type ReactNode } from 'react';
import { localDay, REVIEW_OUTCOMES, type RecommendationAction, type RecommendationDetail, type ReviewOutcome } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useAction, useApi, type TokenSource } from '../api';
import { TR } from '../recommendation-strings';
import { T } from '../strings';

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
  if (v.error)
    return (
      <section className="panel">
        <p className="error" data-testid="letter-page-error">
          {T.loadFailed(v.error)}
        </p>
      </section>
    );
  if (!v.data)
    return (
      <section className="panel">
        <p className="hint">{T.loading}</p>
      </section>
    );
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

function Step({ title, onSubmit, children }: { title: string; onSubmit: () => void; children: ReactNode }) {
  const submit = (e: FormEvent) => (e.preventDefault(), onSubmit());
  return (
    <form className="letter-step" onSubmit={submit}>
      <h3>{title}</h3>
      {children}
    </form>
  );
}

function ReportForm({ busy, onSend }: { busy: boolean; onSend: Send }) {
  const [receivedOn, setReceivedOn] = useState(() => localDay());
  const [summary, setSummary] = useState('');
  return (
    <Step title={TR.actions.reportTitle} onSubmit={() => void onSend({ action: 'report', receivedOn, summary })}>
      <label>
        {TR.actions.receivedOn}
        <input type="date" value={receivedOn} onChange={(e) => setReceivedOn(e.target.value)} data-testid="report-received" />
      </label>
      <label>
        {TR.actions.summary}
        <textarea rows={3} maxLength={4000} value={summary} onChange={(e) => setSummary(e.target.value)} data-testid="report-summary" />
      </label>
      <div className="actions">
        <button className="primary" type="submit" disabled={busy} data-testid="report-submit">
          {TR.actions.report}
        </button>
      </div>
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
      <Step title={TR.actions.assessTitle} onSubmit={() => void onSend({ action: 'accept', reviewOn, note })}>
        <label>
          {TR.actions.reviewOn}
          <input type="date" value={reviewOn} onChange={(e) => setReviewOn(e.target.value)} data-testid="accept-review-on" />
        </label>
        <label>
          {TR.actions.note}
          <textarea rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} data-testid="accept-note" />
        </label>
        <div className="actions">
          <button className="primary" type="submit" disabled={busy} data-testid="accept-submit">
            {TR.actions.accept}
          </button>
        </div>
      </Step>
      <Step title={TR.actions.return} onSubmit={() => void onSend({ action: 'return', reason, deadline })}>
        <label>
          {TR.actions.reason}
          <textarea rows={2} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="return-reason" />
        </label>
        <label>
          {TR.actions.newDeadline}
          <input type="date" value={deadline} onChange={(e) => setDeadline(e.target.value)} data-testid="return-deadline" />
        </label>
        <div className="actions">
          <button type="submit" disabled={busy} data-testid="return-submit">
            {TR.actions.return}
          </button>
        </div>
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
    <Step title={TR.actions.reviewTitle} onSubmit={() => void onSend(body())}>
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
      <label>
        {TR.actions.notes}
        <textarea rows={2} maxLength={2000} value={notes} onChange={(e) => setNotes(e.target.value)} data-testid="review-notes" />
      </label>
      {outcome === 'not_done' && (
        <label>
          {TR.actions.newDeadline}
          <input type="date" value={deadline} onChange={(e) => setDeadline(e.target.value)} data-testid="review-deadline" />
        </label>
      )}
      <div className="actions">
        <button className="primary" type="submit" disabled={busy} data-testid="review-submit">
          {TR.actions.review}
        </button>
      </div>
    </Step>
  );
}
