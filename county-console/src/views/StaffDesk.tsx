import { useState } from 'react';
import { Video } from '@vj/client';
import type { ConsoleController, ConsoleState } from '../console-controller';
import { T } from '../strings';

/** Reception staff: their own room only; during a private segment the screen goes dark on purpose. */
export function StaffDesk({ s, controller }: { s: ConsoleState; controller: ConsoleController }) {
  const room = s.rooms.find((r) => r.code === s.user?.townshipCode);
  const a = s.active;
  const dark = a?.session?.private;
  // 结束接待 takes a few seconds (the recording is sealed): the button says so at once (issue 14.10).
  const [ending, setEnding] = useState<string>();
  const end = (sessionId: string) => {
    setEnding(sessionId);
    void controller.hangUp().finally(() => setEnding(undefined));
  };
  return (
    <section className="panel wide staff" data-testid="staff-desk">
      <h2>{T.staffTitle(room?.name ?? '')}</h2>
      <p className="hint" data-testid="staff-room-state">
        {room ? T.roomState[room.state] : T.loading}
      </p>
      {!a && (
        <>
          <p className="empty">{T.staffIdle}</p>
          <button className="primary" disabled={room?.state !== 'online'} onClick={() => void controller.startIntake()} data-testid="staff-start">
            {T.staffStart}
          </button>
        </>
      )}
      {a && (
        <>
          <h3>{T.staffWatching}</h3>
          {dark ? (
            <p className="banner-private" data-testid="staff-private">
              {T.staffPrivate}
            </p>
          ) : (
            <div className="session-media staff-media">
              <Video stream={a.media.remote} className="remote" testId="staff-video" />
            </div>
          )}
          {a.session?.kind === 'staff_intake' && (
            <button className="danger" disabled={ending === a.sessionId} onClick={() => end(a.sessionId)} data-testid="staff-end">
              {ending === a.sessionId ? T.staffEnding : T.staffEnd}
            </button>
          )}
        </>
      )}
    </section>
  );
}
