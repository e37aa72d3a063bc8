import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  AppError,
  clientEvents,
  errorFields,
  parseOrBadRequest,
  type Logger,
  type Ack,
  type ClientEvent,
  type ClientToServerEvents,
  type ServerToClientEvents,
  ERROR_MESSAGES,
} from '@vj/shared';
import type { AppContext } from '../context.js';
import type { AuthSessions } from '../auth/auth-sessions.js';
import type { Disconnector } from '../context.js';
import type { Claims, KeyRing } from '../security/jwt.js';
import type { Notifier } from '../sessions/call-service.js';
import { EVENT_ACCESS } from './event-access.js';
import { routeEvents } from './dispatch.js';
import { eventHandlers } from './handlers.js';
import type { AccessEnded } from '../sessions/access-end.js';
import type { AlertReader } from '../alerts/county-alerts.js';
import { auditRefusal } from '../audit/refusals.js';

interface SocketData {
  principal: Claims;
  expiryTimer?: NodeJS.Timeout;
}
export type AppIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const COUNTY_ROOM = 'county';
/** Every socket of one console user, on any node (joined at connect). */
const userRoom = (userId: string) => `user:${userId}`;

export function createIo(server: http.Server, keys: KeyRing, auth: AuthSessions, log: Logger): AppIo {
  const io: AppIo = new Server(server, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 256 * 1024,
    pingInterval: 5000,
    pingTimeout: 5000,
  });
  // Authenticate at the handshake: a socket without a valid token never reaches any handler.
  io.use((socket, next) => {
    const token: unknown = socket.handshake.auth?.['token'];
    let claims: Claims | undefined;
    try {
      claims = keys.verifyFor(token, ['vj:kiosk', 'vj:console']);
    } catch {
      /* refused below, the same way whatever was wrong */
    }
    const refuse = () => {
      log.warn('socket handshake refused', { code: 'UNAUTHENTICATED', address: socket.handshake.address });
      next(new Error('UNAUTHENTICATED'));
    };
    if (!claims) return refuse();
    // A valid signature is not enough: the login session or kiosk device must still be live.
    auth.assertLive(claims).then((live) => {
      // An account that owes a new password or a second factor gets no live socket either.
      if (live.mustChangePassword || live.mustEnrolSecondFactor) return refuse();
      socket.data.principal = claims;
      next();
    }, refuse);
  });
  return io;
}

/** How long a logout waits for other nodes to list its sockets before closing them anyway. */
const LIST_SOCKETS_MS = 500;

/**
 * Closing the sockets alone would leave the media running: the SFU keeps the principal's transports and the
 * session treats the closed socket as a network drop for the whole grace period. So the sockets close at once,
 * and `evict` then takes the principal out of its live sessions (media first) on the nodes that run them.
 */
export function ioDisconnector(io: AppIo, evict: (who: AccessEnded) => Promise<void>, log: Logger): Disconnector {
  const run = (what: string, job: () => Promise<void>) =>
    void job().catch((err) => log.error('access end not applied to live sessions', { what, ...errorFields(err) }));
  return {
    session: (sid) => {
      // Places this login session took are marked with it (handlers.ts): those go at once.
      run('session', () => evict({ kind: 'session', sid, socketIds: [] }));
      // Places picked up after a restart are known only by their socket: list them before the sockets close.
      run('session sockets', async () => {
        // eslint-disable-next-line no-restricted-syntax -- sockets not listed are closed below all the same; only their places wait for the sweep
        const listed = io
          .in(`sid:${sid}`)
          .fetchSockets()
          .then(
            (all) => all.map((x) => x.id),
            () => [] as string[],
          );
        const socketIds = await Promise.race([listed, new Promise<string[]>((r) => setTimeout(() => r([]), LIST_SOCKETS_MS).unref())]);
        io.in(`sid:${sid}`).disconnectSockets(true);
        if (socketIds.length) await evict({ kind: 'session', sid, socketIds });
      });
    },
    user: (userId) => {
      io.in(userRoom(userId)).disconnectSockets(true);
      run('user', () => evict({ kind: 'user', userId }));
    },
    device: (deviceId) => {
      io.in(`device:${deviceId}`).disconnectSockets(true);
      run('device', () => evict({ kind: 'device', deviceId }));
    },
  };
}

export function ioNotifier(io: AppIo): Notifier {
  return {
    toSocket: (socketId, event, payload) => io.to(socketId).emit(event, ...([payload] as never as Parameters<ServerToClientEvents[typeof event]>)),
    toCounty: (event, payload, exceptUsers = []) =>
      io
        .to(COUNTY_ROOM)
        .except(exceptUsers.map(userRoom))
        .emit(event, ...([payload] as never as Parameters<ServerToClientEvents[typeof event]>)),
    toRoomStaff: (room, event, payload, exceptUsers = []) =>
      io
        .to(`staff:${room}`)
        .except(exceptUsers.map(userRoom))
        .emit(event, ...([payload] as never as Parameters<ServerToClientEvents[typeof event]>)),
    toUsers: (userIds, event, payload) => {
      if (userIds.length) io.to(userIds.map(userRoom)).emit(event, ...([payload] as never as Parameters<ServerToClientEvents[typeof event]>));
    },
  };
}

/** A county console's socket as the alert bar sends to it. */
function countyReader(socket: AppSocket): AlertReader {
  return { userId: socket.data.principal.sub, send: (alerts) => socket.emit('alerts', { alerts }) };
}

/** The county consoles connected to this node (not the cluster's: each node sends its own consoles the alert bar). */
export function localCountyReaders(io: AppIo): AlertReader[] {
  const ns = io.of('/');
  return [...(ns.adapter.rooms.get(COUNTY_ROOM) ?? [])].flatMap((id) => {
    const socket = ns.sockets.get(id);
    return socket ? [countyReader(socket)] : [];
  });
}

/** Disconnects the socket when its token expires, unless auth:refresh replaced it first. */
function armExpiry(socket: AppSocket): void {
  clearTimeout(socket.data.expiryTimer);
  const ms = socket.data.principal.exp * 1000 - Date.now();
  socket.data.expiryTimer = setTimeout(() => socket.disconnect(true), Math.max(0, ms));
  socket.data.expiryTimer.unref();
}

export function registerRealtime(io: AppIo, app: AppContext): void {
  const dispatch = routeEvents(app, eventHandlers(app) as never);
  const log = app.log.child('realtime');

  io.on('connection', (socket: AppSocket) => {
    const principal = socket.data.principal;
    // A kiosk that drops right after connecting must go offline after it went online, not before.
    let online: Promise<unknown> = Promise.resolve();
    armExpiry(socket);
    // Rooms by who is behind the socket, so logout, disable and revoke can close it from any node.
    void socket.join(principal.role === 'kiosk' ? `device:${principal.sub}` : [userRoom(principal.sub), `sid:${principal.sid}`]);
    if (principal.role === 'kiosk') {
      online = app.calls.kioskConnected(principal.room!, socket.id, principal.sub).catch((err) => log.warn('presence update failed', errorFields(err)));
      if (app.config.kioskSelfCheck) {
        app.kioskChecks.due(principal.room!).then(
          (due) => due && socket.emit('kiosk:checkDue', {}),
          (err) => log.warn('device check not asked for', { socketId: socket.id, ...errorFields(err) }),
        );
      }
    } else if (principal.role === 'county_officer' || principal.role === 'county_supervisor') {
      void socket.join(COUNTY_ROOM);
      // The alert bar without the matters that name this user (回避): see alerts/county-alerts.ts.
      void app.countyAlerts.sendTo(countyReader(socket));
    } else if (principal.role === 'township_staff' && principal.twp) {
      void socket.join(`staff:${principal.twp}`);
      app.calls.roomViews(principal.sub, [principal.twp]).then(
        ([view]) => view && socket.emit('rooms:state', view),
        (err) => log.warn('room state not sent', { socketId: socket.id, ...errorFields(err) }),
      );
    }
    log.info('socket connected', { socketId: socket.id, role: principal.role, sub: principal.sub });
    app.router.socketOpened(socket.id).catch(() => log.warn('socket location not saved', { socketId: socket.id }));

    for (const event of Object.keys(clientEvents) as ClientEvent[]) {
      socket.on(event, async (payload: unknown, ack: unknown) => {
        // Without an ack callback nobody could learn the outcome; drop such calls instead of acting blindly.
        if (typeof ack !== 'function') return;
        const reply = ack as (res: Ack<unknown>) => void;
        try {
          if (!EVENT_ACCESS[event].includes(socket.data.principal.role)) throw new AppError('FORBIDDEN', ERROR_MESSAGES.common.roleForbidden);
          const input = parseOrBadRequest(clientEvents[event].payload, payload, `${event} payload`);
          const ctx = {
            socketId: socket.id,
            principal: socket.data.principal,
            setPrincipal: (c: Claims) => {
              socket.data.principal = c;
              armExpiry(socket);
            },
          };
          const data = await dispatch(event, ctx, input);
          reply({ ok: true, data });
        } catch (err) {
          if (err instanceof AppError) {
            log.debug('event refused', { event, code: err.code, reason: err.message, socketId: socket.id });
            // 回避 is a matter of record, as in the route chain: the row names the event and the code, never the matter.
            // (A role's refusal is not written: the apps never send an event their role may not, so only a hand-made
            // client meets it, and a row per refusal would let one flood the audit log.)
            if (err.code === 'CONFLICT_OF_INTEREST') {
              await auditRefusal(app.db, app.log, app.rateLimiter, socket.data.principal, { type: 'event', id: event }, err.code);
            }
            reply({ ok: false, error: err.toBody() });
          } else {
            log.error('socket handler failed', { event, socketId: socket.id, ...errorFields(err) });
            reply({ ok: false, error: { code: 'INTERNAL', message: ERROR_MESSAGES.common.internal } });
          }
        }
      });
    }

    socket.on('disconnect', (reason) => {
      clearTimeout(socket.data.expiryTimer);
      log.info('socket disconnected', { socketId: socket.id, reason });
      void (async () => {
        await app.router.socketClosed(socket.id);
        if (principal.role === 'kiosk') {
          await app.kioskChecks.socketClosed(socket.id);
          await online;
          await app.calls.kioskDisconnected(principal.room!, socket.id);
        }
      })().catch((err) => log.warn('disconnect cleanup failed', { socketId: socket.id, ...errorFields(err) }));
    });
  });
}
