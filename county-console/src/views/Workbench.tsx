import { CallQueue } from '../components/CallQueue';
import { RoomWall } from '../components/RoomWall';
import { SessionPanel } from '../components/SessionPanel';
import type { ConsoleController, ConsoleState } from '../console-controller';
import { IntakeForm } from './IntakeForm';

/**
 * Queue, wall, session and intake form. In a session the villager's face takes the middle and the wall shrinks
 * (styles.css `.layout.in-session`); the four boxes never change order, so nothing the officer typed is lost.
 */
export function Workbench({ s, controller }: { s: ConsoleState; controller: ConsoleController }) {
  const inSession = Boolean(s.active);
  return (
    <div className="workbench">
      <div className={inSession ? 'layout in-session' : 'layout'} data-testid="workbench-layout">
        <CallQueue rooms={s.rooms} alerts={s.alerts} busy={inSession} onAnswer={controller.answer} />
        <RoomWall rooms={s.rooms} wall={s.wall} opened={s.opened} activeRoom={s.active?.roomCode} compact={inSession} onOpen={controller.openRoom} />
        <div className="session-area">
          <SessionPanel
            active={s.active}
            rooms={s.rooms}
            opened={s.opened}
            openedStream={s.opened ? s.wall.get(s.opened) : undefined}
            privateRequested={Boolean(s.active && s.privateRequests.includes(s.active.sessionId))}
            token={controller.token}
            supervisor={s.user?.role === 'county_supervisor'}
            onHangUp={controller.hangUp}
            onAnswer={controller.answer}
            onWatch={controller.watch}
            onMode={controller.setMode}
            onPrivate={controller.setPrivate}
          />
        </div>
        <div className="intake-area">{s.rooms.length > 0 && <IntakeForm token={controller.token} rooms={s.rooms} session={s.lastSession} />}</div>
      </div>
    </div>
  );
}
