import type { TownshipCaseView } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { townshipView, type PetitionRow } from '../petitions/presenters.js';
import type { Claims } from '../security/jwt.js';
import { namedAsAccused } from './conflicts.js';

/**
 * The township commission's list: its own township's matters on the township side, never a sealed one, never one
 * that names the reader. Ordered by what the township can see only: updated_at also moves on county-only steps (a
 * notice to a named accuser), and a case jumping up the list with no new step would tell the handler that the
 * accuser gave a name.
 */
export async function townshipCaseList(db: Queryable, principal: Claims): Promise<TownshipCaseView[]> {
  const r = await db.query<PetitionRow>(
    `SELECT p.* FROM petitions p WHERE p.township_code = $1 AND p.handler_side = 'township' AND NOT p.sealed AND NOT ${namedAsAccused(2)}
     ORDER BY (p.status = 'closed'), p.conclude_due_at NULLS LAST, p.created_at DESC, p.id`,
    [principal.twp, principal.sub],
  );
  return Promise.all(r.rows.map((p) => townshipView(db, p)));
}
