import { appendAudit, type AuditEntry } from '../audit/audit-log.js';
import type { Db, Queryable } from '../db/db.js';
import { newId } from '../security/crypto.js';

export type SessionEventKind =
  | 'joined'
  | 'left'
  | 'disconnected'
  | 'reconnected'
  | 'mode'
  | 'private_on'
  | 'private_off'
  | 'private_requested'
  | 'answered'
  | 'sound_only'
  | 'video_back'
  | 'ended';

type Who = { participantId?: string | null; actorId?: string | null };
type Details = Record<string, string | number | boolean | null>;

/** One timeline event, on a connection or inside a transaction whose change it records (the answer, an audited step). */
export async function insertSessionEvent(q: Queryable, sessionId: string, kind: SessionEventKind, who: Who = {}, details: Details = {}): Promise<void> {
  await q.query('INSERT INTO session_events (session_id, kind, participant_id, actor_id, details) VALUES ($1, $2, $3, $4, $5)', [
    sessionId,
    kind,
    who.participantId ?? null,
    who.actorId ?? null,
    JSON.stringify(details),
  ]);
}

/** The session timeline and its private segments in PostgreSQL: who joined, in which mode, when it went private. */
export class Timeline {
  constructor(private readonly db: Db) {}

  async event(sessionId: string, kind: SessionEventKind, who: Who = {}, details: Details = {}): Promise<void> {
    await insertSessionEvent(this.db, sessionId, kind, who, details);
  }

  /** A state change: the timeline event and its audit row commit together. */
  async audited(sessionId: string, kind: SessionEventKind, who: Who, details: Details, audit: AuditEntry): Promise<void> {
    await this.db.tx(async (q) => {
      await insertSessionEvent(q, sessionId, kind, who, details);
      await appendAudit(q, audit);
    });
  }

  async privateOn(sessionId: string, userId: string): Promise<void> {
    await this.db.tx(async (q) => {
      await q.query('UPDATE reception_sessions SET private = true WHERE id = $1', [sessionId]);
      await q.query('INSERT INTO session_private_segments (id, session_id, started_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        newId(),
        sessionId,
        userId,
      ]);
    });
  }

  async privateOff(sessionId: string, userId: string | null): Promise<void> {
    await this.db.tx(async (q) => {
      await q.query('UPDATE reception_sessions SET private = false WHERE id = $1', [sessionId]);
      await q.query('UPDATE session_private_segments SET ended_at = now(), ended_by = $2 WHERE session_id = $1 AND ended_at IS NULL', [sessionId, userId]);
    });
  }

  async get(sessionId: string) {
    const events = await this.db.query<{
      at: Date;
      kind: string;
      participant_id: string | null;
      actor_id: string | null;
      actor_name: string | null;
      details: Record<string, unknown>;
    }>(
      `SELECT e.at, e.kind, e.participant_id, e.actor_id, u.display_name AS actor_name, e.details FROM session_events e
       LEFT JOIN users u ON u.id = e.actor_id WHERE e.session_id = $1 ORDER BY e.id`,
      [sessionId],
    );
    const segments = await this.db.query<{ started_at: Date; ended_at: Date | null }>(
      'SELECT started_at, ended_at FROM session_private_segments WHERE session_id = $1 ORDER BY started_at',
      [sessionId],
    );
    return {
      events: events.rows.map((e) => ({ at: e.at.toISOString(), kind: e.kind, participantId: e.participant_id, actorName: e.actor_name, details: e.details })),
      privateSegments: segments.rows.map((g) => ({ startedAt: g.started_at.toISOString(), endedAt: g.ended_at?.toISOString() ?? null })),
    };
  }
}
