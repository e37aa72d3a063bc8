import {
  AppError,
  errorFields,
  PARTICIPANT_ROLES,
  type ClientEvent,
  type ClientPayload,
  type ClientResult,
  type JoinResult,
  type ParticipantRole,
  ERROR_MESSAGES,
} from '@vj/shared';
import { stateView } from '../sessions/live.js';
import type { AppContext } from '../context.js';
import { alertsNaming } from '../alerts/county-alerts.js';
import { Recused, assertSessionNotNamed } from '../cases/conflicts.js';
import { assertCallNotSealed } from '../cases/sealed.js';
import { recuseAfterJoin } from '../sessions/owner-calls.js';
import type { Claims } from '../security/jwt.js';
import { turnIceServers } from '../turn/ice-servers.js';
import { evictFromSession } from '../sessions/evict.js';

export interface EventContext {
  socketId: string;
  principal: Claims;
  /** Replaces the socket's principal after a token refresh. */
  setPrincipal(claims: Claims): void;
}

type Handlers = { [E in ClientEvent]: (ctx: EventContext, payload: ClientPayload<E>) => Promise<ClientResult<E>> };

/**
 * Each call a kiosk starts opens a session, a router on the SFU and a push to every console: a few in a row are
 * a villager changing their mind, a flood is not. A burst window and a longer one, per device, shared by every
 * node when the limiter is Redis. Cancels count too (a start/cancel cycle costs two) but are never refused.
 */
const CALL_START_LIMITS = [
  { name: 'burst', limit: 6, windowMs: 10_000 },
  { name: 'sustained', limit: 60, windowMs: 10 * 60_000 },
] as const;

/** One start or cancel taken from the device's budget: false when it is spent. */
async function spendCallBudget(app: AppContext, deviceId: string): Promise<boolean> {
  for (const w of CALL_START_LIMITS) if (!(await app.rateLimiter.hit(`call-start:${w.name}:${deviceId}`, w.limit, w.windowMs))) return false;
  return true;
}

async function countCallStart(app: AppContext, deviceId: string, requestId: string): Promise<boolean> {
  // A start sent again with its request id (a reconnect, a lost ack) opens nothing new and costs nothing: only a
  // sending that was let through is remembered, so an id once refused gains nothing by being sent again, and a new
  // id is a new start.
  const granted = `call-start-request:${deviceId}:${requestId}`;
  if ((await app.rateLimiter.get(granted)) > 0) return true;
  if (!(await spendCallBudget(app, deviceId))) return false;
  await app.rateLimiter.add(granted, CALL_START_LIMITS[CALL_START_LIMITS.length - 1]!.windowMs);
  return true;
}

const isParticipantRole = (r: string): r is ParticipantRole => (PARTICIPANT_ROLES as readonly string[]).includes(r);

function officer(c: Claims): { userId: string; name: string; role: ParticipantRole; township?: string | undefined } {
  // An allow-list: a role added later (the archive roles of issue 17) joins no session until it is listed here.
  const role = c.role;
  if (role === 'kiosk' || !isParticipantRole(role)) throw new AppError('FORBIDDEN', ERROR_MESSAGES.sessions.roleMayNotJoin);
  return { userId: c.sub, name: c.name, role, township: c.twp };
}

export function eventHandlers(app: AppContext): Handlers {
  const { calls, sfu, supervision, reconnect } = app;
  const ok = async (p: Promise<unknown>) => (await p, {});
  /**
   * A place this event just gave its socket in a session. Marked with the login session that holds it, so logging out
   * evicts exactly that place. If the socket closed while the event worked (a dropped network, or the logout,
   * revocation or disabling that closes it), that close found no place to settle and nothing would ever have ended
   * it: the villager sat in an answered call with nobody there. It is settled now, as the close would have settled it.
   */
  const attached = async <R extends { peerId: string }>(ctx: EventContext, sessionId: string, r: R): Promise<R> => {
    const peer = calls.session(sessionId)?.peers.get(r.peerId);
    if (peer && ctx.principal.sid) peer.sid = ctx.principal.sid;
    if (await reconnect.attachedAfterClose(ctx.socketId)) {
      // Gone for good (access ended): out now, with that reason. Else the grace period just started runs.
      const cause = await app.auth.accessEnded(ctx.principal);
      if (cause) await evictFromSession(calls, { sessionId, cause, principalId: ctx.principal.sub, sid: ctx.principal.sid, socketIds: [ctx.socketId] });
    }
    return r;
  };
  /** An event that may have given the socket a place and then failed: the place is settled as `attached` settles it. */
  const settledIfFailed = <R>(ctx: EventContext, p: Promise<R>): Promise<R> =>
    p.catch(async (err: unknown) => {
      await reconnect.attachedAfterClose(ctx.socketId);
      throw err;
    });
  const reconnectGraceMs = app.config.reconnectGraceMs;
  /** A first entry into a session's media: the participant holds nothing on the SFU yet. */
  const entered = (r: JoinResult) => ({ ...r, media: 'fresh' as const, reconnectGraceMs });
  /** May this user hear the call: not one a sealed matter was taken in, nor one a matter naming them came from. */
  const mayHear = async (ctx: EventContext, sessionId: string) => {
    await assertCallNotSealed(app.db, sessionId);
    await assertSessionNotNamed(app.db, ctx.principal.sub, sessionId);
  };
  /**
   * Enters a live call as a watcher or joining staff, checked before and again once in: a matter sealed or filed
   * naming them while they were being let in takes out those already in the call, and cannot see this one yet. Found
   * then, they leave again before any media reaches them (their receive transport comes after this answer).
   */
  const admitted = async (ctx: EventContext, sessionId: string, enter: () => Promise<JoinResult>): Promise<JoinResult> => {
    await mayHear(ctx, sessionId);
    const joined = await enter();
    try {
      await mayHear(ctx, sessionId);
    } catch (err) {
      await supervision
        .leave(sessionId, ctx.socketId)
        .catch((e) => app.log.error('a participant let in as a matter was sealed could not be taken out', { sessionId, ...errorFields(e) }));
      throw err;
    }
    return joined;
  };
  /** With a TURN relay configured, new credentials for it on every transport and ICE restart; else nothing. */
  const { turn } = app.config;
  const relay = () => (turn ? { iceServers: turnIceServers(turn) } : {});
  return {
    // A room whose live call a sealed matter was taken in shows under its cover (a private call), to all but those in the call (CallService.roomViews).
    'rooms:list': async (ctx) => ({ rooms: await calls.roomViews(ctx.principal.sub) }),

    'auth:refresh': async (ctx, { token }) => {
      const claims = app.keys.verify(token, ctx.principal.role === 'kiosk' ? 'vj:kiosk' : 'vj:console');
      if (claims.sub !== ctx.principal.sub || claims.role !== ctx.principal.role) throw new AppError('UNAUTHENTICATED', ERROR_MESSAGES.auth.tokenMismatch);
      // Logout and revocation close the sockets of one login session: a socket must not move to another one.
      if (claims.sid !== ctx.principal.sid || claims.room !== ctx.principal.room) throw new AppError('UNAUTHENTICATED', ERROR_MESSAGES.auth.tokenMismatch);
      const live = await app.auth.assertLive(claims);
      // An account that now owes a password or a second factor keeps no live socket (as at the handshake).
      if (live.mustChangePassword || live.mustEnrolSecondFactor) throw new AppError('UNAUTHENTICATED', ERROR_MESSAGES.auth.setupFirst);
      ctx.setPrincipal(claims);
      return { expiresAt: new Date(claims.exp * 1000).toISOString() };
    },

    'call:start': async (ctx, { requestId }) => {
      if (!(await countCallStart(app, ctx.principal.sub, requestId))) throw new AppError('RATE_LIMITED', ERROR_MESSAGES.calls.tooFrequent);
      const started = await calls.startCall(ctx.principal.room!, ctx.principal.sub, ctx.socketId, requestId);
      return { ...(await attached(ctx, started.sessionId, started)), reconnectGraceMs };
    },
    'call:answer': async (ctx, { sessionId }) => {
      const answered = await attached(ctx, sessionId, await calls.answerCall(sessionId, officer(ctx.principal), ctx.socketId));
      // The session as it stands now (the recorder has usually started on the kiosk's first track already).
      const live = calls.session(sessionId);
      if (!live) throw new AppError('NOT_FOUND', ERROR_MESSAGES.calls.endedWhileAnswering);
      // The router's capabilities as the kiosk was given them, so the officer's media starts one round trip sooner.
      // Not asked of the SFU here: the answer never waits on it, and never makes a router. Unknown (after a
      // restore), the client asks for them itself (rtc:capabilities).
      const { rtpCapabilities } = live;
      return { ...answered, session: stateView(live), reconnectGraceMs, ...(rtpCapabilities ? { rtpCapabilities } : {}) };
    },
    'session:end': async (ctx, { sessionId }) => {
      // Counted before the next start can be, but a limiter failure never keeps a villager from hanging up.
      // eslint-disable-next-line no-restricted-syntax -- a limiter failure never keeps a villager from hanging up
      if (ctx.principal.role === 'kiosk' && calls.session(sessionId)?.state === 'calling') await spendCallBudget(app, ctx.principal.sub).catch(() => false);
      return ok(calls.hangUp(sessionId, ctx.socketId));
    },

    'rtc:capabilities': async (ctx, { sessionId }) => {
      calls.scope(sessionId, ctx.socketId);
      const answer = await sfu.request('createRouter', { sessionId });
      calls.noteCapabilities(sessionId, answer.rtpCapabilities);
      return answer;
    },
    'rtc:createTransport': async (ctx, { sessionId, direction }) => {
      const { peer } = calls.scope(sessionId, ctx.socketId);
      return { ...(await sfu.request('createWebRtcTransport', { sessionId, peerId: peer.peerId, direction })), ...relay() };
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
      const r = await sfu.request('consume', {
        sessionId,
        peerId: scope.peer.peerId,
        transportId,
        producerId,
        rtpCapabilities,
        ...(spatialLayer !== undefined ? { spatialLayer } : {}),
      });
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
      return { ...(await sfu.request('restartIce', { sessionId, peerId: peer.peerId, transportId })), ...relay() };
    },
    'rtc:reset': (ctx, { sessionId }) => ok(reconnect.reset(sessionId, ctx.socketId)),

    'session:mine': async (ctx) => ({ sessions: reconnect.mine(ctx.principal.sub) }),
    'session:rejoin': async (ctx, { sessionId }) => {
      // A rejoin that failed part-way may already have given the socket its place back: settled all the same.
      const back = await settledIfFailed(ctx, reconnect.rejoin(sessionId, ctx.principal.sub, ctx.socketId));
      return { ...(await attached(ctx, sessionId, back)), reconnectGraceMs };
    },
    'session:departed': async (ctx, { sessionId, how }) => {
      if (how === 'gave_up') return ok(reconnect.lapse(sessionId, ctx.principal.sub, ctx.socketId));
      if (!reconnect.takeBack(sessionId, ctx.principal.sub, ctx.socketId)) return {};
      // The place is this socket's now, with no grace timer: if the leave fails and the socket has gone meanwhile,
      // it is settled as any other attachment (else nothing would ever end it).
      const departed = how === 'leave' ? supervision.leave(sessionId, ctx.socketId) : calls.hangUp(sessionId, ctx.socketId);
      return ok(settledIfFailed(ctx, departed));
    },
    'session:watch': async (ctx, { sessionId, mode }) => {
      // Not a call a sealed matter was taken in; and 回避: not one a matter naming the watcher was filed from (they
      // would hear the villager tell about them).
      const joined = await admitted(ctx, sessionId, () => supervision.watch(sessionId, officer(ctx.principal), ctx.socketId, mode));
      const answer = entered(await attached(ctx, sessionId, joined));
      if (mode !== 'monitor') recuseAfterJoin(app, sessionId, ctx.principal);
      return answer;
    },
    'session:setMode': async (ctx, { sessionId, mode }) => {
      await supervision.setMode(sessionId, ctx.socketId, mode);
      if (mode !== 'monitor') recuseAfterJoin(app, sessionId, ctx.principal);
      return {};
    },
    'session:setPrivate': (ctx, { sessionId, private: on }) => ok(supervision.setPrivate(sessionId, ctx.socketId, on)),
    'session:requestPrivate': (ctx, { sessionId }) => ok(supervision.requestPrivate(sessionId, ctx.socketId)),
    'call:requestCallback': async (ctx, { sessionId }) => {
      const { peer } = calls.scope(sessionId, ctx.socketId);
      const live = calls.session(sessionId);
      if (peer.role !== 'kiosk' || live?.state !== 'calling') throw new AppError('INVALID_STATE', ERROR_MESSAGES.calls.callbackOnlyWaiting);
      // eslint-disable-next-line no-restricted-syntax -- ends a waiting call, like a cancel: a limiter failure never keeps the villager waiting
      await spendCallBudget(app, ctx.principal.sub).catch(() => false);
      // Raised before the call ends: the request must reach the county even if ending the call fails.
      calls.alerts.raise('callback_requested', live.roomCode, `callback_requested:${sessionId}`);
      return ok(calls.hangUp(sessionId, ctx.socketId));
    },
    'kiosk:deviceStatus': async (ctx, { camera }) => {
      const room = ctx.principal.room!;
      if (camera === 'failed') calls.alerts.raise('kiosk_device_fault', room, `kiosk_device_fault:${room}`);
      else calls.alerts.resolve(`kiosk_device_fault:${room}`);
      return {};
    },
    'kiosk:checkStart': async (ctx) => {
      if (!app.config.kioskSelfCheck) throw new AppError('INVALID_STATE', ERROR_MESSAGES.kioskCheck.disabled);
      // Never beside a visit: the camera and the uplink belong to the villager then.
      if (calls.sessions().some((s) => s.roomCode === ctx.principal.room)) throw new AppError('INVALID_STATE', ERROR_MESSAGES.kioskCheck.callInProgress);
      // Each check opens a router: a kiosk checks itself once a day, a few retries are fine, a flood is not.
      if (!(await app.rateLimiter.hit(`kiosk-check:${ctx.principal.sub}`, 10, 10 * 60_000)))
        throw new AppError('RATE_LIMITED', ERROR_MESSAGES.kioskCheck.tooFrequent);
      // The check takes the path a call would: through the county's TURN relay too, when it runs one.
      return { ...(await app.kioskChecks.start(ctx.principal.room!, ctx.principal.sub, ctx.socketId)), ...relay() };
    },
    'kiosk:checkConnect': (ctx, { checkId, dtlsParameters }) => ok(app.kioskChecks.connect(checkId, ctx.socketId, dtlsParameters)),
    'kiosk:checkProduce': async (ctx, { checkId, kind, rtpParameters }) => ({
      producerId: await app.kioskChecks.produce(checkId, ctx.socketId, kind, rtpParameters),
    }),
    'kiosk:checkFinish': async (ctx, { checkId, report }) => ({ check: await app.kioskChecks.finish(checkId, ctx.socketId, report) }),
    'session:leave': (ctx, { sessionId }) => ok(supervision.leave(sessionId, ctx.socketId)),
    'staff:startIntake': async (ctx, { requestId }) => {
      const r = await supervision.startStaffIntake(officer(ctx.principal), ctx.socketId, requestId);
      return entered(await attached(ctx, r.session.sessionId, r));
    },
    // As session:watch: no sealed call, and 回避: the township's staff at the kiosk do not join a call whose matter names them.
    'staff:join': async (ctx, { sessionId }) => {
      const joined = await admitted(ctx, sessionId, () => supervision.staffJoin(sessionId, officer(ctx.principal), ctx.socketId));
      const answer = entered(await attached(ctx, sessionId, joined));
      // Staff carry a township's own intake session: one they join may let a named participant go.
      recuseAfterJoin(app, sessionId, ctx.principal);
      return answer;
    },
    'wall:join': async (ctx) => {
      const joined = await calls.wall.join(ctx.socketId, officer(ctx.principal));
      return { ...joined, transport: { ...joined.transport, ...relay() } };
    },
    'alert:ack': async (ctx, { alertId }) => {
      // Nor acknowledged by a person the matter names: the bar never showed it to them (回避).
      const alert = calls.alerts.list().find((a) => a.id === alertId);
      if (alert && (await alertsNaming(app.db, [ctx.principal.sub], [alert])).size) throw new Recused();
      if (!calls.alerts.acknowledge(alertId, ctx.principal.name)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.alertGone);
      return {};
    },
  };
}
