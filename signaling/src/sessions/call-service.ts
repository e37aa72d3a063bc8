import {
  AppError,
  errorFields,
  type Logger,
  type MediaKind,
  type ParticipantRole,
  type ProducerInfo,
  type RoomInfo,
  type RoomView,
  type ServerEvent,
  type ServerPayload,
  type SessionEndReason,
  type SfuApi,
  type SfuCloseReason,
  type TrackSource,
} from '@vj/shared';
import type { Presence } from '../presence/presence.js';
import type { SessionStore } from './session-store.js';

/** Delivers pushes to sockets; socket.io (with its Redis adapter when scaled out) implements it. */
export interface Notifier {
  toSocket<E extends ServerEvent>(socketId: string, event: E, payload: ServerPayload<E>): void;
  toCounty<E extends ServerEvent>(event: E, payload: ServerPayload<E>): void;
  toSession<E extends ServerEvent>(sessionId: string, event: E, payload: ServerPayload<E>, exceptSocketId?: string): void;
  joinSession(socketId: string, sessionId: string): void;
  leaveSession(socketId: string, sessionId: string): void;
}

export interface Peer {
  peerId: string;
  role: ParticipantRole;
  socketId: string;
  name: string;
}

interface LiveSession {
  id: string;
  roomCode: string;
  peers: Map<string, Peer>;
  producers: Map<string, ProducerInfo & { peerId: string }>;
}

const END_REASON_BY_ROLE: Record<'hangup' | 'disconnect', (role: ParticipantRole, calling: boolean) => SessionEndReason> = {
  hangup: (role, calling) => (role === 'kiosk' ? (calling ? 'caller_cancelled' : 'kiosk_hangup') : 'officer_hangup'),
  disconnect: (role) => (role === 'kiosk' ? 'kiosk_disconnected' : 'officer_disconnected'),
};

/**
 * The call lifecycle: a kiosk calls, one county officer answers, both publish and consume, one side ends.
 * PostgreSQL holds the durable record, Presence the live room states, the SFU the media; this keeps them in
 * step and tells the browsers.
 */
export class CallService {
  private readonly live = new Map<string, LiveSession>();
  private readonly roomsByCode: Map<string, RoomInfo>;

  constructor(
    private readonly store: SessionStore,
    private readonly presence: Presence,
    private readonly sfu: SfuApi,
    private readonly notify: Notifier,
    private readonly log: Logger,
    rooms: RoomInfo[],
  ) {
    this.roomsByCode = new Map(rooms.map((r) => [r.code, r]));
    sfu.on('producerClosed', ({ sessionId, producerId }) => this.forgetProducer(sessionId, producerId));
    sfu.on('routerClosed', ({ sessionId, reason }) => {
      if (reason === 'worker_died') void this.end(sessionId, 'sfu_failure').catch((err) => this.log.error('could not end session', { sessionId, ...errorFields(err) }));
    });
  }

  get rooms(): RoomInfo[] {
    return [...this.roomsByCode.values()];
  }

  async roomViews(codes = [...this.roomsByCode.keys()]): Promise<RoomView[]> {
    const states = await this.presence.get(codes);
    return states.map((p) => {
      const room = this.roomsByCode.get(p.code)!;
      const s = p.session;
      return {
        ...room,
        state: s ? (s.state === 'calling' ? 'calling' : 'in_session') : p.kioskOnline ? 'online' : 'offline',
        sessionId: s?.id ?? null,
        since: s?.since ?? p.kioskSince,
        answeredBy: s?.answeredBy ?? null,
      };
    });
  }

  private async broadcastRoom(code: string): Promise<void> {
    const [view] = await this.roomViews([code]);
    if (view) this.notify.toCounty('rooms:state', view);
  }

  async kioskConnected(room: string, socketId: string): Promise<void> {
    await this.presence.kioskConnected(room, socketId);
    await this.broadcastRoom(room);
  }

  async kioskDisconnected(room: string, socketId: string): Promise<void> {
    if (await this.presence.kioskDisconnected(room, socketId)) await this.broadcastRoom(room);
  }

  /** Idempotent by requestId: a retried press returns the session the first press opened. */
  async startCall(room: string, deviceId: string, socketId: string, requestId: string): Promise<{ sessionId: string; peerId: string }> {
    if (!this.roomsByCode.has(room)) throw new AppError('NOT_FOUND', 'unknown room');
    const { session, kioskPeerId, created } = await this.store.openForKiosk(room, deviceId, requestId);
    let live = this.live.get(session.id);
    if (!live) {
      live = { id: session.id, roomCode: room, peers: new Map(), producers: new Map() };
      this.live.set(session.id, live);
    }
    try {
      await this.sfu.request('createRouter', { sessionId: session.id });
    } catch (err) {
      await this.end(session.id, 'sfu_failure');
      throw err;
    }
    live.peers.set(kioskPeerId, { peerId: kioskPeerId, role: 'kiosk', socketId, name: this.roomsByCode.get(room)!.name });
    this.notify.joinSession(socketId, session.id);
    if (created) {
      await this.presence.setSession(room, { id: session.id, state: 'calling', since: session.started_at.toISOString(), answeredBy: null });
      this.log.info('call started', { sessionId: session.id, room });
      await this.broadcastRoom(room);
    }
    return { sessionId: session.id, peerId: kioskPeerId };
  }

  async answerCall(
    sessionId: string,
    officer: { userId: string; name: string; role: ParticipantRole },
    socketId: string,
  ): Promise<{ sessionId: string; peerId: string; roomCode: string; producers: ProducerInfo[] }> {
    const live = this.live.get(sessionId);
    // Only the node holding the call's media can serve it; refuse before touching the record.
    if (!live) throw new AppError('NOT_FOUND', 'no such live call on this server');
    const { session, peerId } = await this.store.answer(sessionId, officer.userId, officer.role);
    live.peers.set(peerId, { peerId, role: officer.role, socketId, name: officer.name });
    this.notify.joinSession(socketId, sessionId);
    await this.presence.setSession(session.room_code, { id: sessionId, state: 'active', since: new Date().toISOString(), answeredBy: officer.name });
    this.notify.toSession(sessionId, 'session:answered', { sessionId, officerName: officer.name }, socketId);
    this.log.info('call answered', { sessionId, userId: officer.userId });
    await this.broadcastRoom(session.room_code);
    return { sessionId, peerId, roomCode: session.room_code, producers: this.producerList(live) };
  }

  private producerList(live: LiveSession): ProducerInfo[] {
    return [...live.producers.values()].map(({ producerId, kind, source, participantRole }) => ({ producerId, kind, source, participantRole }));
  }

  /** The caller's peer in a live session; anyone else is told the session does not exist. */
  peerOf(sessionId: string, socketId: string): Peer {
    const live = this.live.get(sessionId);
    const peer = live && [...live.peers.values()].find((p) => p.socketId === socketId);
    if (!peer) throw new AppError('NOT_FOUND', 'no such session');
    return peer;
  }

  producerRole(sessionId: string, producerId: string): ParticipantRole | undefined {
    return this.live.get(sessionId)?.producers.get(producerId)?.participantRole;
  }

  recordProducer(sessionId: string, peer: Peer, producerId: string, kind: MediaKind, source: TrackSource): void {
    const live = this.live.get(sessionId);
    if (!live) return;
    const info: ProducerInfo = { producerId, kind, source, participantRole: peer.role };
    live.producers.set(producerId, { ...info, peerId: peer.peerId });
    this.notify.toSession(sessionId, 'session:producer', { sessionId, producer: info }, peer.socketId);
  }

  private forgetProducer(sessionId: string, producerId: string): void {
    const live = this.live.get(sessionId);
    if (live?.producers.delete(producerId)) this.notify.toSession(sessionId, 'session:producerClosed', { sessionId, producerId });
  }

  /** Shows the villager's receipt on the kiosk of that call; nobody else in the session receives it. */
  pushReceipt(sessionId: string, receipt: { caseCode: string; pin: string }): boolean {
    const kiosk = [...(this.live.get(sessionId)?.peers.values() ?? [])].find((p) => p.role === 'kiosk');
    if (kiosk) this.notify.toSocket(kiosk.socketId, 'session:receipt', { sessionId, ...receipt });
    return kiosk !== undefined;
  }

  /** A participant hangs up; either side hanging up ends the two-party call. */
  async hangUp(sessionId: string, socketId: string): Promise<void> {
    const peer = this.peerOf(sessionId, socketId);
    const live = this.live.get(sessionId)!;
    const calling = ![...live.peers.values()].some((p) => p.role !== 'kiosk');
    await this.end(sessionId, END_REASON_BY_ROLE.hangup(peer.role, calling), peer.peerId);
  }

  async socketGone(socketId: string): Promise<void> {
    for (const live of [...this.live.values()]) {
      const peer = [...live.peers.values()].find((p) => p.socketId === socketId);
      if (peer) await this.end(live.id, END_REASON_BY_ROLE.disconnect(peer.role, false), peer.peerId);
    }
  }

  /** Ends a session everywhere: the record, the media, the room state and every participant's screen. */
  async end(sessionId: string, reason: SessionEndReason, causedByPeer?: string): Promise<void> {
    const live = this.live.get(sessionId);
    this.live.delete(sessionId);
    await this.store.end(sessionId, reason, causedByPeer);
    const sfuReason: SfuCloseReason = reason === 'sfu_failure' ? 'worker_died' : reason === 'server_shutdown' ? 'shutdown' : 'session_ended';
    await this.sfu.request('closeRouter', { sessionId, reason: sfuReason }).catch((err) => this.log.warn('closeRouter failed', { sessionId, ...errorFields(err) }));
    if (!live) return;
    this.notify.toSession(sessionId, 'session:ended', { sessionId, reason });
    for (const p of live.peers.values()) this.notify.leaveSession(p.socketId, sessionId);
    await this.presence.setSession(live.roomCode, null);
    this.log.info('session ended', { sessionId, reason });
    await this.broadcastRoom(live.roomCode);
  }

  async shutdown(): Promise<void> {
    for (const id of [...this.live.keys()]) {
      await this.end(id, 'server_shutdown').catch((err) => this.log.error('could not end session at shutdown', { sessionId: id, ...errorFields(err) }));
    }
  }
}
