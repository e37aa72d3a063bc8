import { AppError, type CaseRoute, ERROR_MESSAGES } from '@vj/shared';
import type { AuditDetails } from '../audit/audit-log.js';
import type { Tx } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { referralConflicts } from './conflicts.js';
import { assertMayGoDown } from './jurisdiction.js';

const ROUTE_WORD: Record<CaseRoute, string> = { jiaoban: '交办', zhuanban: '转办' };

/**
 * The checks before a matter goes down to a township commission, by 交办 or by 转办 alike: a named handler must be
 * that township's, and a conflict of interest (an accused person of that township, or a handler the petition names)
 * refuses it unless a supervisor overrides with a reason; before that, jurisdiction by the accused's management level
 * refuses it with no override. Both routes call this one function, so each rule holds for both. Answers the audit details of an override.
 */
export async function checkTownshipHandoff(
  q: Tx,
  principal: Claims,
  petitionId: string,
  township: string,
  body: { handlerId: string | null; overrideReason?: string | undefined },
  route: CaseRoute,
): Promise<AuditDetails> {
  // 分级负责 first: what no override may lift (a 县管干部, the township's own leaders or commission, a level not yet
  // confirmed) is said before what a supervisor may.
  await assertMayGoDown(q, petitionId, township);
  if (body.handlerId) {
    const h = await q.query('SELECT 1 FROM users WHERE id = $1 AND role = $2 AND township_code = $3 AND disabled_at IS NULL', [
      body.handlerId,
      'township_handler',
      township,
    ]);
    if (!h.rowCount) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.handlerNotInTownship, ['handlerId']);
  }
  const conflicts = await referralConflicts(q, petitionId, township, body.handlerId);
  if (!conflicts.length) return {};
  const word = ROUTE_WORD[route];
  if (!body.overrideReason) {
    throw new AppError(
      'CONFLICT_OF_INTEREST',
      conflicts.some((c) => c.kind === 'handler_accused') ? ERROR_MESSAGES.cases.handlerIsAccused : ERROR_MESSAGES.cases.accusedInTownship(word),
    );
  }
  if (principal.role !== 'county_supervisor') throw new AppError('FORBIDDEN', ERROR_MESSAGES.cases.overrideOnlySupervisor);
  return { coiOverride: true, overrideReason: body.overrideReason, conflicts: conflicts.map((c) => c.kind).join(',') };
}
