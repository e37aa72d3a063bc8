import fs from 'node:fs';
import path from 'node:path';
import { AppError, errorFields, type Logger, type MediaKind, type ParticipantRole, type SfuApi, type TrackSource, ERROR_MESSAGES } from '@vj/shared';
import type { AlertService } from '../alerts/alert-service.js';
import { appendAudit } from '../audit/audit-log.js';
import { sealRecordingHead } from './verify.js';
import type { Db } from '../db/db.js';
import { newId } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import { FfmpegTrack, sdpFor, SEGMENT_SECONDS } from './ffmpeg-track.js';
import { RecorderPorts } from './recorder-ports.js';
import { runFfmpeg, runTool } from './run-tool.js';
import type { SegmentStore } from './segment-store.js';
import { LOOK_EVERY_MS, StallWatch, monotonic, type Clock } from './stall-watch.js';

export interface TrackInfo {
  producerId: string;
  kind: MediaKind;
  source: TrackSource;
  participantRole: ParticipantRole;
  participantId: string | null;
}

interface Track {
  id: string;
  info: TrackInfo;
  ffmpeg: FfmpegTrack;
  transportId: string;
  consumerId: string;
  nextIndex: number;
  /** Private mode touched the segment now being written: it will be county-only. */
  privateTouched: boolean;
  /** Bytes written versus watched time, on the monotonic clock. */
  watch: StallWatch;
  lastPackets: number;
  /** ffmpeg's CPU time at the last look, to tell a recorder starved of CPU from one that has stopped. */
  lastCpuTicks: number | undefined;
  inGap: boolean;
  /** When ffmpeg was last restarted (monotonic ms): a recorder that keeps dying is left down, not restarted in a loop. */
  restarts: number[];
}

interface Recording {
  id: string;
  sessionId: string;
  roomCode: string;
  paused: boolean;
  private: boolean;
  tracks: Map<string, Track>;
  /** The recorder port pairs this recording holds: each is given back once, when the recording closes or moves off it. */
  ports: Set<number>;
  /** Segments are stored one at a time per recording: the chain has one order. */
  queue: Promise<void>;
  liveness: NodeJS.Timeout;
  keyframes: NodeJS.Timeout;
  stopping: boolean;
  /** Set once the recording is being closed: the one close every caller waits on. */
  finishing?: Promise<void>;
}

export type RecordingState = 'recording' | 'paused';

const MAX_RESTARTS_PER_MINUTE = 5;
/** CPU clock ticks (1/100 s) a queued recorder may have had between two looks and still count as starved. */
const STARVED_TICKS = 2;

/**
 * Why a gap began, stored as a stable code (the console words it in Chinese). A stall is a recorder that
 * receives packets but writes nothing for STALL_MS of watched time; exited and given_up are ffmpeg dying.
 */
export const GAP_REASONS = { stalled: 'recorder_stalled', exited: 'recorder_exited', givenUp: 'recorder_given_up' } as const;

/** How long a media file plays, from ffprobe (0 if it cannot tell). Asynchronous: other calls go on meanwhile. */
async function probeDurationMs(file: string): Promise<number> {
  const r = await runTool('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file], 10_000);
  const s = r.code === 0 ? Number(r.stdout.trim()) : NaN;
  return Number.isFinite(s) ? Math.round(s * 1000) : 0;
}

/** Repairs the segment a killed ffmpeg left half-written, so it still plays; returns false if nothing usable. */
async function repairSegment(file: string): Promise<boolean> {
  const fixed = `${file}.fixed.mkv`;
  const r = await runFfmpeg(['-i', file, '-map', '0', '-c', 'copy', '-f', 'matroska', fixed], 15_000);
  if (r.code !== 0 || !fs.existsSync(fixed) || fs.statSync(fixed).size === 0) {
    fs.rmSync(fixed, { force: true });
    return false;
  }
  fs.renameSync(fixed, file);
  return true;
}

const segIndex = (file: string) => Number(/seg-(\d+)\.mkv$/.exec(file)?.[1] ?? NaN);

/**
 * Mandatory server-side recording of every reception session. Each producer is consumed by the recorder on a
 * plain RTP transport and written by its own ffmpeg (audio per track, so the record shows who said what), cut
 * into segments that are sealed, hashed and chained as they complete. Participants cannot stop it; a county
 * supervisor may pause it with a reason. A liveness check watches every track, alerts the console and marks
 * gaps; a dead ffmpeg is restarted and its half-written segment repaired.
 */
export class RecordingService {
  private readonly recordings = new Map<string, Recording>();
  /** Tracks of one session arrive together; they must share one recording. */
  private readonly opening = new Map<string, Promise<Recording>>();

  constructor(
    private readonly db: Db,
    private readonly sfu: SfuApi,
    private readonly store: SegmentStore,
    private readonly alerts: AlertService,
    private readonly log: Logger,
    private readonly workRoot: string,
    /** Tells the session's screens (the kiosk's 录像中 indicator) what the recorder is doing. */
    private readonly announce: (sessionId: string, state: RecordingState | null) => void,
    /** Every duration here is measured on this clock; a wall-clock step must not look like a stall. */
    private readonly clock: Clock = monotonic,
    /** Where each track's ffmpeg listens (RECORDER_PORTS). */
    readonly ports: RecorderPorts = new RecorderPorts(),
  ) {}

  stateOf(sessionId: string): RecordingState | null {
    const r = this.recordings.get(sessionId);
    return r ? (r.paused ? 'paused' : 'recording') : null;
  }

  /** Test hook: the ffmpeg process of one track. */
  trackProcess(sessionId: string, producerId: string): FfmpegTrack | undefined {
    return this.recordings.get(sessionId)?.tracks.get(producerId)?.ffmpeg;
  }

  recordingId(sessionId: string): string | undefined {
    return this.recordings.get(sessionId)?.id;
  }

  private open(sessionId: string, roomCode: string): Promise<Recording> {
    const existing = this.recordings.get(sessionId);
    if (existing) return Promise.resolve(existing);
    let opening = this.opening.get(sessionId);
    if (!opening) {
      opening = this.create(sessionId, roomCode).finally(() => this.opening.delete(sessionId));
      this.opening.set(sessionId, opening);
    }
    return opening;
  }

  private async create(sessionId: string, roomCode: string): Promise<Recording> {
    // A session picked up after a restart continues its recording (the stop that closing it stamped is no longer its
    // stop); otherwise a new one starts.
    const id = await this.db.tx(async (q) => {
      const r = await q.query<{ id: string }>(
        `INSERT INTO recordings (id, session_id, room_code, status, started_at) VALUES ($1, $2, $3, 'recording', now())
         ON CONFLICT (session_id) DO UPDATE SET status = 'recording', stopped_at = NULL RETURNING id`,
        [newId(), sessionId, roomCode],
      );
      const recId = r.rows[0]!.id;
      await this.store.createKey(q, recId);
      await q.query(`INSERT INTO recording_events (recording_id, kind) VALUES ($1, 'start')`, [recId]);
      return recId;
    });
    const rec: Recording = {
      id,
      sessionId,
      roomCode,
      paused: false,
      private: false,
      tracks: new Map(),
      ports: new Set(),
      queue: Promise.resolve(),
      liveness: setInterval(
        () => void this.checkLiveness(rec).catch((err) => this.log.warn('liveness check failed', { recordingId: id, ...errorFields(err) })),
        LOOK_EVERY_MS,
      ),
      keyframes: setInterval(() => void this.keyframes(rec), SEGMENT_SECONDS * 1000),
      stopping: false,
    };
    rec.liveness.unref();
    rec.keyframes.unref();
    this.recordings.set(sessionId, rec);
    this.announce(sessionId, 'recording');
    this.log.info('recording started', { recordingId: id, sessionId });
    return rec;
  }

  /** Every producer of a session is recorded from the moment it appears. */
  async trackAdded(sessionId: string, roomCode: string, info: TrackInfo): Promise<void> {
    const rec = await this.open(sessionId, roomCode);
    if (rec.stopping || rec.tracks.has(info.producerId)) return;
    const wired = await this.wire(rec, info.producerId);
    // The call may have ended while the SFU answered: a recorder started now would outlive it.
    if (rec.stopping) return this.free(rec, wired.port);
    const trackId = newId();
    const ffmpeg = new FfmpegTrack(path.join(this.workRoot, rec.id, trackId), wired.port, sdpFor(info.kind, wired.port, wired.rtpParameters), this.log);
    const track: Track = {
      id: trackId,
      info,
      ffmpeg,
      transportId: wired.transportId,
      consumerId: wired.consumerId,
      nextIndex: 0,
      privateTouched: rec.private,
      watch: new StallWatch(this.clock),
      lastPackets: 0,
      lastCpuTicks: undefined,
      inGap: false,
      restarts: [],
    };
    try {
      await this.db.query(
        `INSERT INTO recording_tracks (id, recording_id, producer_id, kind, source, participant_role, participant_id, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now())`,
        [trackId, rec.id, info.producerId, info.kind, info.source, info.participantRole, info.participantId],
      );
      await this.db.query(`INSERT INTO recording_events (recording_id, kind, track_id) VALUES ($1, 'track_start', $2)`, [rec.id, trackId]);
    } catch (err) {
      this.free(rec, wired.port);
      throw err;
    }
    if (rec.stopping) return this.free(rec, wired.port);
    rec.tracks.set(info.producerId, track);
    ffmpeg.events.on('segment', (s) => this.enqueue(rec, track, s.index, s.file, s.durationMs));
    ffmpeg.events.on(
      'died',
      () => void this.restart(rec, track).catch((err) => this.log.error('recorder restart failed', { recordingId: rec.id, ...errorFields(err) })),
    );
    await ffmpeg.start(0);
    // track.consumerId, not the one wired above: a restart may have moved the track to another consumer meanwhile.
    if (!rec.paused && !rec.stopping) await this.sfu.request('resumeConsumer', { sessionId, peerId: rec.id, consumerId: track.consumerId });
  }

  /** Gives back a pair this recording holds (once: a pair given back may already be another track's). */
  private free(rec: Recording, port: number): void {
    if (rec.ports.delete(port)) this.ports.release(port);
  }

  /**
   * A paused consumer of the producer on a new plain transport of the recorder, sending to a port held for ffmpeg.
   * A pair taken and not wired goes back.
   */
  private async wire(rec: Recording, producerId: string) {
    const { sessionId, id: recorderId } = rec;
    const port = await this.ports.take();
    rec.ports.add(port);
    try {
      const { rtpCapabilities } = await this.sfu.request('createRouter', { sessionId });
      const transport = await this.sfu.request('createPlainTransport', { sessionId, peerId: recorderId, direction: 'recv' });
      await this.sfu.request('connectPlainTransport', { sessionId, peerId: recorderId, transportId: transport.id, ip: '127.0.0.1', port });
      const consumer = await this.sfu.request('consume', {
        sessionId,
        peerId: recorderId,
        transportId: transport.id,
        producerId,
        rtpCapabilities,
        spatialLayer: 2,
      });
      return { port, transportId: transport.id, consumerId: consumer.consumerId, rtpParameters: consumer.rtpParameters };
    } catch (err) {
      this.free(rec, port);
      throw err;
    }
  }

  /**
   * ffmpeg could not bind its ports (something else on the machine took them after they were found free): the
   * track moves to a new pair, on a new transport, since a plain transport is connected once. The old consumer,
   * paused by the restart, stays so: nothing is sent to a port that is no longer ours; it closes with the recorder's peer.
   */
  private async rewire(rec: Recording, track: Track, oldPaused: boolean): Promise<void> {
    const oldPort = track.ffmpeg.port;
    const wired = await this.wire(rec, track.info.producerId);
    if (rec.stopping) return this.free(rec, wired.port);
    track.ffmpeg.rewire(wired.port, sdpFor(track.info.kind, wired.port, wired.rtpParameters));
    track.transportId = wired.transportId;
    track.consumerId = wired.consumerId;
    track.lastPackets = 0;
    // Only a pair nothing is sent to any more goes back (restart paused its consumer); otherwise it stays held until
    // the recording closes.
    if (oldPaused) this.free(rec, oldPort);
    this.log.warn('recorder moved to new ports', { recordingId: rec.id, trackId: track.id });
  }

  private enqueue(rec: Recording, track: Track, index: number, file: string, durationMs: number): void {
    track.nextIndex = Math.max(track.nextIndex, index + 1);
    const countyOnly = track.privateTouched || rec.private;
    track.privateTouched = rec.private;
    rec.queue = rec.queue
      .then(() => this.store.add(rec.id, track.id, index, file, durationMs, countyOnly))
      .catch((err) => this.log.error('segment could not be stored', { recordingId: rec.id, trackId: track.id, index, ...errorFields(err) }));
  }

  private async restart(rec: Recording, track: Track): Promise<void> {
    if (rec.stopping) return;
    this.alerts.raise('recorder_failed', rec.roomCode, `recorder_failed:${rec.id}`);
    const now = this.clock();
    track.restarts = track.restarts.filter((t) => now - t < 60_000);
    if (track.restarts.length >= MAX_RESTARTS_PER_MINUTE) {
      await this.db.query(`INSERT INTO recording_events (recording_id, kind, track_id, reason) VALUES ($1, 'gap_start', $2, $3)`, [
        rec.id,
        track.id,
        GAP_REASONS.givenUp,
      ]);
      this.log.error('recorder keeps failing, left down', { recordingId: rec.id, trackId: track.id });
      return;
    }
    track.restarts.push(now);
    // Nothing listens on the track's port until ffmpeg is back: the media stops there, not at whatever binds it next.
    const stopped = await this.sfu
      .request('pauseConsumer', { sessionId: rec.sessionId, peerId: rec.id, consumerId: track.consumerId })
      .then(() => true)
      .catch((err: unknown) => (this.log.warn('recorder consumer not paused for the restart', { recordingId: rec.id, ...errorFields(err) }), false));
    await this.db.query(`INSERT INTO recording_events (recording_id, kind, track_id, reason) VALUES ($1, 'gap_start', $2, $3), ($1, 'restart', $2, '')`, [
      rec.id,
      track.id,
      GAP_REASONS.exited,
    ]);
    track.inGap = true;
    // The segment the dead process was writing never reached its list: repair it and keep it.
    for (const f of fs
      .readdirSync(track.ffmpeg.dir)
      .filter((n) => /^seg-\d+\.mkv$/.test(n))
      .sort()) {
      const index = segIndex(f);
      if (index < track.nextIndex) continue;
      const full = path.join(track.ffmpeg.dir, f);
      if (await repairSegment(full)) this.enqueue(rec, track, index, full, await probeDurationMs(full));
      else fs.rmSync(full, { force: true });
    }
    // The repair ran without blocking; the session may have ended meanwhile, and a recorder started now would outlive it.
    if (rec.stopping) return;
    try {
      if (track.ffmpeg.bindFailed) await this.rewire(rec, track, stopped);
      if (rec.stopping) return;
      await track.ffmpeg.start(track.nextIndex);
      if (!rec.paused && !rec.stopping) await this.sfu.request('resumeConsumer', { sessionId: rec.sessionId, peerId: rec.id, consumerId: track.consumerId });
    } catch (err) {
      // No new ports, or the SFU refused: nothing else would try again, so the gap is recorded as given up.
      await this.db.query(`INSERT INTO recording_events (recording_id, kind, track_id, reason) VALUES ($1, 'gap_start', $2, $3)`, [
        rec.id,
        track.id,
        GAP_REASONS.givenUp,
      ]);
      this.log.error('recorder could not be restarted, left down', { recordingId: rec.id, trackId: track.id, ...errorFields(err) });
      return;
    }
    track.watch.restarted();
    await this.sfu
      .request('requestKeyFrame', { sessionId: rec.sessionId, peerId: rec.id, consumerId: track.consumerId })
      .catch((err) => this.log.debug('key frame request failed', { recordingId: rec.id, ...errorFields(err) }));
    this.log.info('recorder restarted', { recordingId: rec.id, trackId: track.id, pid: track.ffmpeg.pid });
  }

  private async keyframes(rec: Recording): Promise<void> {
    // Segments start at keyframes; asking for one per segment keeps them short and each one playable alone.
    for (const t of rec.tracks.values()) {
      if (t.info.kind === 'video' && !rec.paused) {
        // A consumer closing as the session ends refuses it; a longer segment is the only cost.
        await this.sfu
          .request('requestKeyFrame', { sessionId: rec.sessionId, peerId: rec.id, consumerId: t.consumerId })
          .catch((err) => this.log.debug('key frame request failed', { recordingId: rec.id, ...errorFields(err) }));
      }
    }
  }

  private dirBytes(dir: string): number {
    let n = 0;
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.mkv')) n += fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0;
    return n;
  }

  /** Packets arriving and bytes growing, per track; a stall raises the console alert and marks a gap. */
  private async checkLiveness(rec: Recording): Promise<void> {
    if (rec.paused || rec.stopping) return;
    for (const t of rec.tracks.values()) {
      // eslint-disable-next-line no-restricted-syntax -- no stats this round (the SFU busy or the consumer closing) is not a stall: the next check decides
      const stats = await this.sfu.request('consumerStats', { sessionId: rec.sessionId, peerId: rec.id, consumerId: t.consumerId }).catch(() => undefined);
      if (!stats) continue;
      // Stored segments leave the directory; counting them keeps a move from looking like a stall.
      const bytes = this.dirBytes(t.ffmpeg.dir) + t.nextIndex;
      const packetsFlow = stats.packetCount > t.lastPackets;
      t.lastPackets = stats.packetCount;
      // Runnable yet given (almost) no CPU since the last look: the machine is saturated, the recorder is queued.
      const sched = t.ffmpeg.schedState();
      const starved = sched !== undefined && t.lastCpuTicks !== undefined && sched.state === 'R' && sched.cpuTicks - t.lastCpuTicks <= STARVED_TICKS;
      t.lastCpuTicks = sched?.cpuTicks;
      const look = t.watch.look(bytes, packetsFlow, starved);
      if (look === 'growing') {
        if (t.inGap && t.ffmpeg.pid) {
          t.inGap = false;
          await this.db.query(`INSERT INTO recording_events (recording_id, kind, track_id) VALUES ($1, 'gap_end', $2)`, [rec.id, t.id]);
          if (![...rec.tracks.values()].some((x) => x.inGap)) this.alerts.resolve(`recorder_failed:${rec.id}`);
        }
      } else if (look === 'stalled' && !t.inGap) {
        t.inGap = true;
        this.alerts.raise('recorder_failed', rec.roomCode, `recorder_failed:${rec.id}`);
        await this.db.query(`INSERT INTO recording_events (recording_id, kind, track_id, reason) VALUES ($1, 'gap_start', $2, $3)`, [
          rec.id,
          t.id,
          GAP_REASONS.stalled,
        ]);
        this.log.warn('recorder stalled', { recordingId: rec.id, trackId: t.id, silentMs: Math.round(t.watch.silentMs) });
      }
    }
  }

  setPrivate(sessionId: string, on: boolean): void {
    const rec = this.recordings.get(sessionId);
    if (!rec) return;
    rec.private = on;
    if (on) for (const t of rec.tracks.values()) t.privateTouched = true;
  }

  /** Only a county supervisor, with a reason; the pause and its audit row commit together. */
  async setPaused(principal: Claims, sessionId: string, paused: boolean, reason: string): Promise<RecordingState> {
    if (principal.role !== 'county_supervisor') throw new AppError('FORBIDDEN', ERROR_MESSAGES.recording.pauseOnlySupervisor);
    const rec = this.recordings.get(sessionId);
    if (!rec || rec.stopping) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recording.notRecording);
    if (rec.paused === paused) return paused ? 'paused' : 'recording';
    await this.db.tx(async (q) => {
      await q.query(`UPDATE recordings SET status = $2 WHERE id = $1`, [rec.id, paused ? 'paused' : 'recording']);
      await q.query(`INSERT INTO recording_events (recording_id, kind, actor_id, reason) VALUES ($1, $2, $3, $4)`, [
        rec.id,
        paused ? 'pause' : 'resume',
        principal.sub,
        reason,
      ]);
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: paused ? 'recording.pause' : 'recording.resume',
        objectType: 'recording',
        objectId: rec.id,
        townshipCode: rec.roomCode,
        details: { sessionId, reason },
      });
    });
    rec.paused = paused;
    for (const t of rec.tracks.values()) {
      await this.sfu.request(paused ? 'pauseConsumer' : 'resumeConsumer', { sessionId, peerId: rec.id, consumerId: t.consumerId });
      t.watch.restarted();
    }
    this.announce(sessionId, paused ? 'paused' : 'recording');
    return paused ? 'paused' : 'recording';
  }

  /**
   * The first part of ending a recording, at the hang-up: nothing restarts or raises an alarm any more, and every
   * ffmpeg is asked to finish its segment. Resolves once they have exited, or after `waitMs`. ffmpeg sees the
   * request only when its next packet arrives, so the call's screens are told to stop sending after this, not
   * before (a recorder whose media had stopped waited out its 5 s and was killed); the wait is bounded so that a
   * stuck recorder does not keep the villager on the call screen. sessionEnded finishes the rest.
   */
  async stopTracks(sessionId: string, waitMs: number): Promise<void> {
    const rec = this.recordings.get(sessionId);
    if (!rec) return;
    this.halt(rec);
    // The record's stop is the hang-up, not the moment the last segment is sealed (seconds later on a busy
    // machine); stamped while ffmpeg stops, so the hang-up waits no longer.
    const stamped = this.db
      .query(`UPDATE recordings SET stopped_at = coalesce(stopped_at, now()) WHERE id = $1`, [rec.id])
      .catch((err) =>
        this.log.warn('recording stop time not stamped at the hang-up; it is stamped at finalisation', { recordingId: rec.id, ...errorFields(err) }),
      );
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    // The stamp is bounded with the rest: a slow database never keeps the villager on the call screen (finalisation
    // stamps the stop then, if this has not).
    await Promise.race([Promise.all([...[...rec.tracks.values()].map((t) => t.ffmpeg.stop()), stamped]), bound]);
    clearTimeout(timer);
  }

  /** From here on nothing restarts a recorder or raises a liveness alarm for `rec`. */
  private halt(rec: Recording): void {
    rec.stopping = true;
    clearInterval(rec.liveness);
    clearInterval(rec.keyframes);
  }

  /**
   * The session ended: every ffmpeg finishes its segment, everything is stored, and the recording is closed. Asked
   * again while it closes (a hang-up, then shutdown), it waits on the first.
   */
  sessionEnded(sessionId: string, status: 'complete' | 'interrupted' = 'complete'): Promise<void> {
    const rec = this.recordings.get(sessionId);
    if (!rec) return Promise.resolve();
    return (rec.finishing ??= this.finish(sessionId, rec, status));
  }

  private async finish(sessionId: string, rec: Recording, status: 'complete' | 'interrupted'): Promise<void> {
    this.halt(rec);
    this.log.info('recording finalizing', { recordingId: rec.id, sessionId });
    await this.db.query(`UPDATE recordings SET status = 'finalizing', stopped_at = coalesce(stopped_at, now()) WHERE id = $1`, [rec.id]);
    await Promise.all([...rec.tracks.values()].map((t) => t.ffmpeg.stop()));
    for (const port of [...rec.ports]) this.free(rec, port);
    await rec.queue; // includes the segments each ffmpeg's final list read announced as it exited
    await this.sfu
      .request('closePeer', { sessionId, peerId: rec.id, reason: 'session_ended' })
      .catch((err) => this.log.warn('recorder peer not closed on the SFU; its router closes with the session', { recordingId: rec.id, ...errorFields(err) }));
    await this.db.tx(async (q) => {
      await q.query(
        `UPDATE recordings SET status = $2,
           duration_ms = (SELECT coalesce(max(d), 0) FROM (SELECT sum(duration_ms) AS d FROM recording_segments WHERE recording_id = $1 GROUP BY track_id) t)
         WHERE id = $1`,
        [rec.id, status],
      );
      await q.query(
        `UPDATE recording_tracks SET stopped_at = (SELECT stopped_at FROM recordings WHERE id = $1) WHERE recording_id = $1 AND stopped_at IS NULL`,
        [rec.id],
      );
      await q.query(`INSERT INTO recording_events (recording_id, kind) VALUES ($1, $2)`, [rec.id, status === 'complete' ? 'stop' : 'interrupted']);
      await sealRecordingHead(q, rec.id, status);
    });
    this.recordings.delete(sessionId);
    this.alerts.resolve(`recorder_failed:${rec.id}`);
    await Promise.all([...rec.tracks.values()].map((t) => fs.promises.rm(t.ffmpeg.dir, { recursive: true, force: true })));
    this.announce(sessionId, null);
    this.log.info('recording finished', { recordingId: rec.id, sessionId, status });
  }

  /** Server shutdown: recordings are closed as interrupted; a session picked up later starts recording again. */
  async close(): Promise<void> {
    for (const sessionId of [...this.recordings.keys()]) {
      await this.sessionEnded(sessionId, 'interrupted').catch((err) =>
        this.log.error('recording not closed at shutdown; the next start reconciles it', { sessionId, ...errorFields(err) }),
      );
    }
  }
}
