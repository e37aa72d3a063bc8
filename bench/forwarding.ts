// SFU forwarding capacity: ffmpeg RTP senders (a clip encoded once, replayed with -c copy) publish 19 cameras
// into plain transports of one mediasoup worker; consumers on plain transports forward to UDP sinks in this
// process. The consumer count is swept from 19 up. Each step reports, for the worker:
// - per transport: the CPU a consumer's transport costs each second when no packet flows (consumers paused), the
//   timers a transport runs whatever it forwards;
// - per packet: the worker's CPU per forwarded packet while every consumer forwards (idle cost included);
// against a fan-out-matched floor from the same run: a C relay (bench/probe/fanout-floor.c) forwarding the same
// captured packets, at the same input rate, to the same number of consumer sockets and the same sinks.
import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@vj/shared';
import { LocalSfuClient, SfuService, defaultSfuConfig } from '@vj/sfu-server';
import { waitFor } from '../test/helpers/poll.js';
import { encodeClip, rtpSender } from '../test/helpers/rtp.js';
import { cpuSeconds } from './proc.js';
import { printTable, type Row } from './stats.js';

const STEPS = (process.env['BENCH_CONSUMERS'] ?? '19,100,250,500').split(',').map(Number);
const WINDOW_MS = Number(process.env['BENCH_WINDOW_MS'] ?? 5000);
const IDLE_MS = 2500;
const CAMERAS = 19;
const SINKS = 8;
const VP8 = { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 };
const CAPTURE_PACKETS = 4000;

function buildFloor(): string {
  const bin = path.join(os.tmpdir(), 'vj-fanout-floor');
  const cc = spawnSync('gcc', ['-O2', '-pthread', '-o', bin, path.join(import.meta.dirname, 'probe', 'fanout-floor.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`could not build the fan-out floor: ${cc.stderr}`);
  return bin;
}

interface FloorRun {
  input: number;
  relayed: number;
  cpuSeconds: number;
  usPerPacket: number;
}

/** Runs the C relay; asynchronously, since the sinks in this process must keep reading while it sends to them. */
function runFloor(bin: string, capture: string, consumers: number, inputPps: number, seconds: number, sinkPorts: number[]): Promise<FloorRun> {
  const args = [capture, String(consumers), String(CAMERAS), inputPps.toFixed(1), String(seconds), sinkPorts.join(',')];
  return new Promise((resolve, reject) => execFile(bin, args, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as FloorRun))));
}

export async function runForwardingBench(): Promise<Record<string, number>> {
  const clip = path.join(os.tmpdir(), 'vj-bench-forwarding.webm');
  encodeClip(clip);
  const floorBin = buildFloor();
  const capture = path.join(os.tmpdir(), `vj-forwarding-capture-${process.pid}.bin`);
  const log = createLogger('bench', 'warn');
  const sfu = new LocalSfuClient(await SfuService.start(defaultSfuConfig({ workers: 1, logLevel: 'error' }), log));
  const senders: ChildProcess[] = [];
  const sinks: dgram.Socket[] = [];
  let received = 0;
  // The first packets the sinks get, kept so the floor forwards the same packets (sizes and bytes).
  const captured: Buffer[] = [];
  const out: Record<string, number> = {};
  try {
    const sessionId = crypto.randomUUID();
    const { rtpCapabilities } = await sfu.request('createRouter', { sessionId });
    const pid = (await sfu.request('dump', { sessionId })).workers[0]!.pid;
    const producers: string[] = [];
    for (let i = 0; i < CAMERAS; i++) {
      const peerId = crypto.randomUUID();
      const t = await sfu.request('createPlainTransport', { sessionId, peerId, direction: 'send' });
      const ssrc = 10_000 + i;
      const { producerId } = await sfu.request('produce', {
        sessionId,
        peerId,
        transportId: t.id,
        kind: 'video',
        rtpParameters: { codecs: [VP8], encodings: [{ ssrc }] },
        source: 'camera',
      });
      producers.push(producerId);
      senders.push(rtpSender(clip, t.port, ssrc, VP8.payloadType));
    }
    for (let i = 0; i < SINKS; i++) {
      const s = dgram.createSocket('udp4');
      s.on('message', (msg) => {
        received++;
        if (captured.length < CAPTURE_PACKETS) captured.push(Buffer.from(msg));
      });
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      s.setRecvBufferSize(8 << 20);
      sinks.push(s);
    }
    const sinkPorts = sinks.map((s) => s.address().port);
    const consumers: { peerId: string; consumerId: string }[] = [];
    const forwarded = async () => {
      let n = 0;
      for (const c of consumers) n += (await sfu.request('consumerStats', { sessionId, ...c })).packetCount;
      return n;
    };
    const elapse = async (what: string, ms: number) => {
      const t0 = performance.now();
      await waitFor(what, () => performance.now() - t0 >= ms, { timeoutMs: ms + 5000, intervalMs: 50 });
    };
    /** Worker CPU seconds per wall second over a window. */
    const cpuRate = async (ms: number) => {
      const [c0, t0] = [cpuSeconds(pid), performance.now()];
      await elapse('cpu window', ms);
      return (cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000);
    };
    // The worker with the 19 cameras coming in and nothing going out: subtracted from the idle figure.
    await elapse('cameras flowing', 1500);
    const base = await cpuRate(IDLE_MS);
    const rows: Row[] = [];
    for (const target of STEPS) {
      // Idle: every consumer paused (the new ones are created paused), so the worker runs only per-transport timers.
      for (const c of consumers) await sfu.request('pauseConsumer', { sessionId, ...c });
      while (consumers.length < target) {
        const peerId = crypto.randomUUID();
        const t = await sfu.request('createPlainTransport', { sessionId, peerId, direction: 'recv' });
        await sfu.request('connectPlainTransport', { sessionId, peerId, transportId: t.id, ip: '127.0.0.1', port: sinkPorts[consumers.length % SINKS]! });
        const c = await sfu.request('consume', { sessionId, peerId, transportId: t.id, producerId: producers[consumers.length % CAMERAS]!, rtpCapabilities });
        consumers.push({ peerId, consumerId: c.consumerId });
      }
      await elapse('settle', 1000);
      const idle = await cpuRate(IDLE_MS);
      const perTransportUs = (Math.max(0, idle - base) * 1e6) / target;

      // Forwarding: every consumer on, one measured window.
      for (const c of consumers) await sfu.request('resumeConsumer', { sessionId, ...c });
      await elapse('settle', 1500);
      const [f0, r0, c0, t0] = [await forwarded(), received, cpuSeconds(pid), performance.now()];
      await elapse('window', WINDOW_MS);
      const [f1, r1, c1, t1] = [await forwarded(), received, cpuSeconds(pid), performance.now()];
      const pkts = f1 - f0;
      const seconds = (t1 - t0) / 1000;
      const us = ((c1 - c0) * 1e6) / Math.max(1, pkts);
      const loss = (100 * Math.max(0, pkts - (r1 - r0))) / Math.max(1, pkts);

      // The floor, with the worker's consumers paused again so the two never share the sinks or the cores.
      for (const c of consumers) await sfu.request('pauseConsumer', { sessionId, ...c });
      if (!fs.existsSync(capture)) fs.writeFileSync(capture, Buffer.concat(captured.flatMap((p) => [Buffer.from([p.length & 0xff, p.length >> 8]), p])));
      const inputPps = (pkts / seconds) * (CAMERAS / target);
      const r2 = received;
      const floor = await runFloor(floorBin, capture, target, inputPps, WINDOW_MS / 1000, sinkPorts);
      const floorLoss = (100 * Math.max(0, floor.relayed - (received - r2))) / Math.max(1, floor.relayed);
      for (const c of consumers) await sfu.request('resumeConsumer', { sessionId, ...c });

      console.log(
        `[forwarding] ${target} consumers: ${(pkts / seconds).toFixed(0)} packets/s forwarded, worker ${((100 * (c1 - c0)) / seconds).toFixed(1)}% of a core, loss ${loss.toFixed(2)}%; ` +
          `idle ${(100 * idle).toFixed(1)}% of a core (cameras only: ${(100 * base).toFixed(1)}%); floor ${(floor.relayed / (WINDOW_MS / 1000)).toFixed(0)} packets/s, loss ${floorLoss.toFixed(2)}%`,
      );
      rows.push({ metric: `${target} consumers: CPU/packet`, ours: us, baseline: floor.usPerPacket, unit: 'µs' });
      out[`${target}_us_per_packet`] = us;
      out[`${target}_floor_us_per_packet`] = floor.usPerPacket;
      out[`${target}_ratio`] = us / floor.usPerPacket;
      out[`${target}_us_per_transport_per_s`] = perTransportUs;
      out[`${target}_loss_pct`] = loss;
      out[`${target}_floor_loss_pct`] = floorLoss;
      out[`${target}_packets_per_s`] = pkts / seconds;
    }
    printTable(
      `SFU forwarding to plain-RTP sinks: ${CAMERAS} cameras, consumers swept`,
      rows,
      'baseline: a C relay forwarding the same captured packets at the same input rate to the same number of consumer sockets and sinks (same run).',
    );
    console.log('per transport, idle (consumers paused; the floor spends nothing on an idle socket):');
    for (const target of STEPS)
      console.log(
        `  ${String(target).padStart(4)} transports: ${out[`${target}_us_per_transport_per_s`]!.toFixed(1)} µs of worker CPU per transport per second`,
      );
    return out;
  } finally {
    for (const s of senders) s.kill('SIGKILL');
    for (const s of sinks) s.close();
    fs.rmSync(capture, { force: true });
    await sfu.close();
  }
}
