// What an officer on the same node feels while a recording is assembled for playback (issue 18, point 2): the
// latency of GET /api/health on the real server, asked every 20 ms from a worker thread (so a blocked main
// loop cannot also hold back the asking), in three phases of this run:
//   idle      — nothing else running (the baseline);
//   product   — the playback's final ffmpeg (three voices mixed, the picture copied) run the product's way,
//               runFfmpeg (child process, the loop stays free);
//   blocking  — the same command by spawnSync, as playback.ts and the recorder did before.
// The inputs are a 60 s VP8 picture and three 60 s Opus voices, made before any timing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { runFfmpeg } from '../signaling/src/recording/run-tool.js';
import { startInProcess } from '../test/helpers/inprocess.js';
import { percentile, printTable } from './stats.js';

const ASSEMBLIES = Number(process.env['BENCH_PLAYBACK_ASSEMBLIES'] ?? 3);
const SECONDS = 60;

// CommonJS, as eval workers are: asks until told to stop, then sends back every latency.
const PINGER = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false;
parentPort.on('message', () => (stop = true));
(async () => {
  const lat = [];
  while (!stop) {
    const t = performance.now();
    const r = await fetch(workerData.url);
    await r.arrayBuffer();
    lat.push(performance.now() - t);
    await new Promise((res) => setTimeout(res, 20));
  }
  parentPort.postMessage(lat);
})();
`;

function makeInputs(dir: string): string[] {
  const make = (args: string[], out: string) => {
    const r = spawnSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', ...args, path.join(dir, out)]);
    if (r.status !== 0) throw new Error(`ffmpeg could not make ${out}: ${r.stderr.toString().slice(-300)}`);
  };
  const t = String(SECONDS);
  make(
    ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=20', '-t', t, '-c:v', 'libvpx', '-b:v', '500k', '-deadline', 'realtime', '-cpu-used', '8'],
    'video.mkv',
  );
  for (const [i, f] of [440, 550, 660].entries())
    make(['-f', 'lavfi', '-i', `sine=frequency=${f}:sample_rate=48000`, '-t', t, '-c:a', 'libopus', '-b:a', '32k'], `voice${i}.mkv`);
  // As playback.ts builds it: every track an input, the voices mixed into the first audio track, each voice kept.
  return [
    ...['video', 'voice0', 'voice1', 'voice2'].flatMap((n) => ['-i', path.join(dir, `${n}.mkv`)]),
    '-filter_complex',
    '[1:a][2:a][3:a]amix=inputs=3:duration=longest:normalize=0[mix]',
    ...['-map', '0:v', '-map', '[mix]', '-map', '1:a', '-map', '2:a', '-map', '3:a'],
    ...['-c:v', 'copy', '-c:a', 'libopus'],
    '-f',
    'webm',
    path.join(dir, 'recording.webm'),
  ];
}

interface Phase {
  p50: number;
  p99: number;
  max: number;
  loopMax: number;
  asks: number;
}

async function phase(url: string, work: () => Promise<void>): Promise<Phase> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const pinger = new Worker(PINGER, { eval: true, workerData: { url } });
  const done = new Promise<number[]>((resolve, reject) => {
    pinger.once('message', resolve);
    pinger.once('error', reject);
  });
  loop.enable();
  await new Promise((r) => setTimeout(r, 200));
  await work();
  loop.disable();
  pinger.postMessage('stop');
  const lat = await done;
  await pinger.terminate();
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), max: Math.max(...lat), loopMax: loop.max / 1e6, asks: lat.length };
}

export async function runPlaybackLoopBench(): Promise<Record<string, Phase>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-bench-playback-'));
  const s = await startInProcess({ RECORDING: 'off', LOG_LEVEL: 'warn' });
  try {
    const args = makeInputs(dir);
    const url = `${s.url}/api/health`;
    const timed: number[] = [];
    const product = await phase(url, async () => {
      for (let i = 0; i < ASSEMBLIES; i++) {
        const t = performance.now();
        const r = await runFfmpeg(args, 120_000);
        if (r.code !== 0) throw new Error(`assembly failed: ${r.stderr.slice(-300)}`);
        timed.push(performance.now() - t);
      }
    });
    const idleFor = timed.reduce((a, b) => a + b, 0);
    const idle = await phase(url, () => new Promise((r) => setTimeout(r, idleFor)));
    const blocking = await phase(url, async () => {
      for (let i = 0; i < ASSEMBLIES; i++) {
        const r = spawnSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', ...args], { timeout: 120_000 });
        if (r.status !== 0) throw new Error(`assembly failed: ${r.stderr.toString().slice(-300)}`);
        // Let the asks queued behind the block be answered before the next one, as between two playbacks.
        await new Promise((res) => setTimeout(res, 100));
      }
    });
    const row = (metric: string, pick: (p: Phase) => number) => [
      { metric: `${metric}, async`, ours: pick(product), baseline: pick(idle), unit: 'ms' },
      { metric: `${metric}, sync`, ours: pick(blocking), baseline: pick(idle), unit: 'ms' },
    ];
    printTable(
      `Playback assembly beside requests (${ASSEMBLIES} assemblies of a ${SECONDS} s recording, p50 ${percentile(timed, 50).toFixed(0)} ms each)`,
      [...row('health p50', (p) => p.p50), ...row('health p99', (p) => p.p99), ...row('health max', (p) => p.max), ...row('loop delay max', (p) => p.loopMax)],
      `baseline: the same asks with nothing assembling (${idle.asks} asks). async: runFfmpeg, what playback and the recorder use; ` +
        `sync: spawnSync, how they ran before. Asks answered: async ${product.asks}, sync ${blocking.asks}.`,
    );
    return { idle, product, blocking };
  } finally {
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
