import { AppError, errorFields, type JoinResult, ERROR_MESSAGES } from '@vj/shared';
import type { CallService } from './call-service.js';
import type { GoneSockets } from './gone-sockets.js';
import type { SessionStore } from './session-store.js';
import { isCounty, stateView, visibleProducers, type LiveSession, type Peer } from './live.js';

/**
 * Keeps sessions alive across drops. A participant whose socket goes away keeps their place for a grace
 * period; a new socket of the same user or kiosk rejoins (the client then restarts ICE, or rebuilds its
 * transports after a long drop or a reload). Sessions left open by a restart are picked up the same way.
 */
type OpenSession = Awaited<ReturnType<SessionStore['openWithParticipants']>>[number];

export class Reconnect {
  private readonly adopting = new Map<string, Promise<boolean>>();
  /** Set by a normal stop: sockets closing from here on are the stop, not participants leaving. */
  private stopping = false;

  /** A normal stop has begun: work that would change live sessions now leaves them as the next start finds them. */
  get isStopping(): boolean {
    return this.stopping;
  }

  constructor(
    private readonly calls: CallService,
    private readonly graceMs: number,
    /** Runs on each session this node restored, once it is live here: the seal and recusal rules applied again (withdraw.ts). */
    private readonly afterAdopt: (sessionId: string, answeredBy: string | null) => Promise<unknown> = async () => undefined,
    /** Sockets that closed (the wall reads the same record). */
    private readonly gone: GoneSockets,
  ) {}

  async socketGone(socketId: string): Promise<void> {
    this.gone.mark(socketId);
    if (this.stopping) return;
    await this.calls.wall.leave(socketId);
    for (const live of this.calls.sessions()) {
      const peer = [...live.peers.values()].find((p) => p.socketId === socketId);
      if (!peer) continue;
      peer.lastSocketId = socketId;
      peer.socketId = null;
      peer.disconnectedAt = Date.now();
      this.startGrace(live, peer);
      await this.calls.timeline.event(live.id, 'disconnected', { participantId: peer.peerId });
      this.calls.broadcastState(live);
    }
  }

  /**
   * An event that attached `socketId` to a session has just done so. If the socket closed while it worked, its close
   * found no place to start a grace period for, and the place would have stayed for ever: it is treated now as the
   * close would have treated it. Returns whether the socket was gone. Not during a normal stop: its sockets closing
   * are the stop, and the next start finds the session as it was.
   */
  async attachedAfterClose(socketId: string): Promise<boolean> {
    if (!this.gone.has(socketId) || this.stopping) return false;
    await this.socketGone(socketId);
    return true;
  }

  private startGrace(live: LiveSession, peer: Peer): void {
    clearTimeout(peer.graceTimer);
    peer.graceTimer = setTimeout(() => {
      this.expire(live.id, peer.peerId).catch((err) =>
        this.calls.log.error('could not close a lapsed participant', { sessionId: live.id, ...errorFields(err) }),
      );
    }, this.graceMs);
    peer.graceTimer.unref();
  }

  /** The grace period ran out. A missing kiosk, or the only talking officer of a call, ends the session. */
  private async expire(sessionId: string, peerId: string): Promise<void> {
    const live = this.calls.session(sessionId);
    const peer = live?.peers.get(peerId);
    if (!live || !peer || peer.socketId) return;
    if (live.restored) return this.calls.end(sessionId, 'server_restart');
    if (peer.role === 'kiosk') return this.calls.end(sessionId, 'kiosk_disconnected', peerId);
    const otherTalker = [...live.peers.values()].some((p) => p !== peer && isCounty(p) && p.mode !== 'monitor' && p.socketId);
    if (live.kind === 'county_call' && isCounty(peer) && peer.mode !== 'monitor' && !otherTalker)
      return this.calls.end(sessionId, 'officer_disconnected', peerId);
    const otherStaff = [...live.peers.values()].some((p) => p !== peer && p.role === 'township_staff' && p.socketId);
    if (live.kind === 'staff_intake' && peer.role === 'township_staff' && !otherStaff && !otherTalker) return this.calls.end(sessionId, 'staff_ended', peerId);
    await this.calls.removePeer(live, peer, 'disconnected');
  }

  /** Live sessions the user or kiosk (principalId) is still a participant of. */
  mine(principalId: string): { sessionId: string; roomCode: string }[] {
    return this.calls
      .sessions()
      .filter((s) => [...s.peers.values()].some((p) => p.principalId === principalId))
      .map((s) => ({ sessionId: s.id, roomCode: s.roomCode }));
  }

  private placeOf(sessionId: string, principalId: string): { live: LiveSession; peer: Peer } | undefined {
    const live = this.calls.session(sessionId);
    const peer = live && [...live.peers.values()].find((p) => p.principalId === principalId);
    return live && peer ? { live, peer } : undefined;
  }

  /**
   * The client gave the call up after the grace period without reaching the server (a server stopped for
   * longer, a long outage). It lapses now, by the same rule as a grace timer running out, so the room is free
   * for the next call at once instead of after another grace period.
   */
  async lapse(sessionId: string, principalId: string, socketId: string): Promise<void> {
    const place = this.placeOf(sessionId, principalId);
    // A place another socket holds again (another tab, a second console) is not this client's to give up.
    if (!place || (place.peer.socketId && place.peer.socketId !== socketId)) return;
    clearTimeout(place.peer.graceTimer);
    await this.expire(sessionId, place.peer.peerId);
  }

  /**
   * The client hung up or left while it could not reach the server: this socket takes the place back, as a
   * rejoin would (without media or a timeline entry), so that the hang-up or leave runs by its usual rule.
   * False when there is no place left to take.
   */
  takeBack(sessionId: string, principalId: string, socketId: string): boolean {
    const place = this.placeOf(sessionId, principalId);
    if (!place) return false;
    clearTimeout(place.peer.graceTimer);
    place.peer.socketId = socketId;
    place.live.restored = false;
    return true;
  }

  /**
   * A normal stop (SIGINT, SIGTERM): sessions stay open for the next start to pick up, and the record says why
   * everyone dropped. Grace timers stop; the closing sockets are not treated as participants leaving.
   */
  async serverStopping(signal: string): Promise<void> {
    this.stopping = true;
    this.calls.shutdown();
    for (const live of this.calls.sessions()) {
      for (const peer of live.peers.values()) {
        if (!peer.socketId) continue;
        await this.calls.timeline
          .event(live.id, 'disconnected', { participantId: peer.peerId }, { cause: 'server_stop', signal })
          .catch((err) => this.calls.log.warn('server stop not written to the timeline', { sessionId: live.id, ...errorFields(err) }));
      }
    }
  }

  async rejoin(sessionId: string, principalId: string, socketId: string): Promise<JoinResult & { media: 'kept' | 'fresh' }> {
    const live = this.calls.session(sessionId);
    const peer = live && [...live.peers.values()].find((p) => p.principalId === principalId);
    if (!live || !peer) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
    clearTimeout(peer.graceTimer);
    const wasAway = peer.socketId !== socketId;
    peer.socketId = socketId;
    live.restored = false;
    // Asked for on the same socket too: after a worker died, the client's rejoin can come while restoreMedia is
    // still re-creating the router, and the dump below found none (NOT_FOUND: the call ended on both screens, seen
    // in a cluster run of worker-death). createRouter is idempotent and waits for a creation already under way.
    await this.calls.sfu.request('createRouter', { sessionId });
    if (wasAway) {
      await this.calls.timeline.event(
        sessionId,
        'reconnected',
        { participantId: peer.peerId },
        { awayMs: peer.disconnectedAt ? Date.now() - peer.disconnectedAt : 0 },
      );
    }
    // A restarted server (or a lost worker) holds none of this participant's transports: the client must
    // build new ones, since an ICE restart on transports the SFU no longer has can only be refused.
    const held = await this.calls.sfu.request('dump', { sessionId });
    const media = held.peers.some((p) => p.peerId === peer.peerId && p.transports > 0) ? 'kept' : 'fresh';
    this.calls.broadcastState(live);
    return { peerId: peer.peerId, session: stateView(live), producers: visibleProducers(live, peer), media };
  }

  /**
   * Resolves once a takeover of this session that is under way here has settled, its seal and recusal check included:
   * the session is live here from `adopt` on, and a client's event must not reach it before that check is done.
   */
  async settled(sessionId: string): Promise<void> {
    // eslint-disable-next-line no-restricted-syntax -- a takeover that failed part-way is logged by restore()'s caller; what waited goes on with the session as it is
    await this.adopting.get(sessionId)?.catch(() => undefined);
  }

  /** Drops a participant's transports and tracks so its client can build fresh ones. */
  async reset(sessionId: string, socketId: string): Promise<void> {
    const { peer } = this.calls.scope(sessionId, socketId);
    await this.calls.sfu.request('closePeer', { sessionId, peerId: peer.peerId, reason: 'peer_left' });
  }

  /**
   * At start-up: sessions a previous run left open come back with everyone disconnected. Whoever returns
   * within the grace period continues; a session nobody needed ends with "server_restart". In a cluster the
   * same happens to the sessions of a node that died, on the node that takes them over; sessions another
   * live node runs are left to it. With `only`, just those sessions are looked at.
   */
  async restore(only?: string[]): Promise<number> {
    const open = await this.calls.store.openWithParticipants(only);
    let taken = 0;
    for (const row of open) {
      // Two clients of one session can reach this node at once after their node died: one takeover, not two.
      const pending = this.adopting.get(row.session.id);
      if (pending) {
        await pending;
        continue;
      }
      const adoption = this.adoptOne(row).finally(() => this.adopting.delete(row.session.id));
      this.adopting.set(row.session.id, adoption);
      if (await adoption) taken++;
    }
    if (taken) this.calls.pushQueue();
    return taken;
  }

  private async adoptOne({ session, participants }: OpenSession): Promise<boolean> {
    if (this.calls.session(session.id) || !(await this.calls.cluster.ownership.takeOver(session.id))) return false;
    const live: LiveSession = {
      id: session.id,
      roomCode: session.room_code,
      kind: session.kind,
      state: session.state === 'calling' ? 'calling' : 'active',
      private: session.private,
      startedAt: session.started_at,
      peers: new Map(),
      producers: new Map(),
      restored: true,
    };
    // Who answered, so the queue and the wall still read "由 某某 接听" after a restart.
    const answerer = participants.find((p) => p.user_id !== null && p.user_id === session.answered_by);
    if (answerer?.name) live.answeredBy = answerer.name;
    // Media may still be flowing on the SFU nodes: what was published is known to whoever takes over.
    for (const p of await this.calls.cluster.ownership.producers(session.id)) live.producers.set(p.producerId, p);
    // Participants whose sockets are on a node still running stay connected; the rest get the grace period.
    const sockets = await this.calls.cluster.ownership.liveSockets(session.id);
    for (const p of participants) {
      const principalId = p.device_id ?? p.user_id;
      if (!principalId) continue;
      const socketId = sockets.get(p.id) ?? null;
      const peer: Peer = {
        peerId: p.id,
        role: p.role,
        name: p.name ?? '',
        principalId,
        socketId,
        mode: p.role === 'kiosk' || p.role === 'township_staff' ? null : 'join',
        ...(socketId ? {} : { disconnectedAt: Date.now() }),
      };
      live.peers.set(peer.peerId, peer);
      if (!socketId) this.startGrace(live, peer);
    }
    if (live.peers.size === 0) {
      await this.calls.end(session.id, 'server_restart');
      return false;
    }
    // A sealed matter was taken in it: it stays off the wall here too (before any camera of it is shown again).
    if (await this.calls.store.sealedMatterTaken(session.id)) {
      await this.calls.wall
        .hide(session.id)
        .catch((err) => this.calls.log.error('sealed call not kept off the wall', { sessionId: session.id, ...errorFields(err) }));
    }
    await this.calls.adopt(live);
    // Never fails the takeover: the call is live here whatever the check finds; a failure is logged (ids only).
    await this.afterAdopt(session.id, session.answered_by).catch((err) =>
      this.calls.log.error('seal and recusal not applied again to a restored call', { sessionId: session.id, ...errorFields(err) }),
    );
    await this.calls.syncPresence(live, live.answeredBy ?? null);
    return true;
  }
}
