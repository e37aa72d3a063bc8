import { AppError, type SessionRecordingAnswer, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Queryable } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import type { SegmentStore } from './segment-store.js';
import { verifyRecording, type RecordingVerdict } from './verify.js';

/** A session's recording as the county's session record shows it: its tracks, pauses and segments, never the media. */
export async function sessionRecording(db: Queryable, sessionId: string): Promise<SessionRecordingAnswer> {
  // A recording of the call a sealed matter came from is not this county's to list (密封事项): as if there were none.
  const r = await db.query<{
    id: string;
    status: string;
    started_at: Date;
    stopped_at: Date | null;
    duration_ms: string | null;
    size_bytes: string;
    segments: number;
  }>(
    'SELECT id, status, started_at, stopped_at, duration_ms, size_bytes, segments FROM recordings r WHERE session_id = $1 AND NOT EXISTS (SELECT 1 FROM petitions sp WHERE sp.session_id = r.session_id AND sp.sealed)',
    [sessionId],
  );
  const rec = r.rows[0];
  if (!rec) return { recording: null };
  const tracks = await db.query<{ id: string; kind: string; source: string; participant_role: string; started_at: Date }>(
    'SELECT id, kind, source, participant_role, started_at FROM recording_tracks WHERE recording_id = $1 ORDER BY started_at',
    [rec.id],
  );
  const events = await db.query<{ at: Date; kind: string; reason: string; actor: string | null }>(
    'SELECT e.at, e.kind, e.reason, u.display_name AS actor FROM recording_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.recording_id = $1 ORDER BY e.id',
    [rec.id],
  );
  const segs = await db.query<{ seq: number; track_id: string; size_bytes: string; duration_ms: number; county_only: boolean; sha256: Buffer }>(
    'SELECT seq, track_id, size_bytes, duration_ms, county_only, sha256 FROM recording_segments WHERE recording_id = $1 ORDER BY seq',
    [rec.id],
  );
  return {
    recording: {
      id: rec.id,
      status: rec.status,
      startedAt: rec.started_at.toISOString(),
      stoppedAt: rec.stopped_at?.toISOString() ?? null,
      durationMs: rec.duration_ms === null ? null : Number(rec.duration_ms),
      sizeBytes: Number(rec.size_bytes),
      tracks: tracks.rows.map((t) => ({
        id: t.id,
        kind: t.kind,
        source: t.source,
        participantRole: t.participant_role,
        startedAt: t.started_at.toISOString(),
      })),
      events: events.rows.map((e) => ({ at: e.at.toISOString(), kind: e.kind, reason: e.reason, actor: e.actor })),
      segments: segs.rows.map((s) => ({
        seq: s.seq,
        trackId: s.track_id,
        sizeBytes: Number(s.size_bytes),
        durationMs: s.duration_ms,
        countyOnly: s.county_only,
        sha256: s.sha256.toString('hex'),
      })),
    },
  };
}

/** A supervisor grants (or withdraws) a township's playback of a recording, with a reason, audited in the same transaction. */
/** The room a recording was made in, or null when there is no such recording. */
export async function recordingRoom(db: Queryable, recordingId: string): Promise<string | null> {
  const r = await db.query<{ room_code: string }>('SELECT room_code FROM recordings WHERE id = $1', [recordingId]);
  return r.rows[0]?.room_code ?? null;
}

export async function setTownshipGrant(db: Db, principal: Claims, recordingId: string, grant: boolean, reason: string): Promise<void> {
  await db.tx(async (q) => {
    const r = await q.query<{ room_code: string }>('UPDATE recordings SET township_grant = $2 WHERE id = $1 RETURNING room_code', [recordingId, grant]);
    if (!r.rows[0]) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.notFound);
    await appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: 'recording.grant',
      objectType: 'recording',
      objectId: recordingId,
      townshipCode: r.rows[0].room_code,
      details: { grant, reason },
    });
  });
}

/** Checks a recording's segments against their chain and sealed head; the check itself is audited with its verdict. */
export async function verifyRecordingAudited(db: Db, store: SegmentStore, principal: Claims, recordingId: string): Promise<RecordingVerdict> {
  const verdict = await verifyRecording(db, store, recordingId);
  await db.tx((q) =>
    appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: 'recording.verify',
      objectType: 'recording',
      objectId: recordingId,
      details: { ok: verdict.ok, segments: verdict.segments },
    }),
  );
  return verdict;
}
