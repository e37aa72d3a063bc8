import { errorFields } from '@vj/shared';
import type { AppContext } from '../context.js';
import { onOwner } from './owner-calls.js';
import { evictFromSession, type EvictRequest } from './evict.js';

/** Whose access just ended: a kiosk device, a user account, or one login session of a user. */
export type AccessEnded = { kind: 'device'; deviceId: string } | { kind: 'user'; userId: string } | { kind: 'session'; sid: string; socketIds: string[] };

type Who = Omit<EvictRequest, 'sessionId'>;

function request(who: AccessEnded): Who {
  if (who.kind === 'device') return { cause: 'kiosk_revoked', principalId: who.deviceId };
  if (who.kind === 'user') return { cause: 'user_disabled', principalId: who.userId };
  return { cause: 'logout', sid: who.sid, socketIds: who.socketIds };
}

/**
 * Takes the principal out of every live session it is in, wherever that session runs. This node's sessions go
 * first, with no database round trip before the media closes; then, where other nodes exist, the database says
 * which other sessions the principal is in, and each is evicted by its owner node (onOwner forwards over the node bus).
 */
export async function evictEverywhere(app: AppContext, who: AccessEnded): Promise<void> {
  const req = request(who);
  const { calls } = app;
  const fail = (sessionId: string) => (err: unknown) =>
    app.log.error('could not evict a participant whose access ended', { sessionId, cause: req.cause, ...errorFields(err) });
  const here = calls.sessions().map((s) => s.id);
  await Promise.all(here.map((sessionId) => evictFromSession(calls, { ...req, sessionId }).catch(fail(sessionId))));
  const whose = async () => {
    if (req.principalId) return req.principalId;
    const r = await app.db.query<{ user_id: string }>('SELECT user_id FROM auth_sessions WHERE id = $1', [req.sid]);
    return r.rows[0]?.user_id;
  };
  const elsewhere = await app.router.heldElsewhere(whose, here);
  if (!elsewhere) return;
  const { principalId, sessionIds } = elsewhere;
  await Promise.all(sessionIds.map((sessionId) => onOwner(app, 'evict', { ...req, principalId, sessionId }).catch(fail(sessionId))));
}
