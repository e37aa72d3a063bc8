import { errorFields, type Logger } from '@vj/shared';
import type { Db } from '../db/db.js';
import type { RateLimiter } from '../http/rate-limit.js';
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

/** Refusals of one user written one row each per minute; past that, one row says the rest are not (more: not_each). */
const REFUSALS_AUDITED = 100;
const REFUSAL_WINDOW_MS = 60_000;

/**
 * A refusal of a known user (a role that may not, 回避, out of scope) as an audit row: it names the route or the
 * socket event and the code, never the matter it was about. At most REFUSALS_AUDITED a minute per user (144,000 a
 * day at most, under what a day's signed export takes), then one row saying the rest of that minute's are not
 * written one by one: a script repeating a refused request wrote 150-280 rows a second, until a day's rows were more
 * than the signed export takes.
 */
export async function auditRefusal(
  db: Db,
  log: Logger,
  limiter: RateLimiter,
  principal: Claims,
  refused: { type: 'route' | 'event'; id: string },
  code: string,
): Promise<void> {
  // A counter that cannot be read (Redis away) writes the row: never a different answer, never a refusal unrecorded.
  const n = await limiter.hits(`audited-refusals:${principal.sub}`, REFUSAL_WINDOW_MS).catch((err: unknown) => {
    log.warn('refusal counter unavailable', { route: refused.id, ...errorFields(err) });
    return 1;
  });
  if (n > REFUSALS_AUDITED + 1) return;
  await auditAlone(db, log, principal, 'auth.refused', refused, n > REFUSALS_AUDITED ? { code, more: 'not_each' } : { code });
}

/** A user's budget of reads ran out on `route`: the budget and its window, as an audit row of its own. */
export async function auditThrottled(db: Db, log: Logger, principal: Claims, route: string, budget: { limit: number; windowMs: number }): Promise<void> {
  await auditAlone(db, log, principal, 'records.throttled', { type: 'route', id: route }, { budget: budget.limit, budgetWindowS: budget.windowMs / 1000 });
}
