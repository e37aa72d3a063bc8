import { errorFields, type Logger } from '@vj/shared';
import type { Db } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { appendAudit } from './audit-log.js';

/**
 * A refusal of a known user (a role that may not, 回避, out of scope) as an audit row: it names the route or the
 * socket event and the code, never the matter it was about. Written on its own (nothing else changed), and a failure
 * to write it is logged rather than turned into a different answer.
 */
export async function auditRefusal(db: Db, log: Logger, principal: Claims, refused: { type: 'route' | 'event'; id: string }, code: string): Promise<void> {
  await db
    .tx((q) =>
      appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'auth.refused',
        objectType: refused.type,
        objectId: refused.id,
        townshipCode: principal.twp ?? null,
        details: { code },
      }),
    )
    .catch((err) => log.warn('could not audit a refusal', { ...refused, ...errorFields(err) }));
}
