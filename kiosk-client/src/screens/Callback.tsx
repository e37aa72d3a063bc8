import { useNow } from '@vj/client';
import { T } from '../strings';

/** The villager asked for a callback: what happens next, in plain words, then back to the start. */
export function Callback({ backAt, onHome }: { backAt: number; onHome: () => void }) {
  const now = useNow();
  return (
    <section className="center" data-testid="callback" role="status">
      <h1>{T.callbackTitle}</h1>
      <p className="lead">{T.callbackBody}</p>
      <button className="btn-secondary" onClick={onHome} data-testid="home-button">
        {T.backHomeNow}
      </button>
      <p className="countdown">{T.backHome(Math.ceil(Math.max(0, backAt - now) / 1000))}</p>
    </section>
  );
}
