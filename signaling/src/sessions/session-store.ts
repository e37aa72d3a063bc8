import { AppError, type LeaveReason, type ParticipantRole, type SessionEndReason, ERROR_MESSAGES } from '@vj/shared';
import type { Db, Queryable } from '../db/db.js';
import { sealedCallsHiddenFrom, sealedMatterTakenIn } from '../cases/sealed.js';
import { newId } from '../security/crypto.js';
import { insertSessionEvent } from './timeline.js';

export interface SessionRow {
  id: string;
  room_code: string;
  kind: 'county_call' | 'staff_intake';
  private: boolean;
  request_id: string;
  state: 'calling' | 'active' | 'ended';
  started_at: Date;
  answered_at: Date | null;
  answered_by: string | null;
  ended_at: Date | null;
  end_reason: SessionEndReason | null;
}

export interface ParticipantRow {
  id: string;
  session_id: string;
  role: ParticipantRole;
  user_id: string | null;
  device_id: string | null;
  joined_at: Date;
  left_at: Date | null;
  leave_reason: LeaveReason | null;
}

const UNIQUE_VIOLATION = '23505';

/** Reception sessions and their participants in PostgreSQL: the durable record of who was in which call. */
export class SessionStore {
  constructor(private readonly db: Db) {}

  /**
   * Opens a session for a kiosk's call, or returns the one this request already opened (a retried press).
   * The partial unique index turns a second open session for the room into ROOM_BUSY.
   */
  async openForKiosk(roomCode: string, deviceId: string, requestId: string): Promise<{ session: SessionRow; kioskPeerId: string; created: boolean }> {
    try {
      return await this.db.tx(async (q) => {
        const prior = await q.query<SessionRow>('SELECT * FROM reception_sessions WHERE request_id = $1', [requestId]);
        if (prior.rows[0]) {
          const s = prior.rows[0];
          if (s.room_code !== roomCode) throw new AppError('NOT_FOUND', ERROR_MESSAGES.calls.notFound);
          if (s.state === 'ended') throw new AppError('INVALID_STATE', ERROR_MESSAGES.calls.ended);
          const peer = await q.query<{ id: string }>(`SELECT id FROM session_participants WHERE session_id = $1 AND role = 'kiosk' AND left_at IS NULL`, [
            s.id,
          ]);
          if (!peer.rows[0]) throw new AppError('INVALID_STATE', ERROR_MESSAGES.calls.ended);
          return { session: s, kioskPeerId: peer.rows[0].id, created: false };
        }
        const id = newId();
        const inserted = await q.query<SessionRow>(
          `INSERT INTO reception_sessions (id, room_code, request_id, state) VALUES ($1, $2, $3, 'calling') RETURNING *`,
          [id, roomCode, requestId],
        );
        const kioskPeerId = await this.addParticipant(q, id, 'kiosk', { deviceId });
        return { session: inserted.rows[0]!, kioskPeerId, created: true };
      });
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new AppError('INVALID_STATE', ERROR_MESSAGES.calls.roomBusy);
      throw err;
    }
  }

  /**
   * The atomic answer: exactly one officer moves a session from calling to active. Its timeline event commits with
   * it: one statement and one commit fewer before the officer's media can start, and no answer without its event.
   */
  async answer(sessionId: string, userId: string, role: ParticipantRole): Promise<{ session: SessionRow; peerId: string }> {
    return this.db.tx(async (q) => {
      const r = await q.query<SessionRow>(
        `UPDATE reception_sessions SET state = 'active', answered_at = now(), answered_by = $2
         WHERE id = $1 AND state = 'calling' RETURNING *`,
        [sessionId, userId],
      );
      if (!r.rows[0]) {
        const cur = await q.query<{ state: string }>('SELECT state FROM reception_sessions WHERE id = $1', [sessionId]);
        if (!cur.rows[0]) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
        if (cur.rows[0].state === 'active') throw new AppError('CALL_ALREADY_TAKEN', ERROR_MESSAGES.calls.taken);
        throw new AppError('INVALID_STATE', ERROR_MESSAGES.calls.ended);
      }
      const peerId = await this.addParticipant(q, sessionId, role, { userId });
      await insertSessionEvent(q, sessionId, 'answered', { participantId: peerId, actorId: userId });
      return { session: r.rows[0], peerId };
    });
  }

  /** A reception-staff intake in their own room: active at once, with the room's kiosk as a participant. */
  async openStaffIntake(
    roomCode: string,
    staffUserId: string,
    kioskDeviceId: string,
    requestId: string,
  ): Promise<{ session: SessionRow; staffPeerId: string; kioskPeerId: string }> {
    try {
      return await this.db.tx(async (q) => {
        const id = newId();
        const r = await q.query<SessionRow>(
          `INSERT INTO reception_sessions (id, room_code, request_id, state, kind) VALUES ($1, $2, $3, 'active', 'staff_intake') RETURNING *`,
          [id, roomCode, requestId],
        );
        const staffPeerId = await this.addParticipant(q, id, 'township_staff', { userId: staffUserId });
        const kioskPeerId = await this.addParticipant(q, id, 'kiosk', { deviceId: kioskDeviceId });
        return { session: r.rows[0]!, staffPeerId, kioskPeerId };
      });
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new AppError('INVALID_STATE', ERROR_MESSAGES.calls.roomBusy);
      throw err;
    }
  }

  /** Another participant joins a live session (a monitoring officer, reception staff watching). */
  async join(sessionId: string, role: ParticipantRole, userId: string): Promise<string> {
    return this.db.tx((q) => this.addParticipant(q, sessionId, role, { userId }));
  }

  /** One participant leaves while the session goes on. */
  async leave(participantId: string, reason: LeaveReason): Promise<void> {
    await this.db.query('UPDATE session_participants SET left_at = now(), leave_reason = $2 WHERE id = $1 AND left_at IS NULL', [participantId, reason]);
  }

  /** Open sessions the user or kiosk device still takes part in, on whichever node runs them. */
  async openFor(principalId: string): Promise<{ sessionId: string; roomCode: string }[]> {
    const r = await this.db.query<{ id: string; room_code: string }>(
      `SELECT DISTINCT s.id, s.room_code, s.started_at FROM reception_sessions s JOIN session_participants p ON p.session_id = s.id
       WHERE s.state <> 'ended' AND p.left_at IS NULL AND (p.user_id = $1 OR p.device_id = $1) ORDER BY s.started_at`,
      [principalId],
    );
    return r.rows.map((x) => ({ sessionId: x.id, roomCode: x.room_code }));
  }

  /** Whether a sealed matter was taken in this session (cases/sealed.ts reads it): then it stays off the video wall. */
  sealedMatterTaken(sessionId: string): Promise<boolean> {
    return sealedMatterTakenIn(this.db, sessionId);
  }

  /** Of `sessionIds`, those user `userId` may not see while they live (cases/sealed.ts: a sealed matter, and not in the call). */
  sealedCallsHiddenFrom(userId: string, sessionIds: readonly string[]): Promise<Set<string>> {
    return sealedCallsHiddenFrom(this.db, userId, sessionIds);
  }

  /** The users in this session now (joined, not gone): the only ones who see a sealed call in the room list. */
  async usersIn(sessionId: string): Promise<string[]> {
    const r = await this.db.query<{ user_id: string }>(
      'SELECT DISTINCT user_id FROM session_participants WHERE session_id = $1 AND left_at IS NULL AND user_id IS NOT NULL',
      [sessionId],
    );
    return r.rows.map((x) => x.user_id);
  }

  /** Open sessions (all, or only those given) and their present participants, for picking them up again after a restart or a node's death. */
  async openWithParticipants(only?: string[]): Promise<{ session: SessionRow; participants: (ParticipantRow & { name: string | null })[] }[]> {
    const s = only
      ? await this.db.query<SessionRow>(`SELECT * FROM reception_sessions WHERE state <> 'ended' AND id = ANY($1::uuid[]) ORDER BY started_at`, [only])
      : await this.db.query<SessionRow>(`SELECT * FROM reception_sessions WHERE state <> 'ended' ORDER BY started_at`);
    const out = [];
    for (const session of s.rows) {
      const p = await this.db.query<ParticipantRow & { name: string | null }>(
        `SELECT p.*, coalesce(u.display_name, r.name) AS name FROM session_participants p
         LEFT JOIN users u ON u.id = p.user_id LEFT JOIN reception_sessions rs ON rs.id = p.session_id LEFT JOIN rooms r ON r.code = rs.room_code
         WHERE p.session_id = $1 AND p.left_at IS NULL ORDER BY p.joined_at`,
        [session.id],
      );
      out.push({ session, participants: p.rows });
    }
    return out;
  }

  private async addParticipant(q: Queryable, sessionId: string, role: ParticipantRole, who: { userId?: string; deviceId?: string }): Promise<string> {
    const id = newId();
    await q.query(`INSERT INTO session_participants (id, session_id, role, user_id, device_id) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      sessionId,
      role,
      who.userId ?? null,
      who.deviceId ?? null,
    ]);
    return id;
  }

  /**
   * Ends a session and closes every open participant row, in one transaction. The participant who caused
   * the end gets the session's reason; the others get "session_ended". Ending twice is a no-op (false).
   */
  async end(sessionId: string, reason: SessionEndReason, causedBy?: string): Promise<boolean> {
    return this.db.tx(async (q) => {
      const r = await q.query(`UPDATE reception_sessions SET state = 'ended', ended_at = now(), end_reason = $2 WHERE id = $1 AND state <> 'ended'`, [
        sessionId,
        reason,
      ]);
      if (!r.rowCount) return false;
      await q.query(
        `UPDATE session_participants SET left_at = now(), leave_reason = CASE WHEN id = $2 THEN $3 ELSE 'session_ended' END
         WHERE session_id = $1 AND left_at IS NULL`,
        [sessionId, causedBy ?? null, reason],
      );
      return true;
    });
  }

  /**
   * Ends every open session with one reason. Start-up does not use it: open sessions are restored, and those nobody
   * returns to end one by one (reconnect.ts). Kept for a clean slate where every session must end at once.
   */
  async endAllOpen(reason: SessionEndReason): Promise<number> {
    return this.db.tx(async (q) => {
      const r = await q.query<{ id: string }>(
        `UPDATE reception_sessions SET state = 'ended', ended_at = now(), end_reason = $1 WHERE state <> 'ended' RETURNING id`,
        [reason],
      );
      await q.query(`UPDATE session_participants SET left_at = now(), leave_reason = $1 WHERE left_at IS NULL`, [reason]);
      return r.rowCount ?? 0;
    });
  }

  async get(sessionId: string): Promise<{ session: SessionRow; participants: ParticipantRow[] } | undefined> {
    const s = await this.db.query<SessionRow>('SELECT * FROM reception_sessions WHERE id = $1', [sessionId]);
    if (!s.rows[0]) return undefined;
    const p = await this.db.query<ParticipantRow>('SELECT * FROM session_participants WHERE session_id = $1 ORDER BY joined_at, id', [sessionId]);
    return { session: s.rows[0], participants: p.rows };
  }
}
