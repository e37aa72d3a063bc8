import { onOwner } from '../../sessions/owner-calls.js';
import type { Express } from 'express';
import { z } from 'zod';
import { AppError, Id, RoomListAnswer, SessionMediaView, SessionRecordView, ERROR_MESSAGES } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { assertSessionNotNamed } from '../../cases/conflicts.js';
import { assertCallNotSealed, sealedCallHiddenFrom } from '../../cases/sealed.js';
import { SessionStore } from '../../sessions/session-store.js';
import { mount } from '../route.js';

export function roomRoutes(express: Express, app: AppContext): void {
  const store = new SessionStore(app.db);

  // A room whose live call a sealed matter was taken in shows under its cover (a private call), to all but those in the call (CallService.roomViews).
  mount(express, app, 'GET /api/rooms', {
    response: RoomListAnswer,
    handler: async ({ principal }) => ({ rooms: await app.calls.roomViews(principal.sub) }),
  });

  mount(express, app, 'GET /api/sessions/:id', {
    params: z.object({ id: Id }),
    response: SessionRecordView,
    handler: async ({ params, principal }) => {
      // Its timeline and who left it why tell what the call was: not of a call a sealed matter was taken in (answered
      // as a call that never was), nor to someone a matter filed from it names (回避).
      await assertCallNotSealed(app.db, params.id);
      await assertSessionNotNamed(app.db, principal.sub, params.id);
      const found = await store.get(params.id);
      if (!found) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
      const { session: s, participants } = found;
      return {
        id: s.id,
        roomCode: s.room_code,
        state: s.state,
        startedAt: s.started_at.toISOString(),
        answeredAt: s.answered_at?.toISOString() ?? null,
        endedAt: s.ended_at?.toISOString() ?? null,
        endReason: s.end_reason,
        timeline: await app.calls.timeline.get(s.id),
        participants: participants.map((p) => ({
          id: p.id,
          role: p.role,
          userId: p.user_id,
          joinedAt: p.joined_at.toISOString(),
          leftAt: p.left_at?.toISOString() ?? null,
          leaveReason: p.leave_reason,
        })),
      };
    },
  });

  // What the SFU holds for each participant right now: lets a supervisor (and the tests) see that private
  // mode really closed reception staff's consumers on the server. Of a live call a sealed matter was taken in, only
  // those in it read who else is (as in the room list); to anyone else it answers as a call that is not there.
  mount(express, app, 'GET /api/sessions/:id/media', {
    params: z.object({ id: Id }),
    response: SessionMediaView,
    handler: async ({ params, principal }) => {
      if (await sealedCallHiddenFrom(app.db, principal.sub, params.id)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
      return onOwner(app, 'sessionMedia', { sessionId: params.id });
    },
  });
}
