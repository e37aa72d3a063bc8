import { useState } from 'react';
import {
  CHECK_CONCLUSIONS,
  DISPOSITIONS,
  LETTER_ASSESSMENTS,
  type CheckConclusion,
  type Disposition,
  type DispositionView,
  type LetterAssessment,
} from '@vj/shared';
import { TC } from '../case-strings';
import { chinaDay } from '../format';

/** Tomorrow in China time, as the date input wants it: the earliest review day the server accepts. */
function tomorrowInChina(): string {
  const d = new Date(Date.now() + 8 * 3600_000 + 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** The state of the disposition and outcome forms, and the body each sends. */
export function useDispositionForm(current: Disposition | undefined) {
  const [disposition, setDisposition] = useState<Disposition>();
  const [reviewOn, setReviewOn] = useState('');
  const [assessment, setAssessment] = useState<LetterAssessment>();
  const [conclusion, setConclusion] = useState<CheckConclusion>();
  return {
    current,
    disposition,
    setDisposition,
    reviewOn,
    setReviewOn,
    assessment,
    setAssessment,
    conclusion,
    setConclusion,
    textLabel: current === 'talk_letter' ? TC.letterReply : TC.checkSummary,
    /** The text box holds the reason of a decision, or the reply or summary of an outcome. Unchosen fields go as they are: the server says what is missing. */
    body(action: 'decide_disposition' | 'record_outcome', text: string): Record<string, unknown> {
      if (action === 'decide_disposition') return { disposition, reason: text, ...(disposition === 'shelve' ? { reviewOn } : {}) };
      return current === 'talk_letter'
        ? { outcome: { disposition: current, assessment, reply: text } }
        : { outcome: { disposition: current, conclusion, summary: text } };
    },
  };
}
type Form = ReturnType<typeof useDispositionForm>;

/** The supervisor's choice of the four, with a line on each; 暂存待查 asks for its review day. */
export function DispositionFields({ form }: { form: Form }) {
  return (
    <>
      <fieldset className="choices" data-testid="disposition-choices">
        <legend>{TC.dispositionChoose}</legend>
        {DISPOSITIONS.map((d) => (
          <label key={d} className="choice">
            <input
              type="radio"
              name="disposition"
              value={d}
              checked={form.disposition === d}
              onChange={() => form.setDisposition(d)}
              data-testid={`disposition-${d}`}
            />
            <strong>{TC.dispositions[d]}</strong>
            <span className="hint">{TC.dispositionHints[d]}</span>
          </label>
        ))}
      </fieldset>
      {form.disposition === 'shelve' && (
        <label>
          {TC.dispositionReviewOn}
          <input
            type="date"
            min={tomorrowInChina()}
            value={form.reviewOn}
            onChange={(e) => form.setReviewOn(e.target.value)}
            data-testid="disposition-review-on"
          />
        </label>
      )}
    </>
  );
}

/** The outcome of the disposition in force: a 函询 reply's assessment, or a 初核 conclusion. */
export function OutcomeFields({ form }: { form: Form }) {
  if (form.current === 'talk_letter') {
    return (
      <label>
        {TC.letterAssessment}
        <select
          value={form.assessment ?? ''}
          onChange={(e) => form.setAssessment((e.target.value || undefined) as LetterAssessment | undefined)}
          data-testid="outcome-assessment"
        >
          <option value="">{TC.matterClassChoose}</option>
          {LETTER_ASSESSMENTS.map((a) => (
            <option key={a} value={a}>
              {TC.letterAssessments[a]}
            </option>
          ))}
        </select>
      </label>
    );
  }
  return (
    <label>
      {TC.checkConclusion}
      <select
        value={form.conclusion ?? ''}
        onChange={(e) => form.setConclusion((e.target.value || undefined) as CheckConclusion | undefined)}
        data-testid="outcome-conclusion"
      >
        <option value="">{TC.matterClassChoose}</option>
        {CHECK_CONCLUSIONS.map((c) => (
          <option key={c} value={c}>
            {TC.checkConclusions[c]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The disposition in force on the case page: what, when, the review day of 暂存待查, and the outcome. */
export function DispositionLine({ d }: { d: DispositionView }) {
  return (
    <p className="workflow-head" data-testid="disposition">
      <span>{TC.dispositionLine(TC.dispositions[d.disposition], chinaDay(d.decidedAt), d.decidedBy === 'township')}</span>
      {d.reviewOn && <span>{TC.dispositionReviewLine(d.reviewOn)}</span>}
      {d.outcome ? (
        <span>{TC.outcomeLine(TC.dispositionOutcome(d.outcome))}</span>
      ) : d.disposition === 'talk_letter' || d.disposition === 'initial_check' ? (
        <span>{TC.outcomePending}</span>
      ) : null}
    </p>
  );
}
