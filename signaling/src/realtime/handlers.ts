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

function participantRole(c: Claims): ParticipantRole {
  if (c.role === 'kiosk' || c.role === 'county_officer' || c.role === 'county_supervisor') return c.role;
  throw new AppError('FORBIDDEN', 'your role may not join calls');
}

export function eventHandlers(app: AppContext): Handlers {
  const { calls, sfu } = app;
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

    'call:answer': async (ctx, { sessionId }) =>
      calls.answerCall(sessionId, { userId: ctx.principal.sub, name: ctx.principal.name, role: participantRole(ctx.principal) }, ctx.socketId),

    'session:end': async (ctx, { sessionId }) => {
      await calls.hangUp(sessionId, ctx.socketId);
      return {};
    },

    'rtc:capabilities': async (ctx, { sessionId }) => {
      calls.peerOf(sessionId, ctx.socketId);
      return sfu.request('createRouter', { sessionId });
    },

    'rtc:createTransport': async (ctx, { sessionId, direction }) => {
      const peer = calls.peerOf(sessionId, ctx.socketId);
      return sfu.request('createWebRtcTransport', { sessionId, peerId: peer.peerId, direction });
    },

    'rtc:connectTransport': async (ctx, { sessionId, transportId, dtlsParameters }) => {
      const peer = calls.peerOf(sessionId, ctx.socketId);
      return sfu.request('connectTransport', { sessionId, peerId: peer.peerId, transportId, dtlsParameters });
    },

    'rtc:produce': async (ctx, { sessionId, transportId, kind, rtpParameters, source }) => {
      const peer = calls.peerOf(sessionId, ctx.socketId);
      const { producerId } = await sfu.request('produce', { sessionId, peerId: peer.peerId, transportId, kind, rtpParameters, source });
      calls.recordProducer(sessionId, peer, producerId, kind, source);
      return { producerId };
    },

    'rtc:consume': async (ctx, { sessionId, transportId, producerId, rtpCapabilities }) => {
      const peer = calls.peerOf(sessionId, ctx.socketId);
      if (!calls.producerRole(sessionId, producerId)) throw new AppError('NOT_FOUND', 'no such producer');
      const r = await sfu.request('consume', { sessionId, peerId: peer.peerId, transportId, producerId, rtpCapabilities });
      return { consumerId: r.consumerId, producerId: r.producerId, kind: r.kind, rtpParameters: r.rtpParameters, source: r.source };
    },

    'rtc:resumeConsumer': async (ctx, { sessionId, consumerId }) => {
      const peer = calls.peerOf(sessionId, ctx.socketId);
      return sfu.request('resumeConsumer', { sessionId, peerId: peer.peerId, consumerId });
    },
  };
}
