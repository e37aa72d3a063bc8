import type { RoomView } from '@vj/shared';

/**
 * 密封事项 in the room list (issue 16): while a live call a sealed matter was taken in lasts, its room shows every
 * county console and the room's reception staff only that it is busy (接访中), to all but those in the call now
 * (cases/sealed.ts: sealedCallsHiddenFrom). Nothing of the call goes with it: not its id (which would open its record,
 * recording or media), who answered, since when, what kind of session, the line's grade, nor whether it went private.
 * The kiosk's own device check stays: it is the room's, not the call's. The principal leader reads the matter on the
 * sealed page; no room list goes to that role.
 */
export function busyView(view: RoomView): RoomView {
  return { ...view, state: 'in_session', sessionId: null, since: null, answeredBy: null, sessionKind: null, link: null };
}
