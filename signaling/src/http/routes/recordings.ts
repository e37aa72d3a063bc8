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
  ERROR_MESSAGES,
} from '@vj/shared';
import { assertRecordingNotNamed, assertSessionNotNamed, recordingConflict, recordingOfSealed } from '../../cases/conflicts.js';
import { sealedCallHiddenFrom } from '../../cases/sealed.js';
import type { AppContext } from '../../context.js';
import { recordingRoom, sessionRecording, setTownshipGrant, verifyRecordingAudited } from '../../recording/recording-record.js';
import { PlaybackIntegrityError } from '../../recording/playback.js';
import { BYTES, mount, RangeBuffer } from '../route.js';

const ById = z.object({ id: Id });

/** Recordings: the county's view of a session's recording, pause with a reason, audited playback, verification. */
export function recordingRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/sessions/:id/recording', {
    params: ById,
    response: SessionRecordingAnswer,
    handler: async ({ principal, params }) => {
      await assertSessionNotNamed(app.db, principal.sub, params.id);
      return sessionRecording(app.db, params.id);
    },
  });

  mount(express, app, 'POST /api/sessions/:id/recording/pause', {
    params: ById,
    body: RecordingPauseBody,
    response: RecordingPauseAnswer,
    handler: async ({ principal, params, body }) => {
      // A live call a sealed matter was taken in: only a supervisor in it pauses its recording; to any other it answers
      // as a session with no recording (what an unknown id gets), so the refusal does not tell that it exists.
      if (await sealedCallHiddenFrom(app.db, principal.sub, params.id)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.notRecording);
      // 回避: a matter filed from the call names them; whether the villager's account of them is recorded is not theirs to decide.
      await assertSessionNotNamed(app.db, principal.sub, params.id);
      return { state: await onOwner(app, 'recordingPause', { principal, sessionId: params.id, paused: body.paused, reason: body.reason }) };
    },
  });

  mount(express, app, 'POST /api/recordings/:id/playback', {
    params: ById,
    response: PlaybackGrantAnswer,
    rateLimit: { name: 'playback', limit: 60, windowMs: 60_000 },
    handler: async ({ principal, params }) => {
      if (await recordingOfSealed(app.db, params.id)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.notFound);
      await assertRecordingNotNamed(app.db, principal.sub, params.id);
      return app.playback.grant(principal, params.id);
    },
  });

  mount(express, app, 'POST /api/township/recordings/:id/playback', {
    params: ById,
    response: PlaybackGrantAnswer,
    rateLimit: { name: 'playback', limit: 60, windowMs: 60_000 },
    handler: async ({ principal, params, requireTownship }) => {
      const room = await recordingRoom(app.db, params.id);
      if (!room) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.notFound);
      requireTownship(room);
      // A petition from this session that names the reader makes its recording as invisible as the petition.
      if (await recordingConflict(app.db, params.id, principal.sub)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.notFound);
      return app.playback.grant(principal, params.id);
    },
  });

  mount(express, app, 'POST /api/recordings/:id/township-grant', {
    params: ById,
    body: RecordingGrantBody,
    response: RecordingGrantAnswer,
    handler: async ({ principal, params, body }) => {
      // A recording of a call a sealed matter came from answers as one that is not there, as playback and verify do.
      if (await recordingOfSealed(app.db, params.id)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.notFound);
      // Who else may watch the call that tells about them is not the accused's decision (回避).
      await assertRecordingNotNamed(app.db, principal.sub, params.id);
      await setTownshipGrant(app.db, principal, params.id, body.grant, body.reason);
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
        if (err instanceof PlaybackIntegrityError)
          await app.integrityAlarm.report({ what: 'recording_segments', objectId: err.recordingId, townshipCode: err.roomCode });
        throw err;
      }
    },
  });

  mount(express, app, 'GET /api/recordings/:id/verify', {
    params: ById,
    response: RecordingVerdictView,
    handler: async ({ principal, params }) => {
      // An unknown id, and a recording of a call a sealed matter came from, answer alike: not found.
      if (!(await recordingRoom(app.db, params.id)) || (await recordingOfSealed(app.db, params.id)))
        throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.notFound);
      await assertRecordingNotNamed(app.db, principal.sub, params.id);
      return verifyRecordingAudited(app.db, app.segments, principal, params.id);
    },
  });
}
