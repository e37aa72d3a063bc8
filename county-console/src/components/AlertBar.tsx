import type { AlertView, RoomView } from '@vj/shared';
import { T } from '../strings';

/**
 * The county's alarms, one line each. Offline kiosks are one line however many there are (after a restart
 * every room may be offline at once), with the rooms named and one 知悉 for all of them.
 */
export function AlertBar({ alerts, rooms, onAck }: { alerts: AlertView[]; rooms: RoomView[]; onAck: (id: string) => void }) {
  const name = (code: string) => rooms.find((r) => r.code === code)?.name ?? code;
  if (alerts.length === 0) return null;
  const offline = alerts.filter((a) => a.kind === 'kiosk_offline');
  const others = alerts.filter((a) => a.kind !== 'kiosk_offline');
  const unacked = offline.filter((a) => !a.acknowledgedBy);
  return (
    <div className="alertbar" role="alert" data-testid="alert-bar">
      {offline.length > 0 && (
        <span
          className="alert-item kiosk_offline"
          data-testid="alert-kiosk_offline"
          title={`${T.alert.kioskOfflineMany(offline.length)}：${offline.map((a) => name(a.roomCode)).join('、')}`}
        >
          <span className="alert-text">
            {T.alert.kioskOfflineMany(offline.length)}
            {offline.map((a, i) => (
              <span key={a.id} data-testid={`alert-kiosk_offline-${a.roomCode}`}>
                {i === 0 ? '：' : '、'}
                {name(a.roomCode)}
              </span>
            ))}
          </span>
          {unacked.length === 0 ? (
            <em>{T.ackedBy([...new Set(offline.map((a) => a.acknowledgedBy))].join('、'))}</em>
          ) : (
            <button onClick={() => unacked.forEach((a) => onAck(a.id))}>{T.ack}</button>
          )}
        </span>
      )}
      {others.map((a) => (
        <span key={a.id} className={`alert-item ${a.kind}`} data-testid={`alert-${a.kind}-${a.roomCode}`}>
          <span className="alert-text">{T.alert[a.kind](name(a.roomCode), a.caseCode)}</span>
          {a.acknowledgedBy ? <em>{T.ackedBy(a.acknowledgedBy)}</em> : <button onClick={() => onAck(a.id)}>{T.ack}</button>}
        </span>
      ))}
    </div>
  );
}
