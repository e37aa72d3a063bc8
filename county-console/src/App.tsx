import { useEffect, useSyncExternalStore } from 'react';
import { CallQueue } from './components/CallQueue';
import { Login } from './components/Login';
import { RoomWall } from './components/RoomWall';
import { SessionPanel } from './components/SessionPanel';
import type { ConsoleController } from './console-controller';
import { T } from './strings';

export function App({ controller }: { controller: ConsoleController }) {
  const s = useSyncExternalStore(controller.subscribe, controller.getSnapshot);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'a' || e.key === 'A') controller.answerOldest();
      if (e.key === 'e' || e.key === 'E') void controller.hangUp();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller]);

  if (!s.user) return <Login error={s.loginError} busy={s.loggingIn} onLogin={controller.login} />;

  const offline = s.rooms.filter((r) => r.state === 'offline').length;
  return (
    <div className="console">
      <header className="topbar">
        <strong>{T.appTitle}</strong>
        <div className="alerts" role="status">
          {s.connection !== 'online' && <span className="alert alert-bad">{T.reconnecting}</span>}
          {offline > 0 && s.connection === 'online' && <span className="alert alert-warn">{T.offlineAlert(offline)}</span>}
          {s.notice && (
            <span className="alert alert-info" data-testid="notice">
              {s.notice}
            </span>
          )}
        </div>
        <button className="link" onClick={controller.toggleSound}>
          {s.soundOn ? T.soundOn : T.soundOff}
        </button>
        <span className="who">{s.user.displayName}</span>
        <button className="link" onClick={controller.logout}>
          {T.logout}
        </button>
      </header>
      <div className="layout">
        <CallQueue rooms={s.rooms} busy={Boolean(s.active)} onAnswer={controller.answer} />
        <RoomWall rooms={s.rooms} activeRoom={s.active?.roomCode} />
        <SessionPanel active={s.active} rooms={s.rooms} onHangUp={controller.hangUp} />
      </div>
    </div>
  );
}
