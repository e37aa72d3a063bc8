import { AppError, type CountyMode, type JoinResult, type ParticipantRole, ERROR_MESSAGES } from '@vj/shared';
import type { CallService } from './call-service.js';
import { isCounty, stateView, visibleProducers, type LiveSession, type Peer } from './live.js';

interface Officer {
  userId: string;
  name: string;
  role: ParticipantRole;
  township?: string | undefined;
}

/**
 * How the county supervises a room: watch silently (the kiosk says so: hidden observation of citizens is not
 * acceptable), join the conversation, take over an intake from reception staff, or go private. Every change
 * is on the session timeline and in the audit log, with who made it.
 */
export class Supervision {
  constructor(private readonly calls: CallService) {}

  private live(sessionId: string): LiveSession {
    const live = this.calls.session(sessionId);
    if (!live) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
    return live;
  }

  private joined(live: LiveSession, peer: Peer): JoinResult {
    return { peerId: peer.peerId, session: stateView(live), producers: visibleProducers(live, peer) };
  }

  private async recordMode(live: LiveSession, peer: Peer, mode: CountyMode): Promise<void> {
    await this.calls.timeline.audited(
      live.id,
      'mode',
      { participantId: peer.peerId, actorId: peer.principalId },
      { mode },
      {
        actorId: peer.principalId,
        actorRole: peer.role === 'county_supervisor' ? 'county_supervisor' : 'county_officer',
        action: 'session.mode',
        objectType: 'session',
        objectId: live.id,
        townshipCode: live.roomCode,
        details: { mode },
      },
    );
  }

  /** A county officer enters a live session in a mode; entering again just changes socket and mode. */
  async watch(sessionId: string, officer: Officer, socketId: string, mode: CountyMode): Promise<JoinResult> {
    const live = this.live(sessionId);
    if (live.state === 'calling') throw new AppError('INVALID_STATE', ERROR_MESSAGES.sessions.answerInstead);
    let peer = [...live.peers.values()].find((p) => p.principalId === officer.userId && isCounty(p));
    if (!peer) {
      const peerId = await this.calls.store.join(sessionId, officer.role, officer.userId);
      // Created without a mode, so entering is recorded as a mode change like any other.
      peer = { peerId, role: officer.role, name: officer.name, principalId: officer.userId, socketId, mode: null };
      live.peers.set(peerId, peer);
      await this.calls.timeline.event(sessionId, 'joined', { participantId: peerId, actorId: officer.userId }, { role: officer.role });
    }
    peer.socketId = socketId;
    await this.applyMode(live, peer, mode);
    return this.joined(live, peer);
  }

  async setMode(sessionId: string, socketId: string, mode: CountyMode): Promise<void> {
    const live = this.live(sessionId);
    const { peer } = this.calls.scope(sessionId, socketId);
    if (!isCounty(peer)) throw new AppError('FORBIDDEN', ERROR_MESSAGES.sessions.countyModesOnly);
    await this.applyMode(live, peer, mode);
  }

  private async applyMode(live: LiveSession, peer: Peer, mode: CountyMode): Promise<void> {
    const changed = peer.mode !== mode;
    peer.mode = mode;
    // Silent means silent: whatever this officer was sending stops at the server, not only in their browser.
    if (mode === 'monitor') await this.calls.sfu.request('closePeerProducers', { sessionId: live.id, peerId: peer.peerId, reason: 'monitor_mode' });
    if (changed) await this.recordMode(live, peer, mode);
    this.calls.broadcastState(live);
  }

  /**
   * Private mode closes reception staff's consumers on the server (their screens go dark) and marks the
   * segment county-only; leaving it lets staff receive again.
   */
  async setPrivate(sessionId: string, socketId: string, on: boolean): Promise<void> {
    const live = this.live(sessionId);
    const { peer } = this.calls.scope(sessionId, socketId);
    if (!isCounty(peer) || peer.mode === 'monitor') throw new AppError('FORBIDDEN', ERROR_MESSAGES.sessions.joinToPrivate);
    if (live.private === on) return;
    live.private = on;
    this.calls.recorder?.setPrivate(sessionId, on);
    if (on) await this.calls.timeline.privateOn(sessionId, peer.principalId);
    else await this.calls.timeline.privateOff(sessionId, peer.principalId);
    await this.calls.timeline.audited(
      sessionId,
      on ? 'private_on' : 'private_off',
      { participantId: peer.peerId, actorId: peer.principalId },
      {},
      {
        actorId: peer.principalId,
        actorRole: peer.role === 'county_supervisor' ? 'county_supervisor' : 'county_officer',
        action: 'session.private',
        objectType: 'session',
        objectId: sessionId,
        townshipCode: live.roomCode,
        details: { private: on },
      },
    );
    const staff = [...live.peers.values()].filter((p) => p.role === 'township_staff');
    for (const s of staff) {
      if (on) await this.calls.sfu.request('closePeerConsumers', { sessionId, peerId: s.peerId, reason: 'private_mode' });
      else
        for (const producer of visibleProducers(live, s)) if (s.socketId) this.calls.notify.toSocket(s.socketId, 'session:producer', { sessionId, producer });
    }
    this.calls.broadcastState(live);
    await this.calls.syncPresence(live);
  }

  /** The villager asks, at the kiosk, to speak to the county alone; the county participants are told and decide. */
  async requestPrivate(sessionId: string, socketId: string): Promise<void> {
    const live = this.live(sessionId);
    const { peer } = this.calls.scope(sessionId, socketId);
    await this.calls.timeline.event(sessionId, 'private_requested', { participantId: peer.peerId });
    this.calls.toPeers(live, 'session:privateRequested', { sessionId, roomCode: live.roomCode }, isCounty);
  }

  /** A county officer or reception staff leaves; the session goes on. The kiosk cannot leave: it ends the session. */
  async leave(sessionId: string, socketId: string): Promise<void> {
    const live = this.live(sessionId);
    const { peer } = this.calls.scope(sessionId, socketId);
    if (peer.role === 'kiosk') throw new AppError('INVALID_STATE', ERROR_MESSAGES.sessions.kioskEnds);
    await this.calls.removePeer(live, peer, 'left');
  }

  /** Reception staff start an intake in their own room; the room's kiosk is told to publish into it. */
  async startStaffIntake(staff: Officer, socketId: string, requestId: string): Promise<JoinResult> {
    const room = staff.township;
    if (!room) throw new AppError('FORBIDDEN', ERROR_MESSAGES.sessions.noTownship);
    const info = this.calls.room(room);
    const kiosk = await this.calls.kioskOf(room);
    if (!kiosk) throw new AppError('INVALID_STATE', ERROR_MESSAGES.sessions.kioskOffline);
    const { session, staffPeerId, kioskPeerId } = await this.calls.store.openStaffIntake(room, staff.userId, kiosk.deviceId, requestId);
    await this.calls.sfu.request('createRouter', { sessionId: session.id });
    const live: LiveSession = {
      id: session.id,
      roomCode: room,
      kind: 'staff_intake',
      state: 'active',
      private: false,
      startedAt: session.started_at,
      peers: new Map(),
      producers: new Map(),
    };
    const staffPeer: Peer = { peerId: staffPeerId, role: 'township_staff', name: staff.name, principalId: staff.userId, socketId, mode: null };
    live.peers.set(staffPeerId, staffPeer);
    live.peers.set(kioskPeerId, { peerId: kioskPeerId, role: 'kiosk', name: info.name, principalId: kiosk.deviceId, socketId: kiosk.socketId, mode: null });
    await this.calls.adopt(live);
    await this.calls.timeline.audited(
      session.id,
      'joined',
      { participantId: staffPeerId, actorId: staff.userId },
      { role: 'township_staff' },
      { actorId: staff.userId, actorRole: 'township_staff', action: 'session.staff_intake', objectType: 'session', objectId: session.id, townshipCode: room },
    );
    this.calls.notify.toSocket(kiosk.socketId, 'session:publish', { sessionId: session.id });
    await this.calls.syncPresence(live);
    return this.joined(live, staffPeer);
  }

  /** Reception staff watch their own room's session; any other room's does not exist for them. */
  async staffJoin(sessionId: string, staff: Officer, socketId: string): Promise<JoinResult> {
    const live = this.calls.session(sessionId);
    if (!live || live.roomCode !== staff.township) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
    let peer = [...live.peers.values()].find((p) => p.principalId === staff.userId);
    if (!peer) {
      const peerId = await this.calls.store.join(sessionId, 'township_staff', staff.userId);
      peer = { peerId, role: 'township_staff', name: staff.name, principalId: staff.userId, socketId, mode: null };
      live.peers.set(peerId, peer);
      await this.calls.timeline.event(sessionId, 'joined', { participantId: peerId, actorId: staff.userId }, { role: 'township_staff' });
    }
    peer.socketId = socketId;
    this.calls.broadcastState(live);
    return this.joined(live, peer);
  }
}
