import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

// RTP senders made of Debian's ffmpeg: cameras and microphones for tests and benchmarks that need media
// without a browser.

/** A short VP8 clip encoded once; every sender replays it with -c copy, so senders cost next to nothing. */
export function encodeClip(file: string, size = '320x180'): void {
  if (fs.existsSync(file)) return;
  const r = spawnSync(
    'ffmpeg',
    [
      '-y',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${size}:rate=20`,
      '-t',
      '20',
      '-c:v',
      'libvpx',
      '-b:v',
      '150k',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-g',
      '20',
      '-keyint_min',
      '20',
      '-an',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not encode the clip: ${r.stderr}`);
}

/** Replays the clip as RTP (VP8, given SSRC and payload type) to a port, in real time, looping. */
export function rtpSender(file: string, port: number, ssrc: number, payloadType: number): ChildProcess {
  return spawn(
    'ffmpeg',
    [
      '-nostdin',
      '-loglevel',
      'error',
      '-re',
      '-stream_loop',
      '-1',
      '-i',
      file,
      '-map',
      '0:v',
      '-c',
      'copy',
      '-f',
      'rtp',
      '-ssrc',
      String(ssrc),
      '-payload_type',
      String(payloadType),
      `rtp://127.0.0.1:${port}?pkt_size=1200`,
    ],
    { stdio: 'ignore' },
  );
}

/** A 440 Hz tone as Opus RTP (48 kHz, given SSRC and payload type) to a port, in real time. */
export function audioSender(port: number, ssrc: number, payloadType: number): ChildProcess {
  return spawn(
    'ffmpeg',
    [
      '-nostdin',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-c:a',
      'libopus',
      '-b:a',
      '32k',
      '-f',
      'rtp',
      '-ssrc',
      String(ssrc),
      '-payload_type',
      String(payloadType),
      `rtp://127.0.0.1:${port}?pkt_size=1200`,
    ],
    { stdio: 'ignore' },
  );
}
