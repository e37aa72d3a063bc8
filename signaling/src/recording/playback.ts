import fs from 'node:fs';
import path from 'node:path';
import { AppError, COUNTY_ROLES, type Logger, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import { constantTimeEqual, digestSecret, newId, randomSecret } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import { AssembledCache, type Assembled } from './playback-cache.js';
import { makeScratch, playbackScratchPrefix, scratchRoot, sweepScratch } from './playback-scratch.js';
import { killStaleFfmpeg } from './reconciler.js';
import { runFfmpeg } from './run-tool.js';
import type { SegmentStore } from './segment-store.js';
import { verifyRecording } from './verify.js';

const GRANT_MINUTES = 30;
const FFMPEG_TIMEOUT_MS = 120_000;
/** Assembled videos kept in memory for seeking: a few, and bounded together so playback cannot exhaust memory. */
const CACHE_ENTRIES = 4;
const CACHE_BYTES = 768 * 1024 * 1024;

/** Playback refused because the recording's chain does not verify; the route makes it loud (alert, audit). */
export class PlaybackIntegrityError extends AppError {
  constructor(
    readonly recordingId: string,
    readonly roomCode: string | null,
  ) {
    super('INTEGRITY', ERROR_MESSAGES.recording.integrity);
  }
}

/** A grant that still stands, as re-checked for one request. */
interface LiveGrant {
  recordingId: string;
  countyOnly: boolean;
  expiresAt: Date;
}

/** Why a grant no longer stands; logged (with ids only) so an operator can tell revocation from a bad link. */
type Refusal = 'unknown' | 'token' | 'expired' | 'session' | 'user' | 'recording' | 'township';

async function ffmpeg(args: string[], log: Logger, ids: Record<string, string>): Promise<void> {
  const r = await runFfmpeg(args, FFMPEG_TIMEOUT_MS);
  if (r.code === 0) return;
  log.warn('playback ffmpeg failed', { ...ids, code: r.code, signal: r.signal, timedOut: r.timedOut, stderr: r.stderr.replace(/\s+/g, ' ').slice(-300) });
  throw new AppError('INTERNAL', ERROR_MESSAGES.recording.mixFailed);
}

/**
 * Playback of a recording. A grant is made with its audit row in one transaction and remembers the login
 * session it was made in; the media request presents the grant's token (a <video> element cannot send a bearer
 * header), so every request — each byte range a player asks for while seeking — re-checks the session, the
 * user and the grant itself, and a withdrawn one answers 404 like a grant that never existed.
 *
 * Plaintext never outlives its request on disk: segments are decrypted into a private RAM-backed scratch
 * folder, joined by ffmpeg, read into memory and the folder removed on every outcome. The assembled file is
 * served from memory and kept, for seeking, in a small cache that expires with the grant.
 */
export class Playback {
  private readonly cache = new AssembledCache(CACHE_ENTRIES, CACHE_BYTES);
  /** Assemblies in progress: the player's first range requests arrive together and share one. */
  private readonly building = new Map<string, Promise<Assembled>>();
  private readonly scratchPrefix: string;

  constructor(
    private readonly db: Db,
    private readonly store: SegmentStore,
    workRoot: string,
    private readonly log: Logger,
  ) {
    const { root, ram } = scratchRoot();
    if (!ram) log.warn('no RAM-backed directory (/dev/shm): playback decrypts into private folders under the temp directory');
    this.scratchPrefix = playbackScratchPrefix(workRoot, root);
    // Built once at start-up, before any request: whatever a killed server left in its scratch folders, or in
    // the folder earlier versions assembled into, is plaintext nobody is serving. An ffmpeg of that server
    // still joining it is stopped first, so nothing is written after the sweep.
    const killed = killStaleFfmpeg(this.scratchPrefix);
    const legacy = path.join(workRoot, 'playback');
    const swept = sweepScratch(this.scratchPrefix) + (fs.existsSync(legacy) ? fs.readdirSync(legacy).length : 0);
    fs.rmSync(legacy, { recursive: true, force: true });
    if (swept || killed) log.warn('decrypted playback leftovers removed at start-up', { folders: swept, ffmpegKilled: killed });
  }

  /**
   * County roles get everything; a township role only its own township's recording, only when a supervisor
   * granted it, and never the private parts. Anything else is "not found".
   */
  async grant(principal: Claims, recordingId: string): Promise<{ playbackId: string; url: string; expiresAt: string }> {
    const township = principal.role === 'township_handler' || principal.role === 'township_staff';
    // Console tokens always carry their login session; without one there is nothing to re-check later.
    if (!principal.sid) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.notFound);
    const token = randomSecret(24);
    const playbackId = newId();
    const expiresAt = new Date(Date.now() + GRANT_MINUTES * 60_000);
    await this.db.tx(async (q) => {
      const r = await q.query<{ room_code: string; status: string; township_grant: boolean }>(
        'SELECT room_code, status, township_grant FROM recordings WHERE id = $1',
        [recordingId],
      );
      const rec = r.rows[0];
      if (!rec || rec.status === 'purged') throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.notFound);
      if (township && (rec.room_code !== principal.twp || !rec.township_grant)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.notFound);
      await q.query(
        'INSERT INTO recording_playbacks (id, recording_id, token_digest, user_id, county_only, expires_at, auth_session_id) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [playbackId, recordingId, digestSecret(token), principal.sub, !township, expiresAt, principal.sid],
      );
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'recording.playback',
        objectType: 'recording',
        objectId: recordingId,
        townshipCode: rec.room_code,
        details: { playbackId },
      });
    });
    return { playbackId, url: `/api/recordings/playback/${playbackId}?token=${token}`, expiresAt: expiresAt.toISOString() };
  }

  /**
   * Whether the grant still stands, now: token, expiry, the login session it was made in (not logged out, not
   * revoked), its user (not disabled), the recording (not purged) and, for a township grant, the supervisor's
   * grant and the user's township. One query, on every request.
   */
  private async live(playbackId: string, token: string): Promise<LiveGrant> {
    const g = await this.db.query<{
      recording_id: string;
      token_digest: string;
      county_only: boolean;
      expires_at: Date;
      expired: boolean;
      session_ok: boolean;
      user_ok: boolean;
      recording_ok: boolean;
      township_ok: boolean;
    }>(
      `SELECT p.recording_id, p.token_digest, p.county_only, p.expires_at, p.expires_at <= now() AS expired,
              coalesce(s.revoked_at IS NULL AND s.expires_at > now() AND s.user_id = p.user_id, false) AS session_ok,
              u.disabled_at IS NULL AS user_ok,
              -- A recording whose call a sealed matter came from stops at the next request, like a purged one.
              r.status <> 'purged' AND NOT EXISTS (SELECT 1 FROM petitions sp WHERE sp.session_id = r.session_id AND sp.sealed) AS recording_ok,
              CASE WHEN p.county_only THEN u.role = ANY($2::text[])
                   ELSE r.township_grant AND u.role IN ('township_handler', 'township_staff') AND u.township_code = r.room_code END AS township_ok
         FROM recording_playbacks p
         JOIN recordings r ON r.id = p.recording_id
         JOIN users u ON u.id = p.user_id
         LEFT JOIN auth_sessions s ON s.id = p.auth_session_id
        WHERE p.id = $1`,
      [playbackId, [...COUNTY_ROLES]],
    );
    const row = g.rows[0];
    const refusal: Refusal | undefined = !row
      ? 'unknown'
      : !constantTimeEqual(row.token_digest, digestSecret(token))
        ? 'token'
        : row.expired
          ? 'expired'
          : !row.session_ok
            ? 'session'
            : !row.user_ok
              ? 'user'
              : !row.recording_ok
                ? 'recording'
                : !row.township_ok
                  ? 'township'
                  : undefined;
    if (refusal || !row) {
      // A wrong token says nothing about the grant; anything else means it is over: drop its plaintext.
      if (refusal !== 'token') this.cache.delete(playbackId);
      if (refusal !== 'unknown' && refusal !== 'token') this.log.info('playback refused', { playbackId, reason: refusal ?? 'unknown' });
      throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.playbackGone);
    }
    return { recordingId: row.recording_id, countyOnly: row.county_only, expiresAt: row.expires_at };
  }

  /** The assembled recording for a grant that still stands (built once per grant, kept in memory for seeking). */
  async media(playbackId: string, token: string): Promise<Assembled> {
    const grant = await this.live(playbackId, token);
    const cached = this.cache.get(playbackId);
    if (cached) return cached;
    let building = this.building.get(playbackId);
    if (!building) {
      building = this.assemble(playbackId, grant).finally(() => this.building.delete(playbackId));
      this.building.set(playbackId, building);
    }
    const assembled = await building;
    // Assembly takes seconds; access may have ended meanwhile. No byte leaves without a fresh check.
    await this.live(playbackId, token);
    if (!this.cache.put(playbackId, grant, assembled))
      this.log.warn('assembled recording too large to keep for seeking', { playbackId, bytes: assembled.data.length });
    return assembled;
  }

  /** A supervisor withdrew the township grant: township copies leave memory now, not at their next request. */
  forgetTownship(recordingId: string): void {
    this.cache.dropTownship(recordingId);
  }

  private async assemble(playbackId: string, grant: LiveGrant): Promise<Assembled> {
    const ids = { playbackId, recordingId: grant.recordingId };
    const tracks = await this.db.query<{ id: string; kind: 'audio' | 'video'; offset_s: number }>(
      `SELECT t.id, t.kind, extract(epoch FROM t.started_at - r.started_at)::float AS offset_s FROM recording_tracks t JOIN recordings r ON r.id = t.recording_id
       WHERE t.recording_id = $1 ORDER BY t.started_at, t.id`,
      [grant.recordingId],
    );
    const plan: { id: string; kind: 'audio' | 'video'; offset: number; segs: { track_id: string; track_seq: number; file: string }[] }[] = [];
    for (const t of tracks.rows) {
      const segs = await this.db.query<{ track_id: string; track_seq: number; file: string }>(
        `SELECT track_id, track_seq, file FROM recording_segments WHERE track_id = $1 AND ($2 OR NOT county_only) ORDER BY track_seq`,
        [t.id, grant.countyOnly],
      );
      if (segs.rows.length) plan.push({ id: t.id, kind: t.kind, offset: Math.max(0, t.offset_s), segs: segs.rows });
    }
    if (!plan.length) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.nothingToPlay);
    // A recording still being written has a chain that grows under the check: it plays once closed (the console
    // offers it only then), and its verification cannot raise a false alarm.
    const state = await this.db.query<{ status: string; room_code: string }>('SELECT status, room_code FROM recordings WHERE id = $1', [grant.recordingId]);
    if (['recording', 'paused', 'finalizing'].includes(state.rows[0]?.status ?? '')) throw new AppError('INVALID_STATE', ERROR_MESSAGES.recording.notFinished);
    // Nothing is decrypted from a chain that does not verify: a rewritten chain could be hiding or adding parts.
    const verdict = await verifyRecording(this.db, this.store, grant.recordingId);
    if (!verdict.ok) {
      this.log.error('playback refused: recording does not verify', { ...ids, seq: verdict.firstBad?.seq ?? null, problem: verdict.firstBad?.problem ?? null });
      throw new PlaybackIntegrityError(grant.recordingId, state.rows[0]?.room_code ?? null);
    }
    const dir = makeScratch(this.scratchPrefix);
    try {
      const inputs: string[] = [];
      const audio: number[] = [];
      for (const t of plan) {
        const list: string[] = [];
        const plain: string[] = [];
        for (const s of t.segs) {
          const file = path.join(dir, `${t.id}-${s.track_seq}.mkv`);
          await fs.promises.writeFile(file, await this.store.read(this.db, grant.recordingId, s), { mode: 0o600 });
          plain.push(file);
          list.push(`file '${file}'`);
        }
        await fs.promises.writeFile(path.join(dir, `${t.id}.txt`), list.join('\n'), { mode: 0o600 });
        const joined = path.join(dir, `${t.id}.joined.mkv`);
        await ffmpeg(['-f', 'concat', '-safe', '0', '-i', path.join(dir, `${t.id}.txt`), '-c', 'copy', joined], this.log, ids);
        // The joined track holds the same plaintext: its pieces go now, not at the end.
        for (const f of plain) await fs.promises.rm(f, { force: true });
        if (t.kind === 'audio') audio.push(inputs.length / 4);
        inputs.push('-itsoffset', String(t.offset), '-i', joined);
      }
      // A browser plays one audio track: the first one is everybody mixed; each person's own track follows it, as
      // recorded (copied, not re-encoded), so the file still shows who said what.
      const mix =
        audio.length > 1
          ? [
              '-filter_complex',
              `${audio.map((i) => `[${i}:a]`).join('')}amix=inputs=${audio.length}:duration=longest:normalize=0[mix]`,
              '-map',
              '[mix]',
              '-c:a:0',
              'libopus',
              '-b:a:0',
              '48k',
            ]
          : [];
      const maps = Array.from({ length: inputs.length / 4 }, (_, i) => ['-map', String(i)]).flat();
      const copy = audio.length > 1 ? ['-c:v', 'copy', ...audio.flatMap((_, k) => [`-c:a:${k + 1}`, 'copy'])] : ['-c', 'copy'];
      // WebM plays in every browser; it holds VP8 and Opus, which is what kiosks send. Anything else stays Matroska.
      let out = path.join(dir, 'recording.webm');
      let contentType = 'video/webm';
      try {
        await ffmpeg([...inputs, ...mix, ...maps, ...copy, '-f', 'webm', out], this.log, ids);
      } catch {
        await fs.promises.rm(out, { force: true });
        out = path.join(dir, 'recording.mkv');
        contentType = 'video/x-matroska';
        await ffmpeg([...inputs, ...mix, ...maps, ...copy, out], this.log, ids);
      }
      const data = await fs.promises.readFile(out);
      this.log.info('playback assembled', { ...ids, tracks: plan.length, container: path.extname(out), bytes: data.length });
      return { data, contentType };
    } finally {
      // Every outcome — served, ffmpeg failed, decryption failed — leaves no plaintext behind.
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }
}
