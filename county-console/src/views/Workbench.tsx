import { CallQueue } from '../components/CallQueue';
import { RoomWall } from '../components/RoomWall';
import { SessionPanel } from '../components/SessionPanel';
import type { ConsoleController, ConsoleState } from '../console-controller';
import { IntakeForm } from './IntakeForm';

export function Workbench({ s, controller }: { s: ConsoleState; controller: ConsoleController }) {
  return (
    <div className="workbench">
      <div className="layout">
        <CallQueue rooms={s.rooms} alerts={s.alerts} busy={Boolean(s.active)} onAnswer={controller.answer} />
        <RoomWall rooms={s.rooms} wall={s.wall} opened={s.opened} activeRoom={s.active?.roomCode} onOpen={controller.openRoom} />
        <div className="right">
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
          {s.rooms.length > 0 && <IntakeForm token={controller.token} rooms={s.rooms} session={s.lastSession} />}
        </div>
      </div>
    </div>
  );
}
