import { AppError, ERROR_MESSAGES } from '@vj/shared';
import type { Queryable } from '../db/db.js';

/**
 * A petition may name the session it came from only if the submitter took part in that session (as a county
 * participant, in any mode, now or earlier: the write-up may finish after the villager left) and the petition
 * is that session's room's. Otherwise it would bind the record to, and push the receipt into, a call the
 * submitter was never in, perhaps another room's.
 */
export async function assertSessionBinding(db: Queryable, userId: string, sessionId: string, townshipCode: string): Promise<void> {
  const r = await db.query<{ room_code: string; joined: boolean }>(
    `SELECT s.room_code, EXISTS (SELECT 1 FROM session_participants sp WHERE sp.session_id = s.id AND sp.user_id = $2
       AND sp.role IN ('county_officer', 'county_supervisor')) AS joined
     FROM reception_sessions s WHERE s.id = $1`,
    [sessionId, userId],
  );
  const s = r.rows[0];
  if (!s) throw new AppError('NOT_FOUND', ERROR_MESSAGES.petitions.sessionNotFound, ['sessionId']);
  if (!s.joined) throw new AppError('FORBIDDEN', ERROR_MESSAGES.petitions.notInSession, ['sessionId']);
  if (s.room_code !== townshipCode) throw new AppError('FORBIDDEN', ERROR_MESSAGES.petitions.sessionOtherTownship, ['townshipCode']);
}
