import { z } from 'zod';
import { Id, type LeaveReason, type SessionEndReason } from '@vj/shared';
import type { CallService } from './call-service.js';
import { isCounty, type LiveSession, type Peer } from './live.js';

/** Why someone's access ended while they may be in a call. */
export const ACCESS_ENDS = ['kiosk_revoked', 'logout', 'user_disabled'] as const;
export type AccessEnd = (typeof ACCESS_ENDS)[number];

/**
 * Who to take out of one live session. `sid` narrows a user to one login session (logout): another tab of the
 * same officer that logged in separately stays. `socketIds` are that login session's sockets, for peers picked
 * up after a restart, which carry no login session of their own.
 */
export const EvictRequest = z
  .object({
    sessionId: Id,
    /** The user or kiosk device; a logout may leave it out (its login session says who). */
    principalId: Id.optional(),
    cause: z.enum(ACCESS_ENDS),
    sid: Id.optional(),
    socketIds: z.array(z.string().min(1).max(64)).max(200).default([]),
  })
  .refine(
    (r) => (r.cause === 'logout' ? r.sid !== undefined : r.principalId !== undefined),
    'a logout names its login session; a revoke or disable its principal',
  );
export type EvictRequest = z.input<typeof EvictRequest>;

/** Places being taken out right now. */
const leaving = new WeakSet<Peer>();

function reasonFor(cause: AccessEnd, peer: Peer): SessionEndReason {
  if (cause !== 'logout') return cause;
  return peer.role === 'township_staff' ? 'staff_logged_out' : 'officer_logged_out';
}

function matches(peer: Peer, req: z.output<typeof EvictRequest>, sockets: Set<string>): boolean {
  if (req.principalId !== undefined && peer.principalId !== req.principalId) return false;
  if (req.cause === 'kiosk_revoked') return peer.role === 'kiosk';
  if (peer.role === 'kiosk') return false;
  if (req.cause === 'user_disabled') return true;
  const socket = peer.socketId ?? peer.lastSocketId;
  return peer.sid === req.sid || (socket !== undefined && sockets.has(socket));
}

/**
 * The same rules as a lapsed grace period (reconnect.ts), applied at once: without its kiosk, its only talking
 * officer, or (in an intake) its only reception staff, the session is over; otherwise only they leave.
 */
export function endsSession(live: LiveSession, gone: Peer[], absentCarry = false): Peer | undefined {
  const stays = [...live.peers.values()].filter((p) => !gone.includes(p));
  const talker = (p: Peer) => isCounty(p) && p.mode !== 'monitor';
  // Those away within their grace period carry the call only when told to: just after a restore, when everyone is.
  const here = (p: Peer) => absentCarry || Boolean(p.socketId);
  const otherTalker = stays.some((p) => talker(p) && here(p));
  const kiosk = gone.find((p) => p.role === 'kiosk');
  if (kiosk) return kiosk;
  if (live.kind === 'county_call' && !otherTalker) return gone.find(talker);
  const otherStaff = stays.some((p) => p.role === 'township_staff' && here(p));
  if (live.kind === 'staff_intake' && !otherStaff && !otherTalker) return gone.find((p) => p.role === 'township_staff');
  return undefined;
}

/** How the people taken out leave: their own leave reason, and the session's end reason when it cannot go on. */
export interface TakeOut {
  /** For the log only. */
  cause: string;
  leave: (p: Peer) => Exclude<LeaveReason, 'session_ended'>;
  end: (p: Peer) => SessionEndReason;
  /** After their media closed, before the bookkeeping: tell them, write the audit rows. Must not throw. */
  afterMedia?: (gone: Peer[]) => Promise<void>;
  /** A call just restored, everyone still away: those within their grace period count as carrying it (endsSession). */
  absentCarry?: boolean;
}

/**
 * Takes `picked` out of live session `live`, on the node that runs it. Media goes first: the SFU closes their
 * transports, producers and consumers before any bookkeeping, so nothing they send or receive outlives the decision
 * by more than this request. A place already being taken out, or no longer in the session, is skipped. Returns who
 * was taken out.
 */
export async function takeOut(calls: CallService, live: LiveSession, picked: Peer[], how: TakeOut): Promise<Peer[]> {
  const gone = picked.filter((p) => !leaving.has(p) && live.peers.get(p.peerId) === p);
  if (gone.length === 0) return [];
  for (const p of gone) leaving.add(p);
  for (const p of gone) clearTimeout(p.graceTimer);
  await Promise.all(gone.map((p) => calls.sfu.request('closePeer', { sessionId: live.id, peerId: p.peerId, reason: 'access_revoked' })));
  calls.log.info('participant taken out of a live session', { sessionId: live.id, cause: how.cause, peers: gone.length });
  await how.afterMedia?.(gone);
  const cause = endsSession(live, gone, how.absentCarry);
  if (cause) {
    await calls.end(live.id, how.end(cause), cause.peerId);
    return gone;
  }
  for (const p of gone) await calls.removePeer(live, p, how.leave(p));
  return gone;
}

/**
 * Takes a principal whose access just ended out of one live session, on the node that runs it (media first, see
 * takeOut). Returns how many participants were removed.
 */
export async function evictFromSession(calls: CallService, input: EvictRequest): Promise<{ evicted: number }> {
  const req = EvictRequest.parse(input);
  const live = calls.session(req.sessionId);
  if (!live) return { evicted: 0 };
  const sockets = new Set(req.socketIds);
  // A logout evicts in two passes (marked places, then by socket): a place is taken out once.
  const picked = [...live.peers.values()].filter((p) => matches(p, req, sockets));
  const reason = (p: Peer) => reasonFor(req.cause, p);
  const gone = await takeOut(calls, live, picked, { cause: req.cause, leave: reason, end: reason });
  return { evicted: gone.length };
}
