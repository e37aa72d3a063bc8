// What recording costs: 1, 5 and 19 concurrent sessions, each a kiosk whose camera (VP8) and microphone (Opus)
// are ffmpeg RTP senders, on a server that records them and on one that does not, in the same run. The SFU's
// workers and the recorder's ffmpeg processes are measured separately.
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { startInProcess, type InProcessServer } from '../test/helpers/inprocess.js';
import { waitFor } from '../test/helpers/poll.js';
import { rtpCall } from '../test/helpers/rtp-call.js';
import { encodeClip } from '../test/helpers/rtp.js';
import { send, type TestSocket } from '../test/helpers/sockets.js';
import { childrenNamed, cpuPercent } from './proc.js';
import { printTable, type Row } from './stats.js';

const COUNTS = [1, 5, 19];
const WINDOW_MS = Number(process.env['BENCH_RECORDING_WINDOW_MS'] ?? 8000);

interface Load {
  sfu: number;
  recorder: number;
}

async function measure(s: InProcessServer, n: number, clip: string, recording: boolean): Promise<Load> {
  const calls: { sessionId: string; kiosk: TestSocket; senders: ChildProcess[] }[] = [];
  try {
    for (const room of s.server.rooms.slice(0, n)) calls.push(await rtpCall(s, room.code, clip));
    const senderPids = new Set(calls.flatMap((c) => c.senders.map((p) => p.pid!)));
    const recorders = () => childrenNamed(process.pid, 'ffmpeg').filter((pid) => !senderPids.has(pid));
    if (recording) {
      await waitFor('every track recording', () => recorders().length >= n * 2, { timeoutMs: 30_000 });
      await waitFor(
        'every recording writing',
        async () => {
          const r = await s.server.db.query<{ n: string }>(`SELECT count(DISTINCT recording_id) AS n FROM recording_segments`);
          return Number(r.rows[0]!.n) >= n;
        },
        { timeoutMs: 30_000 },
      );
    }
    const workers = () => childrenNamed(process.pid, 'mediasoup-worker');
    let rec = { percent: 0 };
    const sfu = await cpuPercent(workers, async () => {
      rec = await cpuPercent(recorders, () => new Promise((r) => setTimeout(() => r(0), WINDOW_MS)));
      return 0;
    });
    return { sfu: sfu.percent, recorder: rec.percent };
  } finally {
    for (const c of calls) {
      await send(c.kiosk, 'session:end', { sessionId: c.sessionId });
      for (const p of c.senders) p.kill('SIGKILL');
      c.kiosk.close();
    }
  }
}

export async function runRecordingBench(): Promise<Row[]> {
  const clip = path.join(os.tmpdir(), 'vj-recording-clip.webm');
  encodeClip(clip);
  const rows: Row[] = [];
  const results: Record<string, { on: Load; off: Load }> = {};
  for (const recording of [false, true]) {
    const s = await startInProcess({ RECORDING: recording ? 'on' : 'off', LOG_LEVEL: 'warn', SFU_WORKERS: '2' });
    try {
      for (const n of COUNTS) {
        const load = await measure(s, n, clip, recording);
        (results[n] ??= { on: { sfu: 0, recorder: 0 }, off: { sfu: 0, recorder: 0 } })[recording ? 'on' : 'off'] = load;
      }
    } finally {
      await s.stop();
    }
  }
  for (const n of COUNTS) {
    const { on, off } = results[n]!;
    rows.push({ metric: `${n} sessions: SFU`, ours: on.sfu, baseline: off.sfu, unit: '%' });
    rows.push({ metric: `${n} sessions: recorder ffmpeg`, ours: on.recorder, baseline: Math.max(off.sfu, 0.1), unit: '%' });
  }
  printTable(
    'Recording cost: sessions with a VP8 camera and an Opus microphone, recorded vs not recorded (same run)',
    rows,
    `CPU is percent of one core over ${WINDOW_MS / 1000} s. "SFU CPU" compares the mediasoup workers with and without the\n` +
      "recorder's consumers; the recorder rows set all recorder ffmpeg processes against the SFU's own cost without\n" +
      'recording, so the ratio says how many "SFUs worth" of CPU recording adds. Per session: recorder ÷ sessions.',
  );
  for (const n of COUNTS) console.log(`${n} sessions: recorder ${(results[n]!.on.recorder / n).toFixed(2)} % of a core per session`);
  return rows;
}
