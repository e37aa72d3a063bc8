import { LockIcon, PhoneIcon } from '../icons';
import type { KioskState } from '../kiosk-controller';
import { T } from '../strings';
import { DeviceCheckLine } from './DeviceCheckLine';

export function Idle({ onCall, onLookup, check }: { onCall: () => void; onLookup: () => void; check?: KioskState['deviceCheck'] }) {
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
      <DeviceCheckLine check={check} />
    </section>
  );
}
