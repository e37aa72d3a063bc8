import { z } from 'zod';
import { AppError, clientEvents, parseOrBadRequest, type ClientEvent } from '@vj/shared';
import type { AppContext } from '../context.js';
import type { EventContext } from './handlers.js';
import { EVENT_ACCESS } from './event-access.js';
import { Claims } from '../security/jwt.js';
import { ownerMethods, type OwnerMethod } from '../sessions/owner-calls.js';

type Handler = (ctx: EventContext, payload: unknown) => Promise<unknown>;
export type Dispatch = (event: ClientEvent, ctx: EventContext, payload: unknown) => Promise<unknown>;

const Forwarded = z.object({ event: z.string(), socketId: z.string().min(1).max(64), principal: Claims, payload: z.unknown() });
const WallShow = z.object({ sessionId: z.uuid(), roomCode: z.string().min(1).max(40), producerId: z.uuid() });

/**
 * Any signaling node serves any socket: an event about a session runs on the node that owns the session,
 * forwarded there with the socket's id and principal (pushes reach the socket through the socket.io
 * adapter). A session whose owner died is taken over by the node that sees the event first. In one process
 * everything is local and this is a plain call.
 */
export function clusterDispatch(app: AppContext, handlers: Record<ClientEvent, Handler>): Dispatch {
  const { calls, reconnect } = app;
  const { bus, ownership } = calls.cluster;

  const runLocal: Dispatch = (event, ctx, payload) => handlers[event](ctx, payload);

  async function forward(owner: string, event: ClientEvent, ctx: EventContext, payload: unknown, sessionId: string): Promise<unknown> {
    try {
      return await bus.call(owner, 'event', { event, socketId: ctx.socketId, principal: ctx.principal, payload });
    } catch (err) {
      // The owner stopped listening (it just died, perhaps with this request in hand): take the session over
      // here and answer, instead of failing the client. A request the dead node never answered is safe to redo.
      if (!(err instanceof AppError) || (err.code !== 'UNAVAILABLE' && err.code !== 'NODE_TIMEOUT')) throw err;
      if (err.code === 'NODE_TIMEOUT' && (await bus.listening(owner))) throw err;
      await ownership.seize(sessionId, owner);
      await reconnect.restore([sessionId]);
      if (!calls.session(sessionId)) throw err;
      return runLocal(event, ctx, payload);
    }
  }

  void bus.serve(async (method, params) => {
    if (method === 'wallShow') {
      const p = parseOrBadRequest(WallShow, params, 'wallShow params');
      await calls.wall.show(p.sessionId, p.roomCode, p.producerId);
      return {};
    }
    if (Object.hasOwn(ownerMethods, method)) {
      const m = ownerMethods[method as OwnerMethod];
      return (m.run as (a: AppContext, p: unknown) => Promise<unknown>)(app, parseOrBadRequest(m.params, params, `${method} params`));
    }
    if (method !== 'event') throw new AppError('BAD_REQUEST', 'unknown node method');
    const f = parseOrBadRequest(Forwarded, params, 'forwarded event');
    if (!Object.hasOwn(clientEvents, f.event)) throw new AppError('BAD_REQUEST', 'unknown event');
    const event = f.event as ClientEvent;
    // Checked again here: a node acts only on what the socket's own role may do.
    if (!EVENT_ACCESS[event].includes(f.principal.role)) throw new AppError('FORBIDDEN', 'your role may not do this');
    const payload = parseOrBadRequest(clientEvents[event].payload, f.payload, `${event} payload`);
    return runLocal(event, { socketId: f.socketId, principal: f.principal, setPrincipal: () => {} }, payload);
  });

  if (!bus.clustered) return runLocal;

  return async (event, ctx, payload) => {
    if (event === 'wall:join') {
      const owner = await calls.wall.owner();
      return owner ? bus.call(owner, 'event', { event, socketId: ctx.socketId, principal: ctx.principal, payload }) : runLocal(event, ctx, payload);
    }
    if (event === 'session:mine') return { sessions: await calls.store.openFor(ctx.principal.sub) };
    const sessionId = (payload as { sessionId?: unknown }).sessionId;
    if (typeof sessionId !== 'string' || calls.session(sessionId) || calls.wall.isWall(sessionId)) return runLocal(event, ctx, payload);
    const owner = await ownership.ownerOf(sessionId);
    if (owner && owner !== bus.nodeId) return forward(owner, event, ctx, payload, sessionId);
    // Not held here yet: no owner (its node died and nobody took it), or ours while the takeover another
    // client's event began is still loading it. restore() waits for that takeover instead of starting a second,
    // so the kiosk and the console reaching this node at once both find the session (else one got NOT_FOUND
    // and ended its call).
    await reconnect.restore([sessionId]);
    return runLocal(event, ctx, payload);
  };
}
