import { CallQueue } from '../components/CallQueue';
import { RoomWall } from '../components/RoomWall';
import { SessionPanel } from '../components/SessionPanel';
import type { ConsoleController, ConsoleState } from '../console-controller';
import { IntakeForm } from './IntakeForm';

export function Workbench({ s, controller }: { s: ConsoleState; controller: ConsoleController }) {
  return (
    <div className="layout">
      <CallQueue rooms={s.rooms} busy={Boolean(s.active)} onAnswer={controller.answer} />
      <RoomWall rooms={s.rooms} activeRoom={s.active?.roomCode} />
      <div className="right">
        <SessionPanel active={s.active} rooms={s.rooms} onHangUp={controller.hangUp} />
        {s.rooms.length > 0 && <IntakeForm token={controller.token} rooms={s.rooms} session={s.lastSession} />}
      </div>
    </div>
  );
}
