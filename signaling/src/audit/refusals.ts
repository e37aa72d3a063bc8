import { errorFields, type Logger } from '@vj/shared';
import type { Db } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { appendAudit, type AuditAction, type AuditDetails } from './audit-log.js';

/** One audit row about a user, written on its own (nothing else changed); a failure to write it is logged, not answered. */
async function auditAlone(
  db: Db,
  log: Logger,
  principal: Claims,
  action: AuditAction,
  object: { type: string; id: string },
  details: AuditDetails,
): Promise<void> {
  await db
    .tx((q) =>
      appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action,
        objectType: object.type,
        objectId: object.id,
        townshipCode: principal.twp ?? null,
        details,
      }),
    )
    .catch((err) => log.warn('could not audit a refusal', { action, objectType: object.type, objectId: object.id, ...errorFields(err) }));
}

/**
 * A refusal of a known user (a role that may not, 回避, out of scope) as an audit row: it names the route or the
 * socket event and the code, never the matter it was about.
 */
export async function auditRefusal(db: Db, log: Logger, principal: Claims, refused: { type: 'route' | 'event'; id: string }, code: string): Promise<void> {
  await auditAlone(db, log, principal, 'auth.refused', refused, { code });
}

/** A user's budget of reads ran out on `route`: the budget and its window, as an audit row of its own. */
export async function auditThrottled(db: Db, log: Logger, principal: Claims, route: string, budget: { limit: number; windowMs: number }): Promise<void> {
  await auditAlone(db, log, principal, 'records.throttled', { type: 'route', id: route }, { budget: budget.limit, budgetWindowS: budget.windowMs / 1000 });
}
