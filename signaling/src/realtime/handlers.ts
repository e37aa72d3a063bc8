import { AppError, type ClientEvent, type ClientPayload, type ClientResult, type ParticipantRole } from '@vj/shared';
import type { AppContext } from '../context.js';
import type { Claims } from '../security/jwt.js';

export interface EventContext {
  socketId: string;
  principal: Claims;
  /** Replaces the socket's principal after a token refresh. */
  setPrincipal(claims: Claims): void;
}

type Handlers = { [E in ClientEvent]: (ctx: EventContext, payload: ClientPayload<E>) => Promise<ClientResult<E>> };

function officer(c: Claims): { userId: string; name: string; role: ParticipantRole; township?: string | undefined } {
  if (c.role === 'kiosk' || c.role === 'township_handler' || c.role === 'admin') throw new AppError('FORBIDDEN', 'your role may not join sessions');
  return { userId: c.sub, name: c.name, role: c.role, township: c.twp };
}

export function eventHandlers(app: AppContext): Handlers {
  const { calls, sfu, supervision, reconnect } = app;
  const ok = async (p: Promise<unknown>) => (await p, {});
  return {
    'rooms:list': async () => ({ rooms: await calls.roomViews() }),

    'auth:refresh': async (ctx, { token }) => {
      const claims = app.keys.verify(token, ctx.principal.role === 'kiosk' ? 'vj:kiosk' : 'vj:console');
      if (claims.sub !== ctx.principal.sub || claims.role !== ctx.principal.role) throw new AppError('UNAUTHENTICATED', 'token is for someone else');
      await app.auth.assertLive(claims);
      ctx.setPrincipal(claims);
      return { expiresAt: new Date(claims.exp * 1000).toISOString() };
    },

    'call:start': async (ctx, { requestId }) => calls.startCall(ctx.principal.room!, ctx.principal.sub, ctx.socketId, requestId),
    'call:answer': async (ctx, { sessionId }) => calls.answerCall(sessionId, officer(ctx.principal), ctx.socketId),
    'session:end': (ctx, { sessionId }) => ok(calls.hangUp(sessionId, ctx.socketId)),

    'rtc:capabilities': async (ctx, { sessionId }) => {
      calls.scope(sessionId, ctx.socketId);
      return sfu.request('createRouter', { sessionId });
    },
    'rtc:createTransport': async (ctx, { sessionId, direction }) => {
      const { peer } = calls.scope(sessionId, ctx.socketId);
      return sfu.request('createWebRtcTransport', { sessionId, peerId: peer.peerId, direction });
    },
    'rtc:connectTransport': async (ctx, { sessionId, transportId, dtlsParameters }) => {
      const { peer } = calls.scope(sessionId, ctx.socketId);
      return sfu.request('connectTransport', { sessionId, peerId: peer.peerId, transportId, dtlsParameters });
    },
    'rtc:produce': async (ctx, { sessionId, transportId, kind, rtpParameters, source }) => {
      const scope = calls.scope(sessionId, ctx.socketId);
      scope.assertCanProduce();
      const { producerId } = await sfu.request('produce', { sessionId, peerId: scope.peer.peerId, transportId, kind, rtpParameters, source });
      await calls.recordProducer(sessionId, scope.peer, producerId, kind, source);
      return { producerId };
    },
    'rtc:consume': async (ctx, { sessionId, transportId, producerId, rtpCapabilities, spatialLayer }) => {
      const scope = calls.scope(sessionId, ctx.socketId);
      scope.assertCanConsume(producerId);
      const r = await sfu.request('consume', { sessionId, peerId: scope.peer.peerId, transportId, producerId, rtpCapabilities, ...(spatialLayer !== undefined ? { spatialLayer } : {}) });
      return { consumerId: r.consumerId, producerId: r.producerId, kind: r.kind, rtpParameters: r.rtpParameters, source: r.source };
    },
    'rtc:resumeConsumer': async (ctx, { sessionId, consumerId }) => {
      const { peer } = calls.scope(sessionId, ctx.socketId);
      return sfu.request('resumeConsumer', { sessionId, peerId: peer.peerId, consumerId });
    },
    'rtc:setLayer': async (ctx, { sessionId, consumerId, spatialLayer }) => {
      const { peer } = calls.scope(sessionId, ctx.socketId);
      return sfu.request('setConsumerLayer', { sessionId, peerId: peer.peerId, consumerId, spatialLayer });
    },
    'rtc:restartIce': async (ctx, { sessionId, transportId }) => {
      const { peer } = calls.scope(sessionId, ctx.socketId);
      return sfu.request('restartIce', { sessionId, peerId: peer.peerId, transportId });
    },
    'rtc:reset': (ctx, { sessionId }) => ok(reconnect.reset(sessionId, ctx.socketId)),

    'session:mine': async (ctx) => ({ sessions: reconnect.mine(ctx.principal.sub) }),
    'session:rejoin': (ctx, { sessionId }) => reconnect.rejoin(sessionId, ctx.principal.sub, ctx.socketId),
    'session:watch': (ctx, { sessionId, mode }) => supervision.watch(sessionId, officer(ctx.principal), ctx.socketId, mode),
    'session:setMode': (ctx, { sessionId, mode }) => ok(supervision.setMode(sessionId, ctx.socketId, mode)),
    'session:setPrivate': (ctx, { sessionId, private: on }) => ok(supervision.setPrivate(sessionId, ctx.socketId, on)),
    'session:requestPrivate': (ctx, { sessionId }) => ok(supervision.requestPrivate(sessionId, ctx.socketId)),
    'session:leave': (ctx, { sessionId }) => ok(supervision.leave(sessionId, ctx.socketId)),
    'staff:startIntake': (ctx, { requestId }) => supervision.startStaffIntake(officer(ctx.principal), ctx.socketId, requestId),
    'staff:join': (ctx, { sessionId }) => supervision.staffJoin(sessionId, officer(ctx.principal), ctx.socketId),
    'wall:join': (ctx) => calls.wall.join(ctx.socketId, officer(ctx.principal)),
    'alert:ack': async (ctx, { alertId }) => {
      if (!calls.alerts.acknowledge(alertId, ctx.principal.name)) throw new AppError('NOT_FOUND', 'no such alert');
      return {};
    },
  };
}
