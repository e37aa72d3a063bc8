import { z } from 'zod';
import { AppError, clientEvents, parseOrBadRequest, type ClientEvent, ERROR_MESSAGES } from '@vj/shared';
import type { AppContext } from '../context.js';
import type { EventContext } from './handlers.js';
import { EVENT_ACCESS } from './event-access.js';
import { Claims } from '../security/jwt.js';
import { ownerMethods, type OwnerMethod } from '../sessions/owner-calls.js';

type Handler = (ctx: EventContext, payload: unknown) => Promise<unknown>;
export type Dispatch = (event: ClientEvent, ctx: EventContext, payload: unknown) => Promise<unknown>;

const Forwarded = z.object({ event: z.string(), socketId: z.string().min(1).max(64), principal: Claims, payload: z.unknown() });
const WallShow = z.object({ sessionId: z.uuid(), roomCode: z.string().min(1).max(40), producerId: z.uuid() });
const WallHide = z.object({ sessionId: z.uuid() });

/**
 * Socket events run where their session lives (app.router: here in one process, on the owner node in a
 * cluster). This node also answers what other nodes send it: forwarded events, wall cameras and owner work.
 */
export function routeEvents(app: AppContext, handlers: Record<ClientEvent, Handler>): Dispatch {
  const { calls } = app;
  const runLocal: Dispatch = (event, ctx, payload) => handlers[event](ctx, payload);

  void calls.cluster.bus.serve(async (method, params) => {
    if (method === 'wallShow') {
      const p = parseOrBadRequest(WallShow, params, 'wallShow params');
      await calls.wall.show(p.sessionId, p.roomCode, p.producerId);
      return {};
    }
    if (method === 'wallHide') {
      const p = parseOrBadRequest(WallHide, params, 'wallHide params');
      await calls.wall.hide(p.sessionId);
      return {};
    }
    if (method === 'wallUnhide') {
      const p = parseOrBadRequest(WallHide, params, 'wallUnhide params');
      await calls.wall.unhide(p.sessionId);
      return {};
    }
    if (Object.hasOwn(ownerMethods, method)) {
      const m = ownerMethods[method as OwnerMethod];
      const p = parseOrBadRequest(m.params, params, `${method} params`);
      // A session this node is still taking over: its seal and recusal check first (Reconnect.settled).
      await app.reconnect.settled((p as { sessionId: string }).sessionId);
      return (m.run as (a: AppContext, p: unknown) => Promise<unknown>)(app, p);
    }
    if (method !== 'event') throw new AppError('BAD_REQUEST', ERROR_MESSAGES.common.unknownRequest);
    const f = parseOrBadRequest(Forwarded, params, 'forwarded event');
    if (!Object.hasOwn(clientEvents, f.event)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.common.unknownRequest);
    const event = f.event as ClientEvent;
    // Checked again here: a node acts only on what the socket's own role may do.
    if (!EVENT_ACCESS[event].includes(f.principal.role)) throw new AppError('FORBIDDEN', ERROR_MESSAGES.common.roleForbidden);
    const payload = parseOrBadRequest(clientEvents[event].payload, f.payload, `${event} payload`);
    const sessionId = (payload as { sessionId?: unknown }).sessionId;
    if (typeof sessionId === 'string') await app.reconnect.settled(sessionId);
    return runLocal(event, { socketId: f.socketId, principal: f.principal, setPrincipal: () => {} }, payload);
  });

  return (event, ctx, payload) => app.router.event(event, ctx, payload, () => runLocal(event, ctx, payload));
}
