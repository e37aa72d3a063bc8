import {
  AppError,
  errorFields,
  type LeaveReason,
  type Logger,
  type MediaKind,
  type ParticipantRole,
  type ProducerInfo,
  type RoomInfo,
  type RoomView,
  type RtpCapabilities,
  type ServerEvent,
  type ServerPayload,
  type SessionEndReason,
  type SfuApi,
  type SfuCloseReason,
  type TrackSource,
  ERROR_MESSAGES,
} from '@vj/shared';
import type { AlertService } from '../alerts/alert-service.js';
import type { CallQueue } from '../cluster/call-queue.js';
import type { NodeBus } from '../cluster/node-bus.js';
import type { Ownership } from '../cluster/ownership.js';
import type { Presence } from '../presence/presence.js';
import { isCounty, stateView, visibleProducers, type LiveSession, type Peer } from './live.js';
import { coverView } from './sealed-room.js';
import type { SessionStore } from './session-store.js';
import type { Timeline } from './timeline.js';
import type { WallService } from './wall.js';

/** Delivers pushes to sockets; socket.io (with its Redis adapter when scaled out) implements it. */
export interface Notifier {
  toSocket<E extends ServerEvent>(socketId: string, event: E, payload: ServerPayload<E>): void;
  /** To every county console, but those of the users in `exceptUsers`. */
  toCounty<E extends ServerEvent>(event: E, payload: ServerPayload<E>, exceptUsers?: readonly string[]): void;
  /** To reception staff of one room (they see their own room's state, no other), but the users in `exceptUsers`. */
  toRoomStaff<E extends ServerEvent>(room: string, event: E, payload: ServerPayload<E>, exceptUsers?: readonly string[]): void;
  /** To every socket of these users, on any node. */
  toUsers<E extends ServerEvent>(userIds: readonly string[], event: E, payload: ServerPayload<E>): void;
}

/** Where sessions run and how nodes reach each other: the local kinds, or the Redis kinds, chosen at start-up. */
export interface ClusterParts {
  ownership: Ownership;
  queue: CallQueue;
  bus: NodeBus;
}

export interface CallTimings {
  /** How long an unanswered call waits before supervisors are alerted. */
  escalateAfterMs: number;
}

/** What a socket may do with one session's media: resolved per request by `scope`. */
export interface MediaScope {
  sessionId: string;
  peer: Peer;
  assertCanProduce(): void;
  assertCanConsume(producerId: string): void;
}

/** What the session lifecycle tells the recorder; set once at start-up. */
export interface SessionRecorder {
  trackAdded(
    sessionId: string,
    roomCode: string,
    info: { producerId: string; kind: MediaKind; source: TrackSource; participantRole: ParticipantRole; participantId: string | null },
  ): Promise<void>;
  /** Asks the session's recorders to stop; resolves once they have, or after `waitMs`. */
  stopTracks(sessionId: string, waitMs: number): Promise<void>;
  sessionEnded(sessionId: string): Promise<void>;
  setPrivate(sessionId: string, on: boolean): void;
}

/** How long a hang-up waits for the recorders to stop before the screens are told (a stuck one is killed later). */
const RECORDER_STOP_WAIT_MS = 1000;

/**
 * The life of reception sessions: a kiosk calls and one county officer answers, or reception staff start an
 * intake; participants publish and consume; the session ends with a reason. PostgreSQL holds the record,
 * Presence the room states, the SFU the media; this keeps them in step and tells every screen.
 */
export class CallService {
  private readonly live = new Map<string, LiveSession>();
  /** Each room's last push still to go out (broadcastRoom), so a room's pushes leave in order. */
  private readonly roomPushes = new Map<string, Promise<void>>();
  recorder: SessionRecorder | undefined;
  private readonly roomsByCode: Map<string, RoomInfo>;

  constructor(
    readonly store: SessionStore,
    readonly timeline: Timeline,
    private readonly presence: Presence,
    readonly sfu: SfuApi,
    readonly notify: Notifier,
    readonly alerts: AlertService,
    readonly wall: WallService,
    readonly log: Logger,
    rooms: RoomInfo[],
    private readonly timings: CallTimings,
    readonly cluster: ClusterParts,
  ) {
    this.roomsByCode = new Map(rooms.map((r) => [r.code, r]));
    cluster.bus.onMessage((msg) => {
      if (msg.type === 'queueChanged') void this.pushLocalPositions().catch((err) => this.log.warn('queue positions not sent', errorFields(err)));
      if (msg.type === 'wallResync') void this.reshowWall();
    });
    sfu.on('producerClosed', ({ sessionId, producerId }) => this.forgetProducer(sessionId, producerId));
    sfu.on('routerClosed', ({ sessionId, reason }) => {
      if (reason === 'worker_died' && this.live.has(sessionId)) void this.restoreMedia(sessionId);
    });
  }

  /**
   * The session's SFU worker died and took its router along: a new router goes on a healthy worker (or node),
   * and every participant is told to publish and consume again. Only if that fails does the session end.
   */
  private async restoreMedia(sessionId: string): Promise<void> {
    const live = this.live.get(sessionId);
    if (!live) return;
    const t0 = Date.now();
    this.log.error('session media lost: its SFU worker died; re-creating', { sessionId });
    for (const producerId of [...live.producers.keys()]) this.forgetProducer(sessionId, producerId);
    try {
      await this.sfu.request('createRouter', { sessionId });
    } catch (err) {
      this.log.error('could not re-create session media', { sessionId, ...errorFields(err) });
      return this.end(sessionId, 'sfu_failure').catch((e) => this.log.error('could not end session', { sessionId, ...errorFields(e) }));
    }
    this.toPeers(live, 'session:mediaReset', { sessionId });
    this.log.info('session media re-created', { sessionId, ms: Date.now() - t0 });
  }

  /** After Redis lost everything: this node's sessions, their place in the queue and presence go back in. */
  async reassert(): Promise<void> {
    await this.wall.reassert();
    for (const live of this.live.values()) {
      await this.cluster.ownership.claim(live.id);
      if (live.state === 'calling') await this.cluster.queue.add(live.id, live.startedAt);
      for (const p of live.producers.values()) await this.cluster.ownership.rememberProducer(live.id, p);
      this.broadcastState(live);
      await this.syncPresence(live, live.answeredBy ?? null);
    }
    this.pushQueue();
  }

  get rooms(): RoomInfo[] {
    return [...this.roomsByCode.values()];
  }

  room(code: string): RoomInfo {
    const r = this.roomsByCode.get(code);
    if (!r) throw new AppError('NOT_FOUND', ERROR_MESSAGES.calls.unknownRoom);
    return r;
  }

  session(id: string): LiveSession | undefined {
    return this.live.get(id);
  }
  /** Keeps the router capabilities a participant was given, to send with the answer (LiveSession.rtpCapabilities). */
  noteCapabilities(sessionId: string, rtpCapabilities: RtpCapabilities): void {
    const live = this.live.get(sessionId);
    if (live) live.rtpCapabilities = rtpCapabilities;
  }

  sessions(): LiveSession[] {
    return [...this.live.values()];
  }

  /** Puts a session into the live registry (a new one, or one picked up again after a restart). */
  async adopt(live: LiveSession): Promise<void> {
    this.live.set(live.id, live);
    await this.cluster.ownership.claim(live.id);
    if (live.state === 'calling') await this.cluster.queue.add(live.id, live.startedAt);
  }

  /**
   * The rooms as user `viewerId` may see them: a room whose live call a sealed matter was taken in shows under its
   * cover (sealed-room.ts), unless the viewer is in that call now.
   */
  async roomViews(viewerId: string, codes = [...this.roomsByCode.keys()]): Promise<RoomView[]> {
    const views = await this.presenceViews(codes);
    const hidden = await this.store.sealedCallsHiddenFrom(
      viewerId,
      views.flatMap((v) => (v.sessionId ? [v.sessionId] : [])),
    );
    return views.map((v) => (v.sessionId && hidden.has(v.sessionId) ? coverView(v) : v));
  }

  /** The rooms as Presence holds them, every call's details included: only ever sent through `roomViews` and `broadcastRoom`. */
  private async presenceViews(codes: string[]): Promise<RoomView[]> {
    const states = await this.presence.get(codes);
    return states.map((p) => {
      const room = this.roomsByCode.get(p.code)!;
      const s = p.session;
      const state = !s ? (p.kioskOnline ? 'online' : 'offline') : s.state === 'calling' ? 'calling' : s.private ? 'private' : 'in_session';
      return {
        ...room,
        state,
        sessionId: s?.id ?? null,
        since: s?.since ?? p.kioskSince,
        answeredBy: s?.answeredBy ?? null,
        sessionKind: s?.kind ?? null,
        link: s?.link ?? null,
        check: p.check,
      };
    });
  }

  /**
   * Tells the county's consoles and the room's staff the room's state. A live call a sealed matter was taken in goes as
   * it is to those in it now, and under its cover (sealed-room.ts) to every other socket, on every node. A push that
   * cannot be decided (the database did not answer) is not sent, and the caller's action stands: the room's next
   * change sends it again.
   *
   * One room's pushes go out one after another, in the order they were asked for: each reads the room when its turn
   * comes, so a push whose seal check was slow can no longer land after a later one and show a state already gone.
   */
  broadcastRoom(code: string): Promise<void> {
    const next = (this.roomPushes.get(code) ?? Promise.resolve()).then(() => this.pushRoom(code));
    // The chain goes on whatever this push meets (the caller hears of its failure through `next`), and forgets the
    // room once its last push has gone.
    const tail: Promise<void> = next.then(
      () => this.forgetPushed(code, tail),
      () => this.forgetPushed(code, tail),
    );
    this.roomPushes.set(code, tail);
    return next;
  }

  private forgetPushed(code: string, tail: Promise<void>): void {
    if (this.roomPushes.get(code) === tail) this.roomPushes.delete(code);
  }

  private async pushRoom(code: string): Promise<void> {
    const [view] = await this.presenceViews([code]);
    if (!view) return;
    let insiders: string[] | undefined;
    try {
      if (view.sessionId && (await this.store.sealedMatterTaken(view.sessionId))) insiders = await this.store.usersIn(view.sessionId);
    } catch (err) {
      this.log.warn('room state not pushed', { room: code, ...errorFields(err) });
      return;
    }
    if (!insiders) {
      this.notify.toCounty('rooms:state', view);
      this.notify.toRoomStaff(code, 'rooms:state', view);
      return;
    }
    const cover = coverView(view);
    this.notify.toCounty('rooms:state', cover, insiders);
    this.notify.toRoomStaff(code, 'rooms:state', cover, insiders);
    this.notify.toUsers(insiders, 'rooms:state', view);
  }

  /** Mirrors a live session into Presence (for every node's wall) and tells the county. */
  async syncPresence(live: LiveSession, answeredBy: string | null = null): Promise<void> {
    await this.writePresence(live, answeredBy);
    await this.broadcastRoom(live.roomCode);
  }

  private async writePresence(live: LiveSession, answeredBy: string | null): Promise<void> {
    const prior = (await this.presence.get([live.roomCode]))[0]?.session;
    await this.presence.setSession(live.roomCode, {
      id: live.id,
      state: live.state,
      kind: live.kind,
      private: live.private,
      since: prior?.id === live.id && prior.state === live.state ? prior.since : new Date().toISOString(),
      answeredBy: answeredBy ?? (prior?.id === live.id ? prior.answeredBy : null),
      link: live.kioskLink?.level ?? null,
    });
  }

  /** Sends to every connected participant the filter admits. */
  toPeers<E extends ServerEvent>(live: LiveSession, event: E, payload: ServerPayload<E>, filter: (p: Peer) => boolean = () => true): void {
    for (const p of live.peers.values()) if (p.socketId && filter(p)) this.notify.toSocket(p.socketId, event, payload);
  }

  broadcastState(live: LiveSession): void {
    this.toPeers(live, 'session:state', stateView(live));
    const peers = [...live.peers.values()].map((p) => ({ peerId: p.peerId, socketId: p.socketId }));
    this.cluster.ownership
      .rememberSockets(live.id, peers)
      .catch((err) => this.log.warn('session sockets not saved', { sessionId: live.id, ...errorFields(err) }));
  }

  kioskOf(room: string): Promise<{ socketId: string; deviceId: string } | null> {
    return this.presence.kiosk(room);
  }

  async kioskConnected(room: string, socketId: string, deviceId: string): Promise<void> {
    await this.presence.kioskConnected(room, socketId, deviceId);
    this.alerts.resolve(`kiosk_offline:${room}`);
    await this.broadcastRoom(room);
  }

  async kioskDisconnected(room: string, socketId: string): Promise<void> {
    if (!(await this.presence.kioskDisconnected(room, socketId))) return;
    this.alerts.raiseDuringOfficeHours('kiosk_offline', room, `kiosk_offline:${room}`);
    await this.broadcastRoom(room);
  }

  /** Idempotent by requestId: a retried press returns the session the first press opened. */
  async startCall(room: string, deviceId: string, socketId: string, requestId: string): Promise<{ sessionId: string; peerId: string }> {
    const info = this.room(room);
    const { session, kioskPeerId, created } = await this.store.openForKiosk(room, deviceId, requestId);
    let live = this.live.get(session.id);
    if (!live) {
      live = {
        id: session.id,
        roomCode: room,
        kind: 'county_call',
        state: 'calling',
        private: false,
        startedAt: session.started_at,
        peers: new Map(),
        producers: new Map(),
      };
      await this.adopt(live);
    }
    try {
      await this.sfu.request('createRouter', { sessionId: session.id });
    } catch (err) {
      await this.end(session.id, 'sfu_failure');
      throw err;
    }
    const kiosk = live.peers.get(kioskPeerId);
    if (kiosk) kiosk.socketId = socketId;
    else live.peers.set(kioskPeerId, { peerId: kioskPeerId, role: 'kiosk', name: info.name, principalId: deviceId, socketId, mode: null });
    if (created) {
      live.escalateTimer = setTimeout(() => {
        const waiting = this.live.get(session.id);
        if (waiting?.state !== 'calling') return;
        this.alerts.raise('call_unanswered', room, `call_unanswered:${session.id}`);
        // The kiosk stops promising an answer "right away" and offers a callback instead.
        this.toPeers(waiting, 'session:unanswered', { sessionId: session.id }, (p) => p.role === 'kiosk');
      }, this.timings.escalateAfterMs);
      live.escalateTimer.unref();
      await this.timeline.event(session.id, 'joined', { participantId: kioskPeerId }, { role: 'kiosk' });
      this.log.info('call started', { sessionId: session.id, room });
      this.broadcastState(live);
      await this.syncPresence(live);
      this.pushQueue();
    }
    return { sessionId: session.id, peerId: kioskPeerId };
  }

  /** Tells every waiting kiosk, on every node, its place in the county-wide queue. */
  pushQueue(): void {
    this.cluster.bus.broadcast({ type: 'queueChanged' }).catch((err) => this.log.warn('queue change not announced', errorFields(err)));
  }

  private async pushLocalPositions(): Promise<void> {
    const order = await this.cluster.queue.order();
    order.forEach((id, i) => {
      const s = this.live.get(id);
      if (s?.state === 'calling') this.toPeers(s, 'queue:position', { sessionId: id, position: i + 1 }, (p) => p.role === 'kiosk');
    });
  }

  /** The wall has a new owner: show it this node's kiosk cameras again. */
  private async reshowWall(): Promise<void> {
    for (const live of this.live.values()) {
      for (const p of live.producers.values())
        if (p.participantRole === 'kiosk' && p.kind === 'video') await this.wall.show(live.id, live.roomCode, p.producerId);
    }
  }

  /**
   * Of officers answering together, on any node, exactly one takes the call out of the queue; PostgreSQL
   * checks the same again when it records who answered.
   */
  async answerCall(sessionId: string, officer: { userId: string; name: string; role: ParticipantRole }, socketId: string) {
    const live = this.live.get(sessionId);
    if (!live) throw new AppError('NOT_FOUND', ERROR_MESSAGES.calls.notFound);
    if (live.state !== 'calling' || !(await this.cluster.queue.take(sessionId))) throw new AppError('CALL_ALREADY_TAKEN', ERROR_MESSAGES.calls.taken);
    let peerId: string;
    try {
      ({ peerId } = await this.store.answer(sessionId, officer.userId, officer.role));
    } catch (err) {
      if (this.live.get(sessionId)?.state === 'calling') await this.cluster.queue.add(sessionId, live.startedAt);
      throw err;
    }
    live.state = 'active';
    live.answeredBy = officer.name;
    clearTimeout(live.escalateTimer);
    this.alerts.resolve(`call_unanswered:${sessionId}`);
    const peer: Peer = { peerId, role: officer.role, name: officer.name, principalId: officer.userId, socketId, mode: 'join' };
    live.peers.set(peerId, peer);
    this.toPeers(live, 'session:answered', { sessionId, officerName: officer.name }, (p) => p.peerId !== peerId);
    this.broadcastState(live);
    this.log.info('call answered', { sessionId, userId: officer.userId });
    // Presence is written before the answer is acknowledged (a room list read after it shows the call); the push to
    // every console goes after it: its seal check is a query (20-250 ms on a busy embedded database), and the
    // officer's first picture waited on this acknowledgement for it.
    await this.writePresence(live, officer.name);
    this.broadcastRoom(live.roomCode).catch((err) => this.log.warn('room state not pushed', { room: live.roomCode, ...errorFields(err) }));
    this.pushQueue();
    return { sessionId, peerId, roomCode: live.roomCode, producers: visibleProducers(live, peer) };
  }

  /**
   * Resolves what a socket may do with a session's media. Everyone but the participant gets "no such session";
   * a silent monitor may not publish; reception staff get nothing while the session is private.
   */
  scope(sessionId: string, socketId: string): MediaScope {
    if (this.wall.isWall(sessionId)) return this.wall.scope(socketId);
    const live = this.live.get(sessionId);
    const peer = live && [...live.peers.values()].find((p) => p.socketId === socketId);
    if (!live || !peer) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
    return {
      sessionId,
      peer,
      assertCanProduce: () => {
        if (peer.role === 'township_staff') throw new AppError('FORBIDDEN', ERROR_MESSAGES.sessions.staffNoPublish);
        if (peer.mode === 'monitor') throw new AppError('FORBIDDEN', ERROR_MESSAGES.sessions.monitorSilent);
      },
      assertCanConsume: (producerId) => {
        if (!live.producers.has(producerId)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.streamGone);
        if (peer.role === 'township_staff' && live.private) throw new AppError('FORBIDDEN', ERROR_MESSAGES.sessions.privatePart);
      },
    };
  }

  async recordProducer(sessionId: string, peer: Peer, producerId: string, kind: MediaKind, source: TrackSource): Promise<void> {
    const live = this.live.get(sessionId);
    if (!live) return;
    const info: ProducerInfo = { producerId, kind, source, participantRole: peer.role };
    live.producers.set(producerId, { ...info, peerId: peer.peerId });
    await this.cluster.ownership.rememberProducer(sessionId, { ...info, peerId: peer.peerId });
    this.toPeers(live, 'session:producer', { sessionId, producer: info }, (p) => p.peerId !== peer.peerId && !(p.role === 'township_staff' && live.private));
    if (peer.role === 'kiosk' && kind === 'video') await this.wall.show(live.id, live.roomCode, producerId);
    // Recording starts beside the call, not in its way: the publisher's ack does not wait for ffmpeg.
    void this.recorder
      ?.trackAdded(sessionId, live.roomCode, {
        producerId,
        kind,
        source,
        participantRole: peer.role,
        participantId: peer.role === 'kiosk' ? null : peer.principalId,
      })
      .catch((err) => this.log.error('recording a track failed', { sessionId, producerId, ...errorFields(err) }));
  }

  /** The recorder reports its state; every screen of the session shows it. */
  recordingChanged(sessionId: string, state: 'recording' | 'paused' | null): void {
    const live = this.live.get(sessionId);
    if (!live) return;
    live.recording = state;
    this.broadcastState(live);
  }

  private forgetProducer(sessionId: string, producerId: string): void {
    const live = this.live.get(sessionId);
    if (!live?.producers.delete(producerId)) return;
    this.toPeers(live, 'session:producerClosed', { sessionId, producerId });
    this.cluster.ownership
      .forgetProducer(sessionId, producerId)
      .catch((err) => this.log.warn('closed producer not removed from the shared session record', { sessionId, ...errorFields(err) }));
  }

  /**
   * Shows the villager's receipt on the kiosk of that call; nobody else in the session receives it. Only for a
   * petition of this room, filed by a county participant connected to the session right now (monitoring
   * included: a monitor already sees and hears the villager, and a staff-led intake is written up by one).
   * Anyone else gets false and nothing is sent: a receipt never reaches another room's kiosk.
   */
  pushReceipt(sessionId: string, receipt: { caseCode: string; pin: string }, from: { userId: string; townshipCode: string }): boolean {
    const live = this.live.get(sessionId);
    if (!live || live.roomCode !== from.townshipCode) return false;
    const peers = [...live.peers.values()];
    if (!peers.some((p) => isCounty(p) && p.principalId === from.userId && p.socketId)) return false;
    const kiosk = peers.find((p) => p.role === 'kiosk' && p.socketId);
    if (kiosk?.socketId) this.notify.toSocket(kiosk.socketId, 'session:receipt', { sessionId, ...receipt });
    return kiosk !== undefined;
  }

  /** A participant hangs up. The kiosk, the answering officer or the staff running an intake end it for all. */
  async hangUp(sessionId: string, socketId: string): Promise<void> {
    const { peer } = this.scope(sessionId, socketId);
    const live = this.live.get(sessionId)!;
    if (peer.role === 'kiosk') return this.end(sessionId, live.state === 'calling' ? 'caller_cancelled' : 'kiosk_hangup', peer.peerId);
    if (peer.role === 'township_staff') return this.end(sessionId, 'staff_ended', peer.peerId);
    const otherTalker = [...live.peers.values()].some((p) => p !== peer && isCounty(p) && p.mode !== 'monitor' && p.socketId);
    if (isCounty(peer) && peer.mode !== 'monitor' && live.kind === 'county_call' && !otherTalker) return this.end(sessionId, 'officer_hangup', peer.peerId);
    await this.removePeer(live, peer, 'left');
  }

  /** One participant leaves; the session goes on without them. An access end (logout, disable) gives its own reason. */
  async removePeer(live: LiveSession, peer: Peer, reason: Exclude<LeaveReason, 'session_ended'>): Promise<void> {
    clearTimeout(peer.graceTimer);
    live.peers.delete(peer.peerId);
    await this.store.leave(peer.peerId, reason);
    await this.timeline.event(live.id, 'left', { participantId: peer.peerId, actorId: peer.role === 'kiosk' ? null : peer.principalId }, { reason });
    await this.sfu.request('closePeer', {
      sessionId: live.id,
      peerId: peer.peerId,
      reason: reason === 'left' ? 'peer_left' : reason === 'disconnected' ? 'peer_disconnected' : 'access_revoked',
    });
    // Taken out under the confidentiality and recusal rules: the villager's kiosk is told no more than when a watcher
    // leaves of their own accord.
    this.toPeers(live, 'session:participantLeft', { sessionId: live.id, role: peer.role, reason }, (p) => p.role !== 'kiosk' || reason !== 'withdrawn');
    if (reason === 'withdrawn')
      this.toPeers(live, 'session:participantLeft', { sessionId: live.id, role: peer.role, reason: 'left' }, (p) => p.role === 'kiosk');
    this.broadcastState(live);
  }

  /** Ends a session everywhere: the record, the media, the room state and every participant's screen. */
  async end(sessionId: string, reason: SessionEndReason, causedByPeer?: string): Promise<void> {
    const live = this.live.get(sessionId);
    this.live.delete(sessionId);
    this.wall.forget(sessionId);
    if (live) {
      clearTimeout(live.escalateTimer);
      clearTimeout(live.linkTimer);
      for (const p of live.peers.values()) clearTimeout(p.graceTimer);
    }
    this.alerts.resolve(`call_unanswered:${sessionId}`);
    await this.cluster.queue.remove(sessionId);
    await this.store.end(sessionId, reason, causedByPeer);
    if (live?.private) await this.timeline.privateOff(sessionId, null);
    await this.timeline.event(sessionId, 'ended', { participantId: causedByPeer ?? null }, { reason });
    // Everyone is told before the recorder has finished (sealing its last segments can take seconds on a busy
    // machine, and a villager who pressed 挂断 must not stay on a live-call screen meanwhile), but after its ffmpegs
    // have been asked to stop while the media still flows, which they need to notice it (bounded: see stopTracks).
    await this.recorder?.stopTracks(sessionId, RECORDER_STOP_WAIT_MS);
    try {
      if (live) {
        this.toPeers(live, 'session:ended', { sessionId, reason });
        await this.presence.setSession(live.roomCode, null);
        this.log.info('session ended', { sessionId, reason });
        await this.broadcastRoom(live.roomCode);
        this.pushQueue();
      }
    } finally {
      // A store that failed while telling the rooms still leaves no recorder, router or ownership behind.
      await this.recorder?.sessionEnded(sessionId).catch((err) => this.log.error('recording did not finish cleanly', { sessionId, ...errorFields(err) }));
      const sfuReason: SfuCloseReason = reason === 'sfu_failure' ? 'worker_died' : reason === 'server_shutdown' ? 'shutdown' : 'session_ended';
      await this.sfu
        .request('closeRouter', { sessionId, reason: sfuReason })
        .catch((err) => this.log.warn('closeRouter failed', { sessionId, ...errorFields(err) }));
      await this.cluster.ownership.release(sessionId);
    }
  }

  /**
   * Stopping the server leaves sessions open on purpose: the next start picks them up, and participants who
   * come back within the grace period carry on (DESIGN: a session survives a restart). Timers stop here.
   */
  shutdown(): void {
    for (const live of this.live.values()) {
      clearTimeout(live.escalateTimer);
      clearTimeout(live.linkTimer);
      for (const p of live.peers.values()) clearTimeout(p.graceTimer);
    }
    if (this.live.size) this.log.info('live sessions left for pick-up after restart', { count: this.live.size });
  }
}
