import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AppError, type Logger } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import { constantTimeEqual, digestSecret, newId, randomSecret } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import type { SegmentStore } from './segment-store.js';

const GRANT_MINUTES = 30;

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new AppError('INTERNAL', `could not assemble the recording (${(r.stderr ?? '').slice(-200)})`);
}

/**
 * Playback of a recording. A grant is made with its audit row in one transaction; the media request presents
 * the grant's token. The file is assembled on demand: segments decrypted into a private directory, joined per
 * track, the tracks laid side by side at their start offsets, served with byte ranges so the player can seek,
 * and deleted when the grant expires.
 */
export class Playback {
  constructor(
    private readonly db: Db,
    private readonly store: SegmentStore,
    private readonly workRoot: string,
    private readonly log: Logger,
  ) {}

  /**
   * County roles get everything; a township role only its own township's recording, only when a supervisor
   * granted it, and never the private parts. Anything else is "not found".
   */
  async grant(principal: Claims, recordingId: string): Promise<{ playbackId: string; url: string; expiresAt: string }> {
    const township = principal.role === 'township_handler' || principal.role === 'township_staff';
    const token = randomSecret(24);
    const playbackId = newId();
    const expiresAt = new Date(Date.now() + GRANT_MINUTES * 60_000);
    await this.db.tx(async (q) => {
      const r = await q.query<{ room_code: string; status: string; township_grant: boolean }>('SELECT room_code, status, township_grant FROM recordings WHERE id = $1', [recordingId]);
      const rec = r.rows[0];
      if (!rec || rec.status === 'purged') throw new AppError('NOT_FOUND', 'no such recording');
      if (township && (rec.room_code !== principal.twp || !rec.township_grant)) throw new AppError('NOT_FOUND', 'no such recording');
      await q.query('INSERT INTO recording_playbacks (id, recording_id, token_digest, user_id, county_only, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        playbackId,
        recordingId,
        digestSecret(token),
        principal.sub,
        !township,
        expiresAt,
      ]);
      await appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action: 'recording.playback', objectType: 'recording', objectId: recordingId, townshipCode: rec.room_code, details: { playbackId } });
    });
    return { playbackId, url: `/api/recordings/playback/${playbackId}?token=${token}`, expiresAt: expiresAt.toISOString() };
  }

  /** The assembled file for a valid grant (built once per grant). */
  async file(playbackId: string, token: string): Promise<string> {
    const g = await this.db.query<{ recording_id: string; token_digest: string; county_only: boolean; expired: boolean }>(
      'SELECT recording_id, token_digest, county_only, expires_at < now() AS expired FROM recording_playbacks WHERE id = $1',
      [playbackId],
    );
    const grant = g.rows[0];
    if (!grant || grant.expired || !constantTimeEqual(grant.token_digest, digestSecret(token))) throw new AppError('NOT_FOUND', 'no such playback');
    const dir = path.join(this.workRoot, 'playback', playbackId);
    for (const name of ['recording.webm', 'recording.mkv']) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tracks = await this.db.query<{ id: string; kind: 'audio' | 'video'; offset_s: number }>(
      `SELECT t.id, t.kind, extract(epoch FROM t.started_at - r.started_at)::float AS offset_s FROM recording_tracks t JOIN recordings r ON r.id = t.recording_id
       WHERE t.recording_id = $1 ORDER BY t.started_at, t.id`,
      [grant.recording_id],
    );
    const inputs: string[] = [];
    const audio: number[] = [];
    for (const t of tracks.rows) {
      const segs = await this.db.query<{ track_id: string; track_seq: number; file: string }>(
        `SELECT track_id, track_seq, file FROM recording_segments WHERE track_id = $1 AND ($2 OR NOT county_only) ORDER BY track_seq`,
        [t.id, grant.county_only],
      );
      if (!segs.rows.length) continue;
      const list: string[] = [];
      for (const s of segs.rows) {
        const plain = path.join(dir, `${t.id}-${s.track_seq}.mkv`);
        fs.writeFileSync(plain, await this.store.read(this.db, grant.recording_id, s), { mode: 0o600 });
        list.push(`file '${plain}'`);
      }
      fs.writeFileSync(path.join(dir, `${t.id}.txt`), list.join('\n'));
      const joined = path.join(dir, `${t.id}.joined.mkv`);
      ffmpeg(['-f', 'concat', '-safe', '0', '-i', path.join(dir, `${t.id}.txt`), '-c', 'copy', joined]);
      if (t.kind === 'audio') audio.push(inputs.length / 4);
      inputs.push('-itsoffset', String(Math.max(0, t.offset_s)), '-i', joined);
    }
    if (!inputs.length) throw new AppError('NOT_FOUND', 'this recording has nothing to play');
    // A browser plays one audio track: the first one is everybody mixed; each person's own track follows it, as
    // recorded (copied, not re-encoded), so the file still shows who said what.
    const mix =
      audio.length > 1
        ? ['-filter_complex', `${audio.map((i) => `[${i}:a]`).join('')}amix=inputs=${audio.length}:duration=longest:normalize=0[mix]`, '-map', '[mix]', '-c:a:0', 'libopus', '-b:a:0', '48k']
        : [];
    const maps = Array.from({ length: inputs.length / 4 }, (_, i) => ['-map', String(i)]).flat();
    const copy = audio.length > 1 ? ['-c:v', 'copy', ...audio.flatMap((_, k) => [`-c:a:${k + 1}`, 'copy'])] : ['-c', 'copy'];
    // WebM plays in every browser; it holds VP8 and Opus, which is what kiosks send. Anything else stays Matroska.
    let out = path.join(dir, 'recording.webm');
    try {
      ffmpeg([...inputs, ...mix, ...maps, ...copy, '-f', 'webm', out]);
    } catch {
      fs.rmSync(out, { force: true });
      out = path.join(dir, 'recording.mkv');
      ffmpeg([...inputs, ...mix, ...maps, ...copy, out]);
    }
    for (const f of fs.readdirSync(dir)) if (!f.startsWith('recording.')) fs.rmSync(path.join(dir, f), { force: true });
    setTimeout(() => fs.rmSync(dir, { recursive: true, force: true }), GRANT_MINUTES * 60_000).unref();
    this.log.info('playback assembled', { playbackId, recordingId: grant.recording_id, tracks: inputs.length / 4, container: path.extname(out) });
    return out;
  }
}
