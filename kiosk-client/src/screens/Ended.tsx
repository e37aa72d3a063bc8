import { useNow } from '@vj/client';
import { T } from '../strings';

export function Ended({ backAt, onHome, note }: { backAt: number; onHome: () => void; note?: string | undefined }) {
  const now = useNow();
  return (
    <section className="center" data-testid="ended">
      <h1>{T.endedTitle}</h1>
      {note && (
        <p className="lead" role="alert" data-testid="ended-note">
          {note}
        </p>
      )}
      <p className="lead">{T.endedThanks}</p>
      <button className="btn-secondary" onClick={onHome} data-testid="home-button">
        {T.backHomeNow}
      </button>
      <p className="countdown">{T.backHome(Math.ceil(Math.max(0, backAt - now) / 1000))}</p>
    </section>
  );
}
