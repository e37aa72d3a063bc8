import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '@vj/shared';
import { reconcileRecordings } from '../../signaling/src/recording/reconciler.js';
import { RetentionJob } from '../../signaling/src/recording/retention.js';
import { api } from '../helpers/api.js';
import { quietLog } from '../helpers/backends.js';
import { loginAll, officerClaims, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';
import { encodeClip } from '../helpers/rtp.js';
import { rtpCall } from '../helpers/rtp-call.js';
import { connect, send, type TestSocket } from '../helpers/sockets.js';

type RecordingView = {
  id: string;
  status: string;
  durationMs: number | null;
  events: { kind: string; reason: string; actor: string | null }[];
  segments: { seq: number; trackId: string; countyOnly: boolean; durationMs: number }[];
  tracks: { id: string; kind: string }[];
};

let s: InProcessServer;
let logins: Logins;
const clip = path.join(os.tmpdir(), 'vj-recording-clip.webm');
const senders: ChildProcess[] = [];
const sockets: TestSocket[] = [];

beforeAll(async () => {
  encodeClip(clip);
  s = await startInProcess();
  logins = await loginAll(s.url, ['officer1', 'supervisor', 'xingsha-handler', 'langli-handler']);
});
afterAll(async () => {
  for (const p of senders) p.kill('SIGKILL');
  for (const k of sockets) k.close();
  await s?.stop();
});

/** A kiosk call in `room` whose camera and microphone are ffmpeg RTP senders: the recorder records both. */
async function liveCall(room: string): Promise<{ sessionId: string; videoProducer: string; kiosk: TestSocket }> {
  const call = await rtpCall(s, room, clip);
  senders.push(...call.senders);
  sockets.push(call.kiosk);
  return call;
}

const recordingOf = async (sessionId: string) =>
  (await api<{ recording: RecordingView | null }>(s.url, 'GET', `/api/sessions/${sessionId}/recording`, { token: logins['officer1']!.accessToken })).body
    .recording;

async function endCall(sessionId: string, kiosk: TestSocket): Promise<RecordingView> {
  expect((await send(kiosk, 'session:end', { sessionId })).ok).toBe(true);
  return waitFor(
    'recording finalized',
    async () => {
      const r = await recordingOf(sessionId);
      return r && r.status === 'complete' ? r : undefined;
    },
    { timeoutMs: 20_000 },
  );
}

function ffprobe(file: string): { streams: { codec_type: string }[]; format: { duration: string } } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { streams: { codec_type: string }[]; format: { duration: string } };
}

/** The first four bytes of every Matroska/WebM file (its EBML header's id). */
const EBML_MAGIC = '1a45dfa3';

describe('server-side recording', () => {
  it('records a 10 s call per track, encrypted and chained; playback is audited and ffprobe sees 10 ± 1.5 s of video and audio', async () => {
    const { sessionId, kiosk } = await liveCall('xingsha');
    const t0 = Date.now();
    await waitFor('two segments stored per track', async () => ((await recordingOf(sessionId))?.segments.length ?? 0) >= 4, { timeoutMs: 20_000 });
    await waitFor('ten seconds of call', () => Date.now() - t0 >= 10_000, { timeoutMs: 15_000 });
    const rec = await endCall(sessionId, kiosk);
    expect(rec.tracks.map((t) => t.kind).sort()).toEqual(['audio', 'video']);
    expect(rec.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['start', 'track_start', 'stop']));

    // At rest: no segment file is a readable media file (sealed), and the metadata hashes match the files.
    const dir = path.join(s.dataDir, 'recordings', rec.id);
    const files = fs.readdirSync(dir);
    expect(files.length).toBe(rec.segments.length);
    // Deterministic, not "ffprobe fails on it" (random ciphertext can be misread by some demuxer): each file carries no
    // Matroska header and does not contain its plaintext, and it opens under the recording's key to a Matroska
    // segment ffprobe reads.
    const rows = await s.server.db.query<{ track_id: string; track_seq: number; file: string }>(
      'SELECT track_id, track_seq, file FROM recording_segments WHERE recording_id = $1',
      [rec.id],
    );
    expect(rows.rowCount).toBe(files.length);
    for (const seg of rows.rows) {
      const sealed = fs.readFileSync(path.join(s.dataDir, 'recordings', seg.file));
      const plain = await s.server.ctx.segments.read(s.server.db, rec.id, seg);
      expect(plain.subarray(0, 4).toString('hex')).toBe(EBML_MAGIC);
      expect(sealed.includes(Buffer.from(EBML_MAGIC, 'hex'))).toBe(false);
      expect(sealed.includes(plain.subarray(0, 64))).toBe(false);
      const plainFile = path.join(os.tmpdir(), `vj-seg-${rec.id}-${seg.track_id}-${seg.track_seq}.mkv`);
      fs.writeFileSync(plainFile, plain);
      try {
        expect(spawnSync('ffprobe', ['-v', 'error', plainFile]).status).toBe(0);
      } finally {
        fs.rmSync(plainFile, { force: true });
      }
    }
    const verify = await api<{ ok: boolean; segments: number }>(s.url, 'GET', `/api/recordings/${rec.id}/verify`, { token: logins['supervisor']!.accessToken });
    expect(verify.body).toMatchObject({ ok: true, segments: rec.segments.length });

    const auditBefore = await s.server.db.query(`SELECT 1 FROM audit_log WHERE action = 'recording.playback' AND object_id = $1`, [rec.id]);
    const grant = await api<{ url: string }>(s.url, 'POST', `/api/recordings/${rec.id}/playback`, { token: logins['officer1']!.accessToken });
    expect(grant.status).toBe(200);
    const auditAfter = await s.server.db.query(`SELECT 1 FROM audit_log WHERE action = 'recording.playback' AND object_id = $1`, [rec.id]);
    expect(auditAfter.rowCount).toBe((auditBefore.rowCount ?? 0) + 1);
    const media = await fetch(`${s.url}${grant.body.url}`);
    expect(media.status).toBe(200);
    const out = path.join(os.tmpdir(), `vj-playback-${rec.id}.mkv`);
    fs.writeFileSync(out, Buffer.from(await media.arrayBuffer()));
    const probe = ffprobe(out);
    expect(probe.streams.map((x) => x.codec_type).sort()).toEqual(['audio', 'video']);
    const duration = Number(probe.format.duration);
    console.log(`recording: ${rec.segments.length} segments, playback duration ${duration.toFixed(2)} s`);
    expect(Math.abs(duration - 10)).toBeLessThanOrEqual(1.5);
    // Seeking: the player asks for byte ranges.
    const range = await fetch(`${s.url}${grant.body.url}`, { headers: { range: 'bytes=100-199' } });
    expect(range.status).toBe(206);
    expect((await range.arrayBuffer()).byteLength).toBe(100);
    fs.rmSync(out, { force: true });

    // Tamper: one flipped byte in one stored segment, and verification names that segment.
    const victim = rec.segments[Math.floor(rec.segments.length / 2)]!;
    const row = await s.server.db.query<{ file: string }>('SELECT file FROM recording_segments WHERE recording_id = $1 AND seq = $2', [rec.id, victim.seq]);
    const target = path.join(s.dataDir, 'recordings', row.rows[0]!.file);
    const bytes = fs.readFileSync(target);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    fs.writeFileSync(target, bytes);
    const tampered = await api<{ ok: boolean; firstBad: { seq: number; problem: string } }>(s.url, 'GET', `/api/recordings/${rec.id}/verify`, {
      token: logins['supervisor']!.accessToken,
    });
    expect(tampered.body.ok).toBe(false);
    expect(tampered.body.firstBad).toMatchObject({ seq: victim.seq, problem: 'hash' });
  });

  it('a killed ffmpeg raises the console alert within 5 s and recording restarts by itself', async () => {
    const officer = await connect(s.url, logins['supervisor']!.accessToken);
    sockets.push(officer);
    const { sessionId, videoProducer, kiosk } = await liveCall('langli');
    const firstPid = await waitFor('video recorder running', () => s.server.ctx.recorder.trackProcess(sessionId, videoProducer)?.pid);
    await waitFor('a first segment', async () => ((await recordingOf(sessionId))?.segments.length ?? 0) >= 1, { timeoutMs: 15_000 });
    const alerted = new Promise<number>((resolve) => {
      officer.on('alerts', ({ alerts }: { alerts: AlertView[] }) => {
        if (alerts.some((a) => a.kind === 'recorder_failed' && a.roomCode === 'langli')) resolve(Date.now());
      });
    });
    const killedAt = Date.now();
    process.kill(firstPid, 'SIGKILL');
    const alertMs = (await alerted) - killedAt;
    console.log(`recorder killed: alert after ${alertMs} ms`);
    expect(alertMs).toBeLessThan(5000);
    const newPid = await waitFor('ffmpeg restarted', () => {
      const pid = s.server.ctx.recorder.trackProcess(sessionId, videoProducer)?.pid;
      return pid && pid !== firstPid ? pid : undefined;
    });
    expect(newPid).not.toBe(firstPid);
    const before = (await recordingOf(sessionId))!.segments.length;
    await waitFor('segments after the restart', async () => ((await recordingOf(sessionId))?.segments.length ?? 0) > before + 1, { timeoutMs: 20_000 });
    const rec = await endCall(sessionId, kiosk);
    expect(rec.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['gap_start', 'restart']));
    const verify = await api<{ ok: boolean }>(s.url, 'GET', `/api/recordings/${rec.id}/verify`, { token: logins['supervisor']!.accessToken });
    expect(verify.body.ok).toBe(true);
  });

  it('a recorder whose ports another process took moves to new ones and goes on recording', async () => {
    const { sessionId, videoProducer, kiosk } = await liveCall('huangxing');
    const first = await waitFor('video recorder running', () => s.server.ctx.recorder.trackProcess(sessionId, videoProducer));
    const firstPid = await waitFor('its pid', () => first.pid);
    const oldPort = first.port;
    await waitFor('a first segment', async () => ((await recordingOf(sessionId))?.segments.length ?? 0) >= 1, { timeoutMs: 30_000 });
    // ffmpeg dies, and before it is restarted something else binds its RTP port: as the SFU's transports or another
    // program did when the recorder's port came from the machine's shared range.
    process.kill(firstPid, 'SIGKILL');
    const squatter = await waitFor(
      'the old port taken by another socket',
      () =>
        new Promise<dgram.Socket>((resolve, reject) => {
          const sock = dgram.createSocket('udp4');
          sock.once('error', (err) => (sock.close(), reject(err)));
          sock.bind(oldPort, '127.0.0.1', () => resolve(sock));
        }),
      { intervalMs: 5 },
    );
    try {
      const moved = await waitFor('recorder on new ports', () => {
        const t = s.server.ctx.recorder.trackProcess(sessionId, videoProducer);
        return t?.pid && t.port !== oldPort ? t : undefined;
      });
      expect(moved.port % 2).toBe(0);
      const before = (await recordingOf(sessionId))!.segments.length;
      await waitFor('segments from the new ports', async () => ((await recordingOf(sessionId))?.segments.length ?? 0) > before + 1, { timeoutMs: 30_000 });
    } finally {
      squatter.close();
    }
    const rec = await endCall(sessionId, kiosk);
    expect(rec.events.filter((e) => e.kind === 'restart').length).toBeGreaterThanOrEqual(2);
    expect(rec.events.some((e) => e.reason === 'recorder_given_up')).toBe(false);
    // Every pair the call held, the squatted one included, went back when it ended (the calls before this one ended too).
    expect(s.server.ctx.recorder.ports.inUse).toBe(0);
    const verify = await api<{ ok: boolean }>(s.url, 'GET', `/api/recordings/${rec.id}/verify`, { token: logins['supervisor']!.accessToken });
    expect(verify.body.ok).toBe(true);
  });

  it('only a supervisor pauses, with a reason; pause and resume are gap markers in one recording whose chain verifies', async () => {
    const { sessionId, kiosk } = await liveCall('jinjing');
    await waitFor('recording', async () => ((await recordingOf(sessionId))?.segments.length ?? 0) >= 2, { timeoutMs: 15_000 });
    const pause = (token: string, paused: boolean, reason: string) =>
      api<{ state: string }>(s.url, 'POST', `/api/sessions/${sessionId}/recording/pause`, { token, body: { paused, reason } });
    expect((await pause(logins['officer1']!.accessToken, true, '群众要求暂停录像')).status).toBe(403);
    expect((await pause(logins['supervisor']!.accessToken, true, '短')).status).toBe(400);
    expect((await pause(logins['supervisor']!.accessToken, true, '群众要求暂停录像说明隐私')).body.state).toBe('paused');
    const paused = await recordingOf(sessionId);
    expect(paused!.status).toBe('paused');
    expect((await pause(logins['supervisor']!.accessToken, false, '隐私部分结束,恢复录像')).body.state).toBe('recording');
    const resumedAt = (await recordingOf(sessionId))!.segments.length;
    await waitFor('segments after resuming', async () => ((await recordingOf(sessionId))?.segments.length ?? 0) >= resumedAt + 2, { timeoutMs: 15_000 });
    const rec = await endCall(sessionId, kiosk);
    const marks = rec.events.filter((e) => e.kind === 'pause' || e.kind === 'resume');
    expect(marks.map((e) => [e.kind, e.reason, e.actor])).toEqual([
      ['pause', '群众要求暂停录像说明隐私', expect.stringContaining('赵主任')],
      ['resume', '隐私部分结束,恢复录像', expect.stringContaining('赵主任')],
    ]);
    const recordings = await s.server.db.query('SELECT 1 FROM recordings WHERE session_id = $1', [sessionId]);
    expect(recordings.rowCount).toBe(1);
    const verify = await api<{ ok: boolean }>(s.url, 'GET', `/api/recordings/${rec.id}/verify`, { token: logins['supervisor']!.accessToken });
    expect(verify.body.ok).toBe(true);
    const audited = await s.server.db.query(`SELECT action FROM audit_log WHERE object_id = $1 AND action LIKE 'recording.%' ORDER BY seq`, [rec.id]);
    expect(audited.rows.map((r) => (r as { action: string }).action)).toEqual(expect.arrayContaining(['recording.pause', 'recording.resume']));
  });

  it('segments recorded while the session is private are marked county-only', async () => {
    const { sessionId, kiosk } = await liveCall('kaihui');
    // Counted per track: the tracks cut segments at their own pace (video at keyframes), so on a loaded machine
    // "four more segments" can all come from one track while the other's segment still spans the private part.
    const perTrack = async () => {
      const rec = await recordingOf(sessionId);
      const n = new Map<string, number>();
      for (const x of rec?.segments ?? []) n.set(x.trackId, (n.get(x.trackId) ?? 0) + 1);
      return { n, events: (rec?.events ?? []).map((e) => (e.reason ? `${e.kind}:${e.reason}` : e.kind)) };
    };
    // Not grown yet: the error (which waitFor reports on timeout) says how far each track got and what the
    // recorder noted (gaps, restarts), so a slow run tells why.
    const grown = (from: Map<string, number>, by: number) => async () => {
      const { n, events } = await perTrack();
      if (n.size >= 2 && [...n].every(([t, c]) => c >= (from.get(t) ?? 0) + by)) return true;
      const counts = [...n].map(([t, c]) => `${t.slice(0, 8)} ${from.get(t) ?? 0}→${c}`).join(', ');
      throw new Error(`segments per track ${counts || 'none'}; events ${events.join(',') || 'none'}`);
    };
    // The RTP senders (two ffmpeg processes) start with the call; after the rest of the suite on a loaded 2-core
    // machine the first video segment, cut at the sender's first keyframe, once took longer than 15 s.
    await waitFor('a first segment per track', grown(new Map(), 1), { timeoutMs: 30_000 });
    s.server.ctx.recorder.setPrivate(sessionId, true);
    const atOn = (await perTrack()).n;
    // Two 4 s segments take 4-8 s on a quiet machine; in the cluster pass at the end of one CI run they took
    // longer than 25 s (why was not recorded then; the error now says).
    await waitFor('two segments per track while private', grown(atOn, 2), { timeoutMs: 45_000 });
    s.server.ctx.recorder.setPrivate(sessionId, false);
    const atOff = (await perTrack()).n;
    await waitFor('two segments per track after private', grown(atOff, 2), { timeoutMs: 45_000 });
    const rec = await endCall(sessionId, kiosk);
    for (const trackId of atOn.keys()) {
      // Which segment straddles each switch depends on timing, so the check is on the shape: plain segments, then
      // county-only ones (the one in progress at each switch holds private minutes too), then plain ones again.
      const shape = rec.segments
        .filter((x) => x.trackId === trackId)
        .map((x) => (x.countyOnly ? 'P' : '-'))
        .join('');
      expect(shape, `track ${trackId}`).toMatch(/^-+P{2,}-+$/);
    }
  });

  it('township roles get no recording, and nobody gets one without a grant token', async () => {
    const anyRec = await s.server.db.query<{ id: string; session_id: string }>('SELECT id, session_id FROM recordings LIMIT 1');
    const { id, session_id } = anyRec.rows[0]!;
    const h = logins['xingsha-handler']!.accessToken;
    for (const [method, p] of [
      ['GET', `/api/sessions/${session_id}/recording`],
      ['POST', `/api/recordings/${id}/playback`],
      ['GET', `/api/recordings/${id}/verify`],
    ] as const) {
      expect([403, 404]).toContain((await api(s.url, method, p, { token: h })).status);
    }
    const grant = await api<{ url: string; playbackId: string }>(s.url, 'POST', `/api/recordings/${id}/playback`, { token: logins['officer1']!.accessToken });
    expect((await fetch(`${s.url}/api/recordings/playback/${grant.body.playbackId}?token=${'x'.repeat(32)}`)).status).toBe(404);
  });

  it('a township role gets its own recording only when granted, and never its private segments', async () => {
    const rec = (await s.server.db.query<{ id: string }>(`SELECT id FROM recordings WHERE room_code = 'langli' AND status = 'complete'`)).rows[0]!;
    const playback = (who: string) => api<{ url: string }>(s.url, 'POST', `/api/township/recordings/${rec.id}/playback`, { token: logins[who]!.accessToken });
    expect((await playback('langli-handler')).status).toBe(404); // not granted
    const granted = await api(s.url, 'POST', `/api/recordings/${rec.id}/township-grant`, {
      token: logins['supervisor']!.accessToken,
      body: { grant: true, reason: '镇纪委核查接待过程' },
    });
    expect(granted.status).toBe(200);
    expect((await playback('xingsha-handler')).status).toBe(404); // another township's
    const ok = await playback('langli-handler');
    expect(ok.status).toBe(200);
    const media = await fetch(`${s.url}${ok.body.url}`);
    expect(media.status).toBe(200);
    expect((await media.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const audited = await s.server.db.query(`SELECT actor_role FROM audit_log WHERE action = 'recording.playback' AND object_id = $1`, [rec.id]);
    expect(audited.rows.map((r) => (r as { actor_role: string }).actor_role)).toContain('township_handler');
    // Were all of it private, the township would get nothing at all.
    await s.server.db.query('UPDATE recording_segments SET county_only = true WHERE recording_id = $1', [rec.id]);
    try {
      const denied = await playback('langli-handler');
      expect(denied.status).toBe(200); // the grant exists…
      expect((await fetch(`${s.url}${denied.body.url}`)).status).toBe(404); // …but there is nothing it may see
    } finally {
      await s.server.db.query('UPDATE recording_segments SET county_only = false WHERE recording_id = $1', [rec.id]);
    }
  });

  it('retention by case state: purges files and key, keeps a tombstone with the hashes, audits it; an open case keeps its recording', async () => {
    const { db } = s.server;
    const kept = (
      await db.query<{ id: string; session_id: string }>(
        `SELECT r.id, r.session_id FROM recordings r JOIN reception_sessions x ON x.id = r.session_id WHERE x.room_code = 'kaihui'`,
      )
    ).rows[0]!;
    const b = { id: randomUUID(), sessionId: kept.session_id, townshipCode: 'kaihui', category: '其他', narrative: '保留期测试', accused: [], identity: null };
    // Filed through the service: the REST route accepts a session-bound petition only from a participant of the
    // call (receipt-push.test.ts), and this call was never answered; what matters here is the link.
    const officer = logins['officer1']!.user;
    await s.server.ctx.petitions.submit(officerClaims(officer), b as never);
    const gone = (
      await db.query<{ id: string; chain_head: Buffer; segments: number }>(`SELECT id, chain_head, segments FROM recordings WHERE room_code = 'jinjing'`)
    ).rows[0]!;
    const job = new RetentionJob(db, s.server.ctx.segments as unknown as ConstructorParameters<typeof RetentionJob>[1], quietLog);
    expect((await job.sweep(new Date())).purged).toEqual([]); // nothing is old enough yet
    const { purged } = await job.sweep(new Date(Date.now() + 400 * 86_400_000)); // 'none' keeps 365 days
    expect(purged).toContain(gone.id);
    expect(purged).not.toContain(kept.id);
    expect(fs.existsSync(path.join(s.dataDir, 'recordings', gone.id))).toBe(false);
    expect((await db.query('SELECT 1 FROM data_keys WHERE owner_id = $1', [gone.id])).rowCount).toBe(0);
    expect((await db.query('SELECT count(*)::int AS n FROM recording_segments WHERE recording_id = $1', [gone.id])).rows[0]).toEqual({ n: gone.segments });
    const audit = await db.query<{ details: { chainHead: string } }>(`SELECT details FROM audit_log WHERE action = 'recording.purge' AND object_id = $1`, [
      gone.id,
    ]);
    expect(audit.rows[0]!.details.chainHead).toBe(gone.chain_head.toString('hex'));
    const verdict = await api<{ ok: boolean; purged: boolean }>(s.url, 'GET', `/api/recordings/${gone.id}/verify`, {
      token: logins['supervisor']!.accessToken,
    });
    expect(verdict.body).toMatchObject({ ok: true, purged: true });
    expect((await api(s.url, 'POST', `/api/recordings/${gone.id}/playback`, { token: logins['officer1']!.accessToken })).status).toBe(404);
    expect(fs.existsSync(path.join(s.dataDir, 'recordings', kept.id))).toBe(true);
  });

  it('after a crash the reconciler leaves no file without metadata and no metadata without a file', async () => {
    const { db } = s.server;
    const segments = s.server.ctx.segments;
    // What a crash mid-recording leaves: a recording still marked live, a plaintext segment ffmpeg finished
    // but nobody stored, a sealed file written just before its row, and a half-written temporary file.
    // A complete recording with at least one track (any earlier test's, whichever finished).
    const rec = (
      await db.query<{ id: string; session_id: string }>(
        `SELECT r.id, r.session_id FROM recordings r WHERE r.status = 'complete' AND EXISTS (SELECT 1 FROM recording_tracks t WHERE t.recording_id = r.id) ORDER BY r.started_at LIMIT 1`,
      )
    ).rows[0]!;
    const track = (await db.query<{ id: string }>('SELECT id FROM recording_tracks WHERE recording_id = $1 LIMIT 1', [rec.id])).rows[0]!;
    await db.query(`UPDATE recordings SET status = 'finalizing' WHERE id = $1`, [rec.id]);
    const work = path.join(s.dataDir, 'recordings-work-crash');
    fs.mkdirSync(path.join(work, rec.id, track.id), { recursive: true });
    fs.copyFileSync(clip, path.join(work, rec.id, track.id, 'seg-09999.mkv'));
    fs.writeFileSync(segments.filePath(path.join(rec.id, 'orphan-00001.enc')), 'sealed but never recorded');
    fs.writeFileSync(segments.filePath(path.join(rec.id, 'x.enc.tmp')), 'half');

    const report = await reconcileRecordings(db, segments as unknown as Parameters<typeof reconcileRecordings>[1], work, quietLog);
    expect(report).toMatchObject({ interrupted: 1, rescued: 1, orphanFilesRemoved: 2 });
    // Purged recordings are tombstones: their rows stay on purpose, without files.
    const rows = await db.query<{ file: string }>(
      `SELECT s.file FROM recording_segments s JOIN recordings r ON r.id = s.recording_id WHERE r.status <> 'purged'`,
    );
    const onDisk = fs.readdirSync(segments.root).flatMap((r) => fs.readdirSync(path.join(segments.root, r)).map((f) => path.join(r, f)));
    expect(rows.rows.filter((r) => !fs.existsSync(segments.filePath(r.file)))).toEqual([]); // no metadata without a file
    expect(onDisk.filter((f) => !rows.rows.some((r) => r.file === f))).toEqual([]); // no file without metadata
    const status = await db.query<{ status: string }>('SELECT status FROM recordings WHERE id = $1', [rec.id]);
    expect(status.rows[0]!.status).toBe('interrupted');
  });
});
