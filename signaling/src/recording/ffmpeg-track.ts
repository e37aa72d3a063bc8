import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TypedEmitter, type Logger, type RtpParameters } from '@vj/shared';
import { udpBindable } from './recorder-ports.js';

/** Seconds per segment: short enough that little is lost to a crash, long enough to keep the chain small. */
export const SEGMENT_SECONDS = 4;

export interface CompletedSegment {
  /** Index within the track, as ffmpeg numbered it. */
  index: number;
  file: string;
  durationMs: number;
}

type TrackEvents = {
  segment: [CompletedSegment];
  /** ffmpeg stopped without being asked to: the recorder restarts it. */
  died: [code: number | null, signal: NodeJS.Signals | null];
};

/** An SDP that tells ffmpeg what arrives on the port: the consumer's single codec and stream, RTCP muxed. */
export function sdpFor(kind: 'audio' | 'video', port: number, rtp: RtpParameters): string {
  const codec = rtp.codecs[0]!;
  const name = codec.mimeType.split('/')[1]!;
  const channels = kind === 'audio' && codec.channels ? `/${codec.channels}` : '';
  const fmtp =
    codec.parameters && Object.keys(codec.parameters).length
      ? [
          `a=fmtp:${codec.payloadType} ${Object.entries(codec.parameters)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(';')}`,
        ]
      : [];
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=vj-recorder',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
    ...fmtp,
    'a=rtcp-mux',
    'a=recvonly',
    '',
  ].join('\n');
}

/**
 * One ffmpeg receiving one track's RTP on a loopback port and cutting it into Matroska segments, copied, not
 * re-encoded. Completed segments are announced from ffmpeg's own segment list; the liveness check watches the
 * files in `dir` grow.
 */
export class FfmpegTrack {
  readonly events = new TypedEmitter<TrackEvents>();
  private proc: ChildProcess | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private announced = 0;
  private listTimer: NodeJS.Timeout | undefined;
  /** The last exit was ffmpeg failing to bind its ports: restarting on the same ones would fail the same way. */
  bindFailed = false;

  constructor(
    readonly dir: string,
    private portNow: number,
    sdp: string,
    private readonly log: Logger,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'track.sdp'), sdp);
  }

  get port(): number {
    return this.portNow;
  }

  /** The next start listens on another port (the SFU now sends there); only while ffmpeg is not running. */
  rewire(port: number, sdp: string): void {
    if (this.proc) throw new Error('recorder rewired while ffmpeg runs');
    this.portNow = port;
    this.bindFailed = false;
    fs.writeFileSync(path.join(this.dir, 'track.sdp'), sdp);
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /**
   * The process as the kernel sees it (Linux /proc): its scheduler state ('R' runnable, 'S' sleeping, 'T'
   * stopped…) and CPU time used, in clock ticks. Undefined where /proc is not readable.
   */
  schedState(): { state: string; cpuTicks: number } | undefined {
    if (!this.proc?.pid) return undefined;
    try {
      const stat = fs.readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8');
      // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { state: f[0]!, cpuTicks: Number(f[11]) + Number(f[12]) };
    } catch {
      return undefined;
    }
  }

  /** Starts (or restarts) ffmpeg; segment numbers continue from `startIndex`. Resolves once it holds the port. */
  async start(startIndex: number): Promise<void> {
    this.stopping = false;
    this.stopped = undefined;
    const list = path.join(this.dir, `list-${startIndex}.csv`);
    const args = [
      '-nostdin',
      '-hide_banner',
      '-loglevel',
      'error',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-analyzeduration',
      '2000000',
      '-probesize',
      '500000',
      // Loopback only: by default ffmpeg listens on every address, and anyone on the network could send it RTP
      // that would be recorded as the call.
      '-localaddr',
      '127.0.0.1',
      '-i',
      path.join(this.dir, 'track.sdp'),
      '-map',
      '0',
      '-c',
      'copy',
      '-f',
      'segment',
      '-segment_time',
      String(SEGMENT_SECONDS),
      '-segment_format',
      'matroska',
      // Matroska keeps a whole cluster in memory, and a cluster lasts up to 5 s, so by default each segment
      // reached the disk in one burst at its end: a crash lost it all, and the liveness check saw no bytes for
      // a segment's length (a "stall" whenever a keyframe came late). One-second clusters, flushed, write steadily.
      '-segment_format_options',
      'cluster_time_limit=1000:flush_packets=1',
      '-segment_list',
      list,
      '-segment_list_type',
      'csv',
      '-segment_start_number',
      String(startIndex),
      '-reset_timestamps',
      '1',
      path.join(this.dir, 'seg-%05d.mkv'),
    ];
    const proc = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    // Without this a missing ffmpeg would be an uncaught error and take the server down with it.
    proc.once('error', (err) => {
      this.log.error('recorder could not run ffmpeg', { code: (err as NodeJS.ErrnoException).code ?? null });
      if (this.proc === proc) this.proc = undefined;
      clearInterval(this.listTimer);
      if (!this.stopping) this.events.emit('died', null, null);
    });
    let stderr = '';
    this.bindFailed = false;
    proc.stderr!.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-2000);
      // Printed as ffmpeg opens its input, well before it exits; read from what has come so far, in case the line
      // arrived in two pieces.
      if (/bind failed|Address already in use/i.test(stderr)) this.bindFailed = true;
    });
    this.announced = 0;
    this.listTimer = setInterval(() => this.readList(list), 300);
    proc.once('exit', (code, signal) => {
      clearInterval(this.listTimer);
      this.readList(list);
      if (this.proc === proc) this.proc = undefined;
      if (!this.stopping) {
        // ffmpeg's last words, without petition content: codec and muxer messages only.
        this.log.warn('recorder ffmpeg exited', { code, signal, pid: proc.pid, stderr: stderr.replace(/\s+/g, ' ').slice(-300) });
        this.events.emit('died', code, signal);
      }
    });
    for (let i = 0; i < 100 && this.proc === proc && (await udpBindable(this.portNow)); i++) await new Promise((r) => setTimeout(r, 30));
  }

  private readList(list: string): void {
    let text: string;
    try {
      text = fs.readFileSync(list, 'utf8');
    } catch {
      return;
    }
    const lines = text.split('\n').filter(Boolean);
    for (; this.announced < lines.length; this.announced++) {
      const [file, start, end] = lines[this.announced]!.split(',');
      const index = Number(/seg-(\d+)\.mkv/.exec(file ?? '')?.[1]);
      if (!file || Number.isNaN(index)) continue;
      this.events.emit('segment', { index, file: path.join(this.dir, file), durationMs: Math.max(0, Math.round((Number(end) - Number(start)) * 1000)) });
    }
  }

  /**
   * Asks ffmpeg to finish the current segment and exit; resolves when it has (or was killed after a wait). Asked
   * again, it waits on the first request: a second SIGINT would make ffmpeg abandon the segment.
   */
  stop(): Promise<void> {
    return (this.stopped ??= this.finish());
  }

  private async finish(): Promise<void> {
    const proc = this.proc;
    this.stopping = true;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGINT');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Test and chaos hook: the process as the liveness check sees it. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.proc?.kill(signal);
  }
}
