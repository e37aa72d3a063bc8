import { AppError, errorFields, type JoinResult } from '@vj/shared';
import type { CallService } from './call-service.js';
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

  constructor(
    private readonly calls: CallService,
    private readonly graceMs: number,
  ) {}

  async socketGone(socketId: string): Promise<void> {
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

  private startGrace(live: LiveSession, peer: Peer): void {
    clearTimeout(peer.graceTimer);
    peer.graceTimer = setTimeout(() => {
      this.expire(live.id, peer.peerId).catch((err) => this.calls.log.error('could not close a lapsed participant', { sessionId: live.id, ...errorFields(err) }));
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
    if (live.kind === 'county_call' && isCounty(peer) && peer.mode !== 'monitor' && !otherTalker) return this.calls.end(sessionId, 'officer_disconnected', peerId);
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

  async rejoin(sessionId: string, principalId: string, socketId: string): Promise<JoinResult> {
    const live = this.calls.session(sessionId);
    const peer = live && [...live.peers.values()].find((p) => p.principalId === principalId);
    if (!live || !peer) throw new AppError('NOT_FOUND', 'no such session');
    clearTimeout(peer.graceTimer);
    const wasAway = peer.socketId !== socketId;
    peer.socketId = socketId;
    live.restored = false;
    if (wasAway) {
      await this.calls.sfu.request('createRouter', { sessionId });
      await this.calls.timeline.event(sessionId, 'reconnected', { participantId: peer.peerId }, { awayMs: peer.disconnectedAt ? Date.now() - peer.disconnectedAt : 0 });
    }
    this.calls.broadcastState(live);
    return { peerId: peer.peerId, session: stateView(live), producers: visibleProducers(live, peer) };
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
    this.calls.pushQueue();
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
    // Media may still be flowing on the SFU nodes: what was published is known to whoever takes over.
    for (const p of await this.calls.cluster.ownership.producers(session.id)) live.producers.set(p.producerId, p);
    // Participants whose sockets are on a node still running stay connected; the rest get the grace period.
    const sockets = await this.calls.cluster.ownership.liveSockets(session.id);
    for (const p of participants) {
      const principalId = p.device_id ?? p.user_id;
      if (!principalId) continue;
      const socketId = sockets.get(p.id) ?? null;
      const peer: Peer = { peerId: p.id, role: p.role, name: p.name ?? '', principalId, socketId, mode: p.role === 'kiosk' || p.role === 'township_staff' ? null : 'join', ...(socketId ? {} : { disconnectedAt: Date.now() }) };
      live.peers.set(peer.peerId, peer);
      if (!socketId) this.startGrace(live, peer);
    }
    if (live.peers.size === 0) {
      await this.calls.end(session.id, 'server_restart');
      return false;
    }
    await this.calls.adopt(live);
    await this.calls.syncPresence(live);
    return true;
  }
}
