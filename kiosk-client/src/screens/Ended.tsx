import { useNow } from '@vj/client';
import { T } from '../strings';

export function Ended({ backAt, answered, onHome, note }: { backAt: number; answered: boolean; onHome: () => void; note?: string | undefined }) {
  const now = useNow();
  return (
    <section className="center" data-testid="ended">
      <h1>{T.endedTitle}</h1>
      {note && (
        <p className="lead" role="alert" data-testid="ended-note">
          {note}
        </p>
      )}
      {/* A call nobody answered filed nothing: it must not thank the villager for a matter the county will pursue. */}
      <p className="lead" data-testid="ended-words">
        {answered ? T.endedThanks : T.endedUnanswered}
      </p>
      <button className="btn-secondary" onClick={onHome} data-testid="home-button">
        {T.backHomeNow}
      </button>
      <p className="countdown">{T.backHome(Math.ceil(Math.max(0, backAt - now) / 1000))}</p>
    </section>
  );
}
