import type { CSSProperties } from 'react';
import type { RoomView } from '@vj/shared';
import { Video, mmss, useNow } from '@vj/client';
import { T } from '../strings';
import { CheckBadge } from './CheckBadge';
import { LinkBadge } from './LinkBadge';

/** Columns for `n` tiles: a roughly 4:3 grid idle; three narrow columns when the wall shrinks beside a session. */
function columns(n: number, compact: boolean): number {
  if (compact) return 3;
  return Math.max(1, Math.ceil(Math.sqrt(n * 1.3)));
}

/**
 * All rooms at a glance. Each tile's state is its border and the band on top (colour and word), which live
 * video never covers; the room name sits at the bottom, how long the session has run in the band. Band and
 * name are stacked, not laid over each other, so a band that wraps can never hide under the name.
 */
export function RoomWall(props: {
  rooms: RoomView[];
  wall: Map<string, MediaStream>;
  opened: string | undefined;
  activeRoom: string | undefined;
  compact?: boolean;
  onOpen: (code: string) => void;
}) {
  const now = useNow();
  const online = props.rooms.filter((r) => r.state !== 'offline').length;
  const cols = columns(props.rooms.length, Boolean(props.compact));
  return (
    <section className={props.compact ? 'wall compact' : 'wall'} aria-label={T.wallTitle(online, props.rooms.length)}>
      <h2>{T.wallTitle(online, props.rooms.length)}</h2>
      <ul className="tiles" style={{ '--cols': cols } as CSSProperties}>
        {props.rooms.map((r) => {
          const stream = props.wall.get(r.code);
          const cls = [
            'tile',
            `state-${r.state}`,
            stream ? 'has-video' : '',
            r.code === props.activeRoom ? 'active' : '',
            r.code === props.opened ? 'opened' : '',
          ]
            .filter(Boolean)
            .join(' ');
          // An offline kiosk's last check says nothing of it now: a green 自检正常 beside 离线 misleads.
          const check = r.state === 'offline' ? null : r.check;
          const timed = (r.state === 'calling' || r.state === 'in_session' || r.state === 'private') && r.since;
          // A compact tile has room for two lines only, the band and the name: its badges take their short
          // words at the end of the name's line (the name gives way, whole in its title), never a third line.
          const badges = (
            <>
              <LinkBadge level={r.link} testId={`tile-link-${r.code}`} short={props.compact} />
              <CheckBadge check={check} testId={`tile-check-${r.code}`} short={props.compact} />
            </>
          );
          return (
            <li
              key={r.code}
              className={cls}
              data-testid={`tile-${r.code}`}
              data-state={r.state}
              title={[`${r.name}：${T.roomState[r.state]}`, r.link && T.linkLevel[r.link], check && (check.ok ? T.checkOk : T.checkFailed)]
                .filter(Boolean)
                .join('，')}
              onClick={() => props.onOpen(r.code)}
            >
              {stream && <Video stream={stream} muted className="tile-video" testId={`tile-video-${r.code}`} />}
              <span className="tile-band" data-testid={`tile-band-${r.code}`}>
                <span className="tile-state">{T.roomState[r.state]}</span>
                {timed && <span className="tile-time">{mmss(now - Date.parse(r.since!))}</span>}
                {!props.compact && badges}
              </span>
              <span className="tile-name">
                <span className="tile-name-text" title={r.name}>
                  {r.name}
                </span>
                {props.compact && badges}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
