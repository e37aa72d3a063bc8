import { useNow } from '@vj/client';
import { problemText, type Problem } from '../kiosk-controller';
import { WarningIcon } from '../icons';
import { T } from '../strings';

export function Trouble({ problem, retryAt, reported, onRetry }: { problem: Problem; retryAt: number; reported: boolean; onRetry: () => void }) {
  const now = useNow();
  return (
    <section className="center trouble" role="alert" data-testid="trouble" data-problem={problem} data-reported={reported ? 'true' : 'false'}>
      <div className="trouble-icon">
        <WarningIcon />
      </div>
      <h1>{problemText(problem, reported)}</h1>
      <p className="countdown">{T.retryIn(Math.ceil(Math.max(0, retryAt - now) / 1000))}</p>
      <button className="btn-secondary" onClick={onRetry}>
        {T.retryNow}
      </button>
    </section>
  );
}
