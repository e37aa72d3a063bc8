import { AppError } from '@vj/shared';
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
  if (!s) throw new AppError('NOT_FOUND', '没有这个接访会话', ['sessionId']);
  if (!s.joined) throw new AppError('FORBIDDEN', '您没有参加该接访会话，不能把信访件关联到该会话，回执也不会发到该接待室的终端', ['sessionId']);
  if (s.room_code !== townshipCode) throw new AppError('FORBIDDEN', '信访件所属乡镇与该接访会话的接待室不一致，不能关联', ['townshipCode']);
}
