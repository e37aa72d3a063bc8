import { onOwner } from '../../sessions/owner-calls.js';
import type { Express } from 'express';
import { z } from 'zod';
import {
  AppError,
  Id,
  PlaybackGrantAnswer,
  RecordingGrantAnswer,
  RecordingGrantBody,
  RecordingPauseAnswer,
  RecordingPauseBody,
  RecordingVerdictView,
  SessionRecordingAnswer,
} from '@vj/shared';
import { appendAudit } from '../../audit/audit-log.js';
import { recordingConflict } from '../../cases/conflicts.js';
import type { AppContext } from '../../context.js';
import { verifyRecording } from '../../recording/verify.js';
import { PlaybackIntegrityError } from '../../recording/playback.js';
import { BYTES, mount, RangeBuffer } from '../route.js';

const ById = z.object({ id: Id });

/** Recordings: the county's view of a session's recording, pause with a reason, audited playback, verification. */
export function recordingRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/sessions/:id/recording', {
    params: ById,
    response: SessionRecordingAnswer,
    handler: async ({ params }) => {
      const r = await app.db.query<{ id: string; status: string; started_at: Date; stopped_at: Date | null; duration_ms: string | null; size_bytes: string; segments: number }>(
        'SELECT id, status, started_at, stopped_at, duration_ms, size_bytes, segments FROM recordings WHERE session_id = $1',
        [params.id],
      );
      const rec = r.rows[0];
      if (!rec) return { recording: null };
      const tracks = await app.db.query<{ id: string; kind: string; source: string; participant_role: string; started_at: Date }>(
        'SELECT id, kind, source, participant_role, started_at FROM recording_tracks WHERE recording_id = $1 ORDER BY started_at',
        [rec.id],
      );
      const events = await app.db.query<{ at: Date; kind: string; reason: string; actor: string | null }>(
        'SELECT e.at, e.kind, e.reason, u.display_name AS actor FROM recording_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.recording_id = $1 ORDER BY e.id',
        [rec.id],
      );
      const segs = await app.db.query<{ seq: number; track_id: string; size_bytes: string; duration_ms: number; county_only: boolean; sha256: Buffer }>(
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
          tracks: tracks.rows.map((t) => ({ id: t.id, kind: t.kind, source: t.source, participantRole: t.participant_role, startedAt: t.started_at.toISOString() })),
          events: events.rows.map((e) => ({ at: e.at.toISOString(), kind: e.kind, reason: e.reason, actor: e.actor })),
          segments: segs.rows.map((s) => ({ seq: s.seq, trackId: s.track_id, sizeBytes: Number(s.size_bytes), durationMs: s.duration_ms, countyOnly: s.county_only, sha256: s.sha256.toString('hex') })),
        },
      };
    },
  });

  mount(express, app, 'POST /api/sessions/:id/recording/pause', {
    params: ById,
    body: RecordingPauseBody,
    response: RecordingPauseAnswer,
    handler: async ({ principal, params, body }) => ({ state: await onOwner(app, 'recordingPause', { principal, sessionId: params.id, paused: body.paused, reason: body.reason }) }),
  });

  mount(express, app, 'POST /api/recordings/:id/playback', {
    params: ById,
    response: PlaybackGrantAnswer,
    rateLimit: { name: 'playback', limit: 60, windowMs: 60_000 },
    handler: ({ principal, params }) => app.playback.grant(principal, params.id),
  });

  mount(express, app, 'POST /api/township/recordings/:id/playback', {
    params: ById,
    response: PlaybackGrantAnswer,
    rateLimit: { name: 'playback', limit: 60, windowMs: 60_000 },
    handler: async ({ principal, params, requireTownship }) => {
      const r = await app.db.query<{ room_code: string }>('SELECT room_code FROM recordings WHERE id = $1', [params.id]);
      if (!r.rows[0]) throw new AppError('NOT_FOUND', 'no such recording');
      requireTownship(r.rows[0].room_code);
      // A petition from this session that names the reader makes its recording as invisible as the petition.
      if (await recordingConflict(app.db, params.id, principal.sub)) throw new AppError('NOT_FOUND', 'no such recording');
      return app.playback.grant(principal, params.id);
    },
  });

  mount(express, app, 'POST /api/recordings/:id/township-grant', {
    params: ById,
    body: RecordingGrantBody,
    response: RecordingGrantAnswer,
    handler: async ({ principal, params, body }) => {
      await app.db.tx(async (q) => {
        const r = await q.query<{ room_code: string }>('UPDATE recordings SET township_grant = $2 WHERE id = $1 RETURNING room_code', [params.id, body.grant]);
        if (!r.rows[0]) throw new AppError('NOT_FOUND', 'no such recording');
        await appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action: 'recording.grant', objectType: 'recording', objectId: params.id, townshipCode: r.rows[0].room_code, details: { grant: body.grant, reason: body.reason } });
      });
      // Outstanding township playback URLs stop at their next request (re-checked there); their copies leave memory now.
      if (!body.grant) app.playback.forgetTownship(params.id);
      return { granted: body.grant };
    },
  });

  // The media request: only ?token= (a <video> element sends no bearer header), so the grant behind it — login
  // session, user, township grant — is re-checked on every request, each byte range included.
  mount(express, app, 'GET /api/recordings/playback/:id', {
    params: ById,
    query: z.object({ token: z.string().min(20).max(100) }),
    response: BYTES,
    handler: async ({ params, query }) => {
      try {
        const media = await app.playback.media(params.id, query.token);
        return new RangeBuffer(media.data, media.contentType);
      } catch (err) {
        if (err instanceof PlaybackIntegrityError) await app.integrityAlarm.report({ what: 'recording_segments', objectId: err.recordingId, townshipCode: err.roomCode });
        throw err;
      }
    },
  });

  mount(express, app, 'GET /api/recordings/:id/verify', {
    params: ById,
    response: RecordingVerdictView,
    handler: async ({ principal, params }) => {
      const verdict = await verifyRecording(app.db, app.segments, params.id);
      await app.db.tx((q) =>
        appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action: 'recording.verify', objectType: 'recording', objectId: params.id, details: { ok: verdict.ok, segments: verdict.segments } }),
      );
      return verdict;
    },
  });
}
