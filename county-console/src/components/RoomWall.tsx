import type { RoomView } from '@vj/shared';
import { Video, mmss, useNow } from '@vj/shared/client';
import { T } from '../strings';

/** All rooms at a glance: state colour, live video for rooms in a call or intake, how long it has run. */
export function RoomWall(props: { rooms: RoomView[]; wall: Map<string, MediaStream>; opened: string | undefined; activeRoom: string | undefined; onOpen: (code: string) => void }) {
  const now = useNow();
  const online = props.rooms.filter((r) => r.state !== 'offline').length;
  return (
    <section className="wall" aria-label={T.wallTitle(online, props.rooms.length)}>
      <h2>{T.wallTitle(online, props.rooms.length)}</h2>
      <ul className="tiles">
        {props.rooms.map((r) => {
          const stream = props.wall.get(r.code);
          const cls = ['tile', `state-${r.state}`, r.code === props.activeRoom ? 'active' : '', r.code === props.opened ? 'opened' : ''].join(' ');
          return (
            <li key={r.code} className={cls} data-testid={`tile-${r.code}`} data-state={r.state} onClick={() => props.onOpen(r.code)}>
              {stream && <Video stream={stream} muted className="tile-video" testId={`tile-video-${r.code}`} />}
              <span className="tile-name">{r.name}</span>
              <span className="tile-state">{T.roomState[r.state]}</span>
              {(r.state === 'calling' || r.state === 'in_session' || r.state === 'private') && r.since && <span className="tile-time">{mmss(now - Date.parse(r.since))}</span>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
