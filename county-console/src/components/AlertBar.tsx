import type { AlertView, RoomView } from '@vj/shared';
import { T } from '../strings';

export function AlertBar({ alerts, rooms, onAck }: { alerts: AlertView[]; rooms: RoomView[]; onAck: (id: string) => void }) {
  const name = (code: string) => rooms.find((r) => r.code === code)?.name ?? code;
  if (alerts.length === 0) return null;
  return (
    <div className="alertbar" role="alert" data-testid="alert-bar">
      {alerts.map((a) => (
        <span key={a.id} className={`alert-item ${a.kind}`} data-testid={`alert-${a.kind}-${a.roomCode}`}>
          {T.alert[a.kind](name(a.roomCode), a.caseCode)}
          {a.acknowledgedBy ? <em>{T.ackedBy(a.acknowledgedBy)}</em> : <button onClick={() => onAck(a.id)}>{T.ack}</button>}
        </span>
      ))}
    </div>
  );
}
