import { useState } from 'react';
import type { CountyMode, RoomView } from '@vj/shared';
import { Video, mmss, useNow } from '@vj/client';
import type { ActiveCall } from '../console-controller';
import { T } from '../strings';
import { RecordingControl } from './RecordingControl';
import { Timeline } from './Timeline';
import { LinkBadge } from './LinkBadge';

const MODES: CountyMode[] = ['monitor', 'join', 'take_over'];

interface Props {
  active: ActiveCall | undefined;
  rooms: RoomView[];
  opened: string | undefined;
  openedStream: MediaStream | undefined;
  privateRequested: boolean;
  token: () => string | undefined;
  supervisor: boolean;
  onHangUp: () => Promise<void> | void;
  onAnswer: (sessionId: string) => void;
  onWatch: (sessionId: string, mode: CountyMode) => void;
  onMode: (mode: CountyMode) => void;
  onPrivate: (on: boolean) => void;
}

/** The opened session: large video, two-way talk, the supervision modes, private mode and the timeline. */
export function SessionPanel(p: Props) {
  const now = useNow();
  // Ending takes a few seconds (recording closes, media tears down): say so at once, and take no second press.
  const [ending, setEnding] = useState<string>();
  const roomName = (code: string) => p.rooms.find((r) => r.code === code)?.name ?? code;
  if (!p.active) {
    const room = p.rooms.find((r) => r.code === p.opened);
    if (!room) {
      return (
        <section className="session">
          <h2>{T.sessionTitle}</h2>
          <p className="empty">{T.noSession}</p>
        </section>
      );
    }
    return (
      <section className="session" data-testid="opened-room">
        <h2>{T.openedTitle(room.name)}</h2>
        <div className="session-media">
          {p.openedStream ? <Video stream={p.openedStream} muted className="remote" testId="opened-video" /> : <div className="overlay">{T.openedNoVideo}</div>}
        </div>
        <div className="session-bar">
          {room.state === 'calling' && room.sessionId && (
            <button className="primary" onClick={() => p.onAnswer(room.sessionId!)}>
              {T.answer}
            </button>
          )}
          {(room.state === 'in_session' || room.state === 'private') &&
            room.sessionId &&
            MODES.map((m) => (
              <button key={m} title={T.modeHints[m]} onClick={() => p.onWatch(room.sessionId!, m)} data-testid={`watch-${m}`}>
                {T.modes[m]}
              </button>
            ))}
        </div>
      </section>
    );
  }
  const a = p.active;
  const s = a.session;
  const county = a.mode !== null;
  return (
    <section className={s?.private ? 'session private' : 'session'} data-testid="session-panel">
      <h2>{T.inSession(roomName(a.roomCode))}</h2>
      {s?.private && <p className="banner-private">{T.privateActive}</p>}
      {!a.connected && (
        <p className="error" data-testid="call-reconnecting">
          {T.reconnectingCall}
        </p>
      )}
      <div className="session-media">
        <Video stream={a.media.remote} className="remote" testId="remote-video" />
        {a.media.remote.getTracks().length === 0 && <div className="overlay">{!county && s?.private ? T.staffPrivate : T.connectingMedia}</div>}
        {s?.videoSuspended && a.media.remote.getTracks().length > 0 && (
          <p className="sound-only" role="status" data-testid="sound-only">
            {T.soundOnly}
          </p>
        )}
        {a.mode !== 'monitor' && county && <Video stream={a.media.localStream} muted className="self" label={T.selfView} />}
      </div>
      <div className="session-bar">
        <span data-testid="session-duration">{T.duration(mmss(now - a.since))}</span>
        <LinkBadge level={s?.kioskLink?.level} report={s?.kioskLink ?? null} testId="call-link" />
        {county && <RecordingControl sessionId={a.sessionId} state={s?.recording ?? null} supervisor={p.supervisor} token={p.token} />}
        {county && (
          <span className="modes" role="group">
            {MODES.map((m) => (
              <button key={m} className={a.mode === m ? 'on' : undefined} title={T.modeHints[m]} onClick={() => p.onMode(m)} data-testid={`mode-${m}`}>
                {T.modes[m]}
              </button>
            ))}
            <button
              className={s?.private ? 'on warn' : p.privateRequested ? 'pulse' : undefined}
              disabled={a.mode === 'monitor'}
              onClick={() => p.onPrivate(!s?.private)}
              data-testid="private-toggle"
            >
              {s?.private ? T.privateOff : T.privateOn}
            </button>
          </span>
        )}
        <button
          className="danger"
          disabled={ending === a.sessionId}
          onClick={() => {
            setEnding(a.sessionId);
            void Promise.resolve(p.onHangUp()).finally(() => setEnding(undefined));
          }}
          title={T.hangUpHint}
          data-testid="hangup-button"
        >
          {ending === a.sessionId ? T.hangingUp : a.mode === 'monitor' ? T.leave : T.hangUp}
        </button>
      </div>
      {county && <Timeline sessionId={a.sessionId} token={p.token} version={s?.participants.length ?? 0} />}
    </section>
  );
}
