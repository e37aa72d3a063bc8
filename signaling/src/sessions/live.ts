import type { CountyMode, LinkReport, ParticipantRole, ProducerInfo, RtpCapabilities, SessionKind, SessionStateView } from '@vj/shared';

/** One participant of a live session. socketId is null while they are disconnected (within the grace period). */
export interface Peer {
  peerId: string;
  role: ParticipantRole;
  name: string;
  /** The user id, or the kiosk device id: who may rejoin as this peer. */
  principalId: string;
  socketId: string | null;
  /** County officers only. */
  mode: CountyMode | null;
  graceTimer?: NodeJS.Timeout;
  disconnectedAt?: number;
  /** The login session whose socket last took this place: logout evicts exactly that one, even while it is away. */
  sid?: string | undefined;
  /** The socket held before a drop, so a logout that races the drop still finds the peer. */
  lastSocketId?: string;
}

export interface LiveSession {
  id: string;
  roomCode: string;
  kind: SessionKind;
  state: 'calling' | 'active';
  private: boolean;
  startedAt: Date;
  peers: Map<string, Peer>;
  producers: Map<string, ProducerInfo & { peerId: string }>;
  escalateTimer?: NodeJS.Timeout;
  /** Picked up after a restart and nobody has come back yet: if it lapses, the restart ended it. */
  restored?: boolean;
  recording?: 'recording' | 'paused' | null;
  /** The officer who answered, as the wall shows it. */
  answeredBy?: string;
  /** The villager's line as the SFU last graded it (sessions/link-watch.ts). */
  kioskLink?: LinkReport;
  /** The line could not carry video: the kiosk sends sound only until it recovers. */
  videoSuspended?: boolean;
  /** Pending switch to sound only, or back to video. */
  linkTimer?: NodeJS.Timeout;
  /** How many times this call went sound only: each return to video waits longer. */
  soundOnlyCount?: number;
  /**
   * The session router's capabilities, as the SFU gave them to a participant who asked (the kiosk, at the start):
   * sent with the answer so the officer need not ask. Absent after a restore until someone asks again.
   */
  rtpCapabilities?: RtpCapabilities;
}

export const isCounty = (p: Peer) => p.role === 'county_officer' || p.role === 'county_supervisor';

/** Who leads: the county once an officer talks in a county call or takes over; reception staff otherwise. */
export function leadOf(live: LiveSession): 'staff' | 'county' {
  if (live.kind === 'county_call') return 'county';
  return [...live.peers.values()].some((p) => isCounty(p) && p.mode === 'take_over') ? 'county' : 'staff';
}

export function stateView(live: LiveSession): SessionStateView {
  const peers = [...live.peers.values()];
  return {
    sessionId: live.id,
    roomCode: live.roomCode,
    kind: live.kind,
    state: live.state,
    private: live.private,
    monitoring: peers.some((p) => isCounty(p) && p.mode === 'monitor'),
    lead: leadOf(live),
    participants: peers.map((p) => ({ peerId: p.peerId, role: p.role, name: p.name, mode: p.mode, connected: p.socketId !== null })),
    recording: live.recording ?? null,
    kioskLink: live.kioskLink ?? null,
    videoSuspended: live.videoSuspended ?? false,
  };
}

/** The producers a peer may receive: its own never, and in private mode reception staff get none. */
export function visibleProducers(live: LiveSession, peer: Peer): ProducerInfo[] {
  if (peer.role === 'township_staff' && live.private) return [];
  return [...live.producers.values()]
    .filter((p) => p.peerId !== peer.peerId)
    .map(({ producerId, kind, source, participantRole }) => ({ producerId, kind, source, participantRole }));
}
