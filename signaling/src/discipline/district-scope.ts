import { AppError, ERROR_MESSAGES, isDistrictRole } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import type { Claims } from '../security/jwt.js';

/**
 * The 片区 a 督查组 account is bound to (it sees only units, people and letters of that 片区); undefined for the
 * county-wide roles. Read from the account on every request, so a move to another 片区 holds at once.
 */
export async function districtOf(q: Queryable, principal: Claims): Promise<string | undefined> {
  if (!isDistrictRole(principal.role)) return undefined;
  const r = await q.query<{ district_code: string | null }>('SELECT district_code FROM users WHERE id = $1', [principal.sub]);
  const d = r.rows[0]?.district_code;
  if (!d) throw new AppError('FORBIDDEN', ERROR_MESSAGES.discipline.noDistrict);
  return d;
}
