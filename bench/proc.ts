import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

function nameOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** A process and all its descendants (a browser and its renderers, GPU and utility processes). */
export function familyOf(root: number): number[] {
  const all = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const family = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const pid of all) {
      if (family.has(pid) || !family.has(parentOf(pid))) continue;
      family.add(pid);
      grew = true;
    }
  }
  return [...family];
}

/** Descendants whose process name starts with `name` (the kernel keeps only 15 characters of it). */
export function childrenNamed(parent: number, name: string): number[] {
  return familyOf(parent).filter((pid) => pid !== parent && name.startsWith(nameOf(pid)) && nameOf(pid).length > 0);
}

/** Percent of one core used by a set of processes while `during` runs. */
export async function cpuPercent(pids: () => number[], during: () => Promise<number>): Promise<{ percent: number; seconds: number }> {
  const list = pids();
  const before = list.reduce((a, p) => a + cpuSeconds(p), 0);
  const t0 = performance.now();
  await during();
  const wall = (performance.now() - t0) / 1000;
  const used = list.reduce((a, p) => a + cpuSeconds(p), 0) - before;
  return { percent: (used / wall) * 100, seconds: wall };
}

/** A short VP8 clip encoded once; every sender replays it with -c copy, so senders cost next to nothing. */
export function encodeClip(file: string, size = '320x180'): void {
  if (fs.existsSync(file)) return;
  const r = spawnSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=20`, '-t', '20', '-c:v', 'libvpx', '-b:v', '150k', '-deadline', 'realtime', '-cpu-used', '8', '-g', '20', '-keyint_min', '20', '-an', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg could not encode the clip: ${r.stderr}`);
}

/** Replays the clip as RTP (VP8, given SSRC and payload type) to a port, in real time, looping. */
export function rtpSender(file: string, port: number, ssrc: number, payloadType: number): ChildProcess {
  return spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-map', '0:v', '-c', 'copy', '-f', 'rtp', '-ssrc', String(ssrc), '-payload_type', String(payloadType), `rtp://127.0.0.1:${port}?pkt_size=1200`], { stdio: 'ignore' });
}
