import type { RoomView } from '@vj/shared';

/**
 * 密封事项 in the room list (issue 16): while a live call a sealed matter was taken in lasts, every county console and the
 * room's reception staff not in the call see its room as in a private call (私密接访), an ordinary state an officer
 * puts any call in, and nothing in the view changes otherwise. A view that looked like no other (once tried: the
 * call's id, officer and start time emptied) told exactly which call was sealed, the township's staff included, who
 * can see who sits in the booth; and those fields had gone to every console when the call was answered, before any
 * seal. What stays closed is what a session id opens: its record, recording, media and pause answer as for a call
 * that is not there (cases/sealed.ts: sealedCallsHiddenFrom). Those in the call now see it as it is. The principal
 * leader reads the matter on the sealed page; no room list goes to that role.
 */
export function coverView(view: RoomView): RoomView {
  return { ...view, state: 'private' };
}
