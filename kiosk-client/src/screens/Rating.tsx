import { useEffect, useState } from 'react';
import { AppError, type Rating as RatingValue, type RatingReason } from '@vj/shared';
import { FrownIcon, PlainIcon, SmileIcon } from '../icons';
import { SAY, T } from '../strings';
import { say } from '../voice';

type Step =
  | { step: 'choose' }
  | { step: 'reason'; rating: RatingValue }
  | { step: 'busy' }
  | { step: 'done'; followUp: boolean }
  | { step: 'already' }
  | { step: 'failed'; rating: RatingValue; reasons: RatingReason[] };

const CHOICES = [
  { rating: 'satisfied', Icon: SmileIcon },
  { rating: 'basic', Icon: PlainIcon },
  { rating: 'unsatisfied', Icon: FrownIcon },
] as const;
const REASONS: readonly RatingReason[] = ['unresolved', 'slow', 'attitude', 'unclear'];

/**
 * Rating a concluded matter: three very big buttons (a face and a word each, colours the prompt names), then for 基本满意
 * and 不满意 one tap on a reason (or none), then thanks. One action per screen, every screen spoken.
 */
export function Rating({ onRate, onHome }: { onRate: (rating: RatingValue, reasons: RatingReason[]) => Promise<void>; onHome: () => void }) {
  const [state, setState] = useState<Step>({ step: 'choose' });
  useEffect(() => say(SAY.rateChoose), []);

  const submit = async (rating: RatingValue, reasons: RatingReason[]) => {
    setState({ step: 'busy' });
    try {
      await onRate(rating, reasons);
      setState({ step: 'done', followUp: rating === 'unsatisfied' });
      say(SAY.rateThanks(rating === 'unsatisfied'));
    } catch (err) {
      // Rated already (from this kiosk or another): said kindly, as thanks, not as an error.
      if (err instanceof AppError && err.code === 'CONFLICT') {
        setState({ step: 'already' });
        say(SAY.rateAlready);
      } else {
        setState({ step: 'failed', rating, reasons });
        say(SAY.rateFailed);
      }
    }
  };
  const choose = (rating: RatingValue) => {
    if (rating === 'satisfied') return void submit(rating, []);
    setState({ step: 'reason', rating });
    say(SAY.rateReason);
  };

  if (state.step === 'busy')
    return (
      <section className="center">
        <h1>{T.rateBusy}</h1>
      </section>
    );
  if (state.step === 'choose') {
    return (
      <section className="center rate" data-testid="rate-choose">
        <h1>{T.rateTitle}</h1>
        <div className="rate-choices">
          {CHOICES.map(({ rating, Icon }) => (
            <button key={rating} className={`rate-btn rate-${rating}`} onClick={() => choose(rating)} data-testid={`rate-${rating}`}>
              <span className="rate-face">
                <Icon />
              </span>
              {T.rateLabels[rating]}
            </button>
          ))}
        </div>
        <button className="btn-secondary" onClick={onHome} data-testid="rate-cancel">
          {T.back}
        </button>
      </section>
    );
  }
  if (state.step === 'reason') {
    const rating = state.rating;
    return (
      <section className="center rate" data-testid="rate-reason">
        <h1>{T.rateReasonTitle(T.rateLabels[rating])}</h1>
        <div className="rate-reasons">
          {REASONS.map((r) => (
            <button key={r} className="btn-secondary rate-reason" onClick={() => void submit(rating, [r])} data-testid={`rate-reason-${r}`}>
              {T.rateReasons[r]}
            </button>
          ))}
        </div>
        <button className="btn-secondary strong" onClick={() => void submit(rating, [])} data-testid="rate-no-reason">
          {T.rateNoReason}
        </button>
      </section>
    );
  }
  return (
    <section className="center" data-testid="rate-done" role="status">
      {state.step === 'done' && (
        <>
          <h1 className="rate-thanks">{T.rateThanks}</h1>
          {state.followUp && <p className="lead">{T.rateFollowUp}</p>}
        </>
      )}
      {state.step === 'already' && <h1>{T.rateAlready}</h1>}
      {state.step === 'failed' && (
        <>
          <h1 className="warn-title">{T.rateFailed}</h1>
          <button className="btn-secondary strong" onClick={() => void submit(state.rating, state.reasons)} data-testid="rate-retry">
            {T.retryNow}
          </button>
        </>
      )}
      <button className="btn-secondary" onClick={onHome} data-testid="rate-home">
        {T.backHomeNow}
      </button>
    </section>
  );
}
