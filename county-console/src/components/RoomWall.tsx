import type { RoomView } from '@vj/shared';
import { mmss, useNow } from '@vj/shared/client';
import { T } from '../strings';

export function RoomWall({ rooms, activeRoom }: { rooms: RoomView[]; activeRoom: string | undefined }) {
  const now = useNow();
  const online = rooms.filter((r) => r.state !== 'offline').length;
  return (
    <section className="wall" aria-label={T.wallTitle(online, rooms.length)}>
      <h2>{T.wallTitle(online, rooms.length)}</h2>
      <ul className="tiles">
        {rooms.map((r) => (
          <li key={r.code} className={`tile state-${r.state} ${r.code === activeRoom ? 'active' : ''}`} data-testid={`tile-${r.code}`} data-state={r.state}>
            <span className="tile-name">{r.name}</span>
            <span className="tile-state">{T.roomState[r.state]}</span>
            {(r.state === 'calling' || r.state === 'in_session') && r.since && <span className="tile-time">{mmss(now - Date.parse(r.since))}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
