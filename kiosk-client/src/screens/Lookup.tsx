import { useState } from 'react';
import { AppError, type Rating as RatingValue, type RatingReason, type ReceiptStatusView } from '@vj/shared';
import { SAY, T } from '../strings';
import { say } from '../voice';
import { Rating } from './Rating';
import { groupCode } from '../case-code';

/** The receipt stays in memory on the result screen only so that it can authorise a rating; it leaves with the screen. */
type Receipt = { code: string; pin: string };
type Step =
  | { step: 'code' }
  | { step: 'pin'; code: string }
  | { step: 'busy' }
  | { step: 'result'; status: ReceiptStatusView; receipt: Receipt }
  | { step: 'rate'; receipt: Receipt }
  | { step: 'error'; message: string; code?: string };

/**
 * What is read aloud besides the status and feedback: where an outside-remit matter goes, and review opinions. The
 * notices given to a named accuser are shown, never spoken: others in the reception room would hear that this
 * villager gave their name, and how they were reached.
 */
function extraWords(s: ReceiptStatusView): string {
  const other = s.matterClass === 'other' && s.otherBody ? T.lookupOtherBody(s.otherBody) : '';
  const reviews = s.reviews.map((r) => `${T.lookupReviewLine(T.lookupReviewKinds[r.kind] ?? '', dayOf(r.at))}${r.opinion}`).join('');
  return `${other}${reviews}`;
}
const dayOf = (iso: string) => new Date(iso).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' });

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'del'] as const;

/** Status lookup: a big number pad for the 10-digit code, then the 6-digit PIN; the answer is read aloud. */
export function Lookup({
  onLookup,
  onRate,
  onBack,
}: {
  onLookup: (code: string, pin: string) => Promise<ReceiptStatusView>;
  onRate: (receipt: Receipt, rating: RatingValue, reasons: RatingReason[]) => Promise<void>;
  onBack: () => void;
}) {
  const [state, setState] = useState<Step>({ step: 'code' });
  const [digits, setDigits] = useState('');
  const want = state.step === 'pin' ? 6 : 10;

  const press = (k: (typeof KEYS)[number]) => {
    if (k === 'clear') return setDigits('');
    if (k === 'del') return setDigits(digits.slice(0, -1));
    if (digits.length < want) setDigits(digits + k);
  };

  const next = async () => {
    if (digits.length !== want) return;
    if (state.step === 'code') {
      setState({ step: 'pin', code: digits });
      setDigits('');
      say(SAY.lookupPin);
      return;
    }
    if (state.step !== 'pin') return;
    const code = state.code;
    setState({ step: 'busy' });
    try {
      const status = await onLookup(code, digits);
      setState({ step: 'result', status, receipt: { code, pin: digits } });
      if (status.handledAbove) say(SAY.lookupHandledAbove);
      else {
        const words = SAY.lookupResult(status.status, status.feedback ?? undefined, extraWords(status), status.notices.length > 0);
        say(status.satisfaction.state === 'open' ? SAY.both(words, SAY.rateInvite) : words);
      }
    } catch (err) {
      const why = err instanceof AppError ? err.code : undefined;
      const [message, spoken] =
        why === 'NOT_FOUND'
          ? [T.lookupNotFound, SAY.lookupNotFound]
          : why === 'RATE_LIMITED'
            ? [T.lookupLocked, SAY.lookupLocked]
            : [T.lookupFailed, SAY.lookupFailed];
      // A wrong PIN keeps the 10-digit code: the villager types only the 6 digits again.
      setState({ step: 'error', message, ...(why === 'NOT_FOUND' ? { code } : {}) });
      say(spoken);
    }
    setDigits('');
  };

  if (state.step === 'busy')
    return (
      <section className="center">
        <h1>{T.lookupBusy}</h1>
      </section>
    );
  if (state.step === 'rate') {
    const receipt = state.receipt;
    return <Rating onRate={(rating, reasons) => onRate(receipt, rating, reasons)} onHome={onBack} />;
  }
  if (state.step === 'result' || state.step === 'error') {
    return (
      <section className="center lookup-result" data-testid="lookup-result" role="status">
        {state.step === 'result' && state.status.handledAbove ? (
          <>
            <h1>{T.lookupResultTitle}</h1>
            <p className="status-words" data-testid="lookup-status">
              {T.lookupHandledAbove}
            </p>
          </>
        ) : state.step === 'result' ? (
          <>
            <h1>{T.lookupResultTitle}</h1>
            <p className="status-words" data-testid="lookup-status">
              {T.statusWords[state.status.status]}
            </p>
            {state.status.matterClass === 'other' && state.status.otherBody && (
              <p className="feedback" data-testid="lookup-other-body">
                {T.lookupOtherBody(state.status.otherBody)}
              </p>
            )}
            {state.status.notices.length > 0 && (
              <div className="feedback" data-testid="lookup-notices">
                <p>{T.lookupNoticesTitle}</p>
                {state.status.notices.map((n) => (
                  <p key={n.kind} data-testid={`lookup-notice-${n.kind}`}>
                    {T.lookupNoticeLine(dayOf(n.at), T.lookupNoticeVias[n.via] ?? '', T.lookupNoticeKinds[n.kind] ?? '')}
                    {n.text}
                  </p>
                ))}
              </div>
            )}
            {state.status.reviews.map((r) => (
              <p className="feedback" key={r.kind} data-testid={`lookup-${r.kind}`}>
                {T.lookupReviewLine(T.lookupReviewKinds[r.kind] ?? '', dayOf(r.at))}
                {r.opinion}
              </p>
            ))}
            {state.status.feedback && (
              <p className="feedback" data-testid="lookup-feedback">
                {T.lookupFeedback}：{state.status.feedback}
              </p>
            )}
            <p className="countdown">{T.lookupUpdated(new Date(state.status.updatedAt).toLocaleDateString('zh-CN'))}</p>
            {state.status.satisfaction.state === 'given' && state.status.satisfaction.rating && (
              <p className="rate-given" data-testid="lookup-rated">
                {T.rateGiven(T.rateLabels[state.status.satisfaction.rating])}
              </p>
            )}
          </>
        ) : (
          <h1 className="warn-title">{state.message}</h1>
        )}
        {state.step === 'error' && state.code !== undefined && (
          <>
            {/* The answer cannot say which was wrong (that would tell a stranger the code exists): the code typed is
                shown as the receipt prints it, to compare, and typing both again comes first. */}
            <p className="lead" data-testid="lookup-typed-code">
              {T.lookupTypedCode(groupCode(state.code))}
            </p>
            <div className="lookup-retry">
              <button className="btn-secondary strong" onClick={() => setState({ step: 'code' })} data-testid="lookup-retry-code">
                {T.lookupRetryCode}
              </button>
              <button
                className="btn-secondary"
                onClick={() => (setState({ step: 'pin', code: state.code! }), say(SAY.lookupPin))}
                data-testid="lookup-retry-pin"
              >
                {T.lookupRetryPin}
              </button>
            </div>
          </>
        )}
        {state.step === 'result' && state.status.satisfaction.state === 'open' ? (
          // Rating and leaving side by side: the result, its notices and both buttons fit one landscape screen.
          <div className="lookup-retry">
            <button className="btn-end ok lookup-rate" onClick={() => setState({ step: 'rate', receipt: state.receipt })} data-testid="rate-open">
              {T.rateOpen}
            </button>
            <button className="btn-secondary" onClick={onBack} data-testid="lookup-back">
              {T.back}
            </button>
          </div>
        ) : (
          <button className="btn-secondary" onClick={onBack} data-testid="lookup-back">
            {T.back}
          </button>
        )}
      </section>
    );
  }
  return (
    <section className="lookup" data-testid="lookup">
      <div className="lookup-side">
        <h1>{state.step === 'code' ? T.lookupCodeTitle : T.lookupPinTitle}</h1>
        <p className="pad-display" aria-live="polite" data-testid="pad-display">
          {state.step === 'pin' ? '●'.repeat(digits.length) : digits}
          <span className="pad-rest">{'_'.repeat(want - digits.length)}</span>
        </p>
        <div className="lookup-actions">
          <button className="btn-secondary" onClick={onBack} data-testid="lookup-cancel">
            {T.back}
          </button>
          <button className="btn-end ok" disabled={digits.length !== want} onClick={() => void next()} data-testid="pad-next">
            {state.step === 'code' ? T.next : T.search}
          </button>
        </div>
      </div>
      <div className="pad">
        {KEYS.map((k) => (
          <button key={k} className={k.length > 1 ? 'pad-key fn' : 'pad-key'} onClick={() => press(k)} data-testid={`pad-${k}`}>
            {k === 'clear' ? T.clear : k === 'del' ? T.delete : k}
          </button>
        ))}
      </div>
    </section>
  );
}
