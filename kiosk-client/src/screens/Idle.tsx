import { LockIcon, PhoneIcon } from '../icons';
import { T } from '../strings';

export function Idle({ onCall, onLookup }: { onCall: () => void; onLookup: () => void }) {
  return (
    <section className="center">
      <h1>{T.idleGreeting}</h1>
      <button className="btn-call" onClick={onCall} data-testid="call-button">
        <span className="btn-icon">
          <PhoneIcon />
        </span>
        {T.callButton}
      </button>
      <button className="btn-secondary" onClick={onLookup} data-testid="lookup-button">
        {T.lookupButton}
      </button>
      <p className="promise">
        <LockIcon /> {T.confidentialityPromise}
      </p>
    </section>
  );
}
