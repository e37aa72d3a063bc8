import { z } from 'zod';
import { AppError, errorFields, Id, ERROR_MESSAGES } from '@vj/shared';
import type { AppContext } from '../context.js';
import { Claims } from '../security/jwt.js';
import { EvictRequest, evictFromSession } from './evict.js';
import { WithdrawRequest, withdrawFromSession, type WithdrawCause } from './withdraw.js';

async function sessionMedia(app: AppContext, sessionId: string) {
  const live = app.calls.session(sessionId);
  if (!live) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
  const dump = await app.sfu.request('dump', { sessionId });
  return {
    workerPid: dump.workers[0]?.pid ?? null,
    peers: [...live.peers.values()].map((p) => {
      const held = dump.peers.find((d) => d.peerId === p.peerId);
      return {
        role: p.role,
        name: p.name,
        connected: p.socketId !== null,
        transports: held?.transports ?? 0,
        producers: held?.producers ?? 0,
        consumers: held?.consumers ?? 0,
      };
    }),
  };
}

/**
 * REST work that needs a live session's in-memory state (its peers, its recorder) runs on the node that owns
 * the session. Each method is validated again on the owner.
 */
export const ownerMethods = {
  sessionMedia: {
    params: z.object({ sessionId: Id }),
    run: (app: AppContext, p: { sessionId: string }) => sessionMedia(app, p.sessionId),
  },
  pushReceipt: {
    params: z.object({ sessionId: Id, caseCode: z.string().min(1).max(40), pin: z.string().min(1).max(20), by: Id, townshipCode: z.string().min(1).max(40) }),
    run: async (app: AppContext, p: { sessionId: string; caseCode: string; pin: string; by: string; townshipCode: string }) =>
      app.calls.pushReceipt(p.sessionId, { caseCode: p.caseCode, pin: p.pin }, { userId: p.by, townshipCode: p.townshipCode }),
  },
  /** Access ended (revoke, logout, disable): the owner takes that principal out of its live session. */
  evict: {
    params: EvictRequest,
    run: (app: AppContext, p: EvictRequest) => evictFromSession(app.calls, p),
  },
  /** A matter taken in this live call was sealed or names someone in it: the owner takes them out (withdraw.ts). */
  withdraw: {
    params: WithdrawRequest,
    run: async (app: AppContext, p: WithdrawRequest) => {
      const r = await withdrawFromSession(app, p);
      // Sealed, and the call goes on: every room list now shows it under its cover (a private call), to all but those left in it (sealed-room.ts).
      const live = p.cause === 'sealed' ? app.calls.session(p.sessionId) : undefined;
      if (live) await app.calls.broadcastRoom(live.roomCode);
      return r;
    },
  },
  /** A matter taken in this live call was sealed: the call leaves the video wall. False when the session is not live. */
  hideFromWall: {
    params: z.object({ sessionId: Id }),
    run: async (app: AppContext, p: { sessionId: string }) => {
      if (!app.calls.session(p.sessionId)) return false;
      // Decided here, on the owner, from the database: a late try must not hide a call whose matter was unsealed since.
      if (!(await app.calls.store.sealedMatterTaken(p.sessionId))) return false;
      await app.calls.wall.hide(p.sessionId);
      return true;
    },
  },
  /** Its matter was unsealed and no other sealed one came from the call: the kiosk's camera goes back on the wall. */
  showOnWall: {
    params: z.object({ sessionId: Id }),
    run: async (app: AppContext, p: { sessionId: string }) => {
      const live = app.calls.session(p.sessionId);
      if (!live) return false;
      // Decided here, on the owner: a matter of the call sealed again meanwhile keeps it off the wall.
      if (await app.calls.store.sealedMatterTaken(live.id)) return false;
      await app.calls.wall.unhide(live.id);
      for (const producer of live.producers.values())
        if (producer.participantRole === 'kiosk' && producer.kind === 'video') await app.calls.wall.show(live.id, live.roomCode, producer.producerId);
      // And the room lists show the call again, to everyone.
      await app.calls.broadcastRoom(live.roomCode);
      return true;
    },
  },
  recordingPause: {
    params: z.object({ principal: Claims, sessionId: Id, paused: z.boolean(), reason: z.string().min(1).max(500) }),
    run: (app: AppContext, p: { principal: Claims; sessionId: string; paused: boolean; reason: string }) =>
      app.recorder.setPaused(p.principal, p.sessionId, p.paused, p.reason),
  },
} as const;

export type OwnerMethod = keyof typeof ownerMethods;
type Params<M extends OwnerMethod> = Parameters<(typeof ownerMethods)[M]['run']>[1];
type Result<M extends OwnerMethod> = Awaited<ReturnType<(typeof ownerMethods)[M]['run']>>;

/** Runs `method` where the session lives: here, or on its owner node (app.router). */
export async function onOwner<M extends OwnerMethod>(app: AppContext, method: M, params: Params<M> & { sessionId: string }): Promise<Result<M>> {
  const run = () => (ownerMethods[method].run as (a: AppContext, p: Params<M>) => Promise<Result<M>>)(app, params);
  return (await app.router.onOwner(params.sessionId, method, params, run)) as Result<M>;
}

/** Waits before each further try of a step on the owner node that failed: about half a minute in all. */
export const OWNER_RETRY_DELAYS_MS = [250, 1000, 2000, 4000, 8000, 15_000];

/**
 * Runs `step` on behalf of a sealing, unsealing or filing that has already committed, so it never fails that: it
 * answers after the first try, and a step that failed (the owner node restarting, Redis away for a moment) is tried
 * again in the background, each try logged with ids only. Every step here decides afresh what to do from the live
 * session, so a try that happened after all (its answer lost) makes the next one do nothing; and each asks the
 * database on the owner whether a matter of the call is sealed, so a late try never undoes a later seal or unseal.
 */
async function afterCommit(app: AppContext, what: string, fields: Record<string, unknown>, step: () => Promise<void>): Promise<void> {
  const attempt = async (n: number): Promise<boolean> => {
    try {
      await step();
      return true;
    } catch (err) {
      const last = n >= OWNER_RETRY_DELAYS_MS.length;
      app.log.error(`${what}${last ? '; giving up' : '; trying again'}`, { ...fields, attempt: n + 1, ...errorFields(err) });
      return false;
    }
  };
  if (await attempt(0)) return;
  void (async () => {
    for (let n = 0; n < OWNER_RETRY_DELAYS_MS.length; n++) {
      await new Promise((r) => setTimeout(r, OWNER_RETRY_DELAYS_MS[n]).unref());
      // A stopping server leaves its live sessions for the next start to pick up; it changes none of them now.
      if (app.reconnect.isStopping) {
        app.log.warn(`${what}; the server is stopping, not tried again`, { ...fields, attempt: n + 2 });
        return;
      }
      if (await attempt(n + 1)) return;
    }
  })();
}

/**
 * A matter was sealed (by the office, or filed sealed) that was taken in call `sessionId`: if that call is live, it
 * leaves the video wall, through the node that owns the session (which keeps it off when a new wall owner asks for
 * the cameras again).
 */
export async function hideSealedCall(app: AppContext, petitionId: string, sessionId: string | null | undefined): Promise<void> {
  if (!sessionId) return;
  await afterCommit(app, 'sealed matter: its call could not be taken off the video wall', { petitionId, sessionId }, async () => {
    if (await onOwner(app, 'hideFromWall', { sessionId })) app.log.info('sealed matter: its call left the video wall', { petitionId, sessionId });
  });
}

/**
 * A sealed matter taken in call `sessionId` was unsealed: if that call is still live and no other matter taken in it
 * is sealed, it comes back on the video wall, through the node that owns the session.
 */
export async function showUnsealedCall(app: AppContext, petitionId: string, sessionId: string | null): Promise<void> {
  if (!sessionId) return;
  await afterCommit(app, 'unsealed matter: its call could not be put back on the video wall', { petitionId, sessionId }, async () => {
    if (await onOwner(app, 'showOnWall', { sessionId })) app.log.info('unsealed matter: its call is back on the video wall', { petitionId, sessionId });
  });
}

/**
 * A matter taken in call `sessionId` was filed or sealed: if that call is live, whoever may no longer be in it is taken
 * out (sealed: all but the kiosk and the filer; recused: those it names, the filer too), through the node that owns
 * the session; never the one the villager's call would end without (withdraw.ts).
 */
export async function withdrawFromCall(
  app: AppContext,
  cause: WithdrawCause,
  at: { petitionId: string; sessionId: string | null | undefined; filerId: string; by: Claims },
): Promise<void> {
  const { petitionId, sessionId } = at;
  if (!sessionId) return;
  await afterCommit(app, WITHDRAW_FAILED, { petitionId, sessionId, cause }, () =>
    withdrawOnOwner(app, { sessionId, cause, filerId: at.filerId, by: at.by.sub, byRole: at.by.role }, { petitionId }),
  );
}

const WITHDRAW_FAILED = 'participants could not be taken out of the call a matter came from';

/** The withdrawal, on the session's owner; logged (ids only) when it took anyone out. */
async function withdrawOnOwner(app: AppContext, req: WithdrawRequest, fields: Record<string, unknown> = {}): Promise<void> {
  const { withdrawn } = await onOwner(app, 'withdraw', req);
  if (withdrawn) app.log.info('participants taken out of the call a matter came from', { ...fields, sessionId: req.sessionId, cause: req.cause, withdrawn });
}

/**
 * Someone who carries a call on joined it, or began to talk in it: a participant a matter of the call names, kept so
 * far only because the villager's call would have ended without them (withdraw.ts), may leave now. Started after the
 * join's answer (so the joiner's console, already in the call, hears of the change like everyone else) and never
 * fails it; one query when no open matter came from the call, which is almost always. The audit row's actor is the
 * one whose joining let them go.
 */
export function recuseAfterJoin(app: AppContext, sessionId: string, by: Claims): void {
  void afterCommit(app, WITHDRAW_FAILED, { sessionId, cause: 'recused' }, async () => {
    const open = await app.db.query('SELECT 1 FROM petitions WHERE session_id = $1 AND NOT sealed LIMIT 1', [sessionId]);
    if (open.rowCount) await withdrawOnOwner(app, { sessionId, cause: 'recused', filerId: by.sub, by: by.sub, byRole: by.role });
  });
}
