import type { RoomView } from '@vj/shared';
import { Video, mmss, useNow } from '@vj/shared/client';
import type { ActiveCall } from '../console-controller';
import { T } from '../strings';

export function SessionPanel({ active, rooms, onHangUp }: { active: ActiveCall | undefined; rooms: RoomView[]; onHangUp: () => void }) {
  const now = useNow();
  if (!active) {
    return (
      <section className="session">
        <h2>{T.sessionTitle}</h2>
        <p className="empty">{T.noSession}</p>
      </section>
    );
  }
  const room = rooms.find((r) => r.code === active.roomCode);
  return (
    <section className="session" data-testid="session-panel">
      <h2>{T.inSession(room?.name ?? active.roomCode)}</h2>
      <div className="session-media">
        <Video stream={active.remote} className="remote" testId="remote-video" />
        {active.media === 'connecting' && <div className="overlay">{T.connectingMedia}</div>}
        <Video stream={active.local} muted className="self" label={T.selfView} />
      </div>
      <div className="session-bar">
        <span>{T.duration(mmss(now - active.since))}</span>
        <button className="danger" onClick={onHangUp} title={T.hangUpHint} data-testid="hangup-button">
          {T.hangUp}
        </button>
      </div>
    </section>
  );
}
