import type { Queryable } from '../db/db.js';

/**
 * SQL: is the user in parameter `$n` named as accused in petition `p`? A user is matched through the registry
 * link when both sides have one, else by the person's name. Used by every township read, so a handler named in
 * a petition never sees it, whatever the case's township.
 */
export const namedAsAccused = (n: number, petitionAlias = 'p') => `EXISTS (
  SELECT 1 FROM petition_accused a JOIN users u ON u.id = $${n}
  WHERE a.petition_id = ${petitionAlias}.id
    AND ((u.official_code IS NOT NULL AND a.official_code = u.official_code) OR (u.person_name IS NOT NULL AND a.name = u.person_name)))`;

export interface Conflict {
  kind: 'accused_in_township' | 'handler_accused' | 'handler_elsewhere';
  /** The accused person's name as the petition gives it (county-only; never sent to a township role). */
  name?: string;
}

/** Why referring this petition to its township (and handler) would put the case in the hands of the accused. */
export async function referralConflicts(q: Queryable, petitionId: string, township: string, handlerId: string | null): Promise<Conflict[]> {
  const accused = await q.query<{ name: string }>('SELECT name FROM petition_accused WHERE petition_id = $1 AND township_code = $2 ORDER BY ord', [petitionId, township]);
  const conflicts: Conflict[] = accused.rows.map((a) => ({ kind: 'accused_in_township' as const, name: a.name }));
  if (handlerId) {
    const named = await q.query(`SELECT 1 FROM petitions p WHERE p.id = $2 AND ${namedAsAccused(1)}`, [handlerId, petitionId]);
    if (named.rowCount) conflicts.push({ kind: 'handler_accused' });
  }
  return conflicts;
}
