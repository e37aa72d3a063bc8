import { T } from '../strings';

export function Idle({ onCall }: { onCall: () => void }) {
  return (
    <section className="center">
      <h1>{T.idleGreeting}</h1>
      <button className="btn-call" onClick={onCall} data-testid="call-button">
        <span aria-hidden className="btn-icon">
          📞
        </span>
        {T.callButton}
      </button>
      <p className="promise">🔒 {T.confidentialityPromise}</p>
    </section>
  );
}
