// SFU forwarding capacity: ffmpeg RTP senders (a clip encoded once, replayed with -c copy) publish 19 cameras
// into plain transports of one mediasoup worker; consumers on plain transports forward to UDP sinks in this
// process. The consumer count is swept from 19 up; each step reports the worker's CPU per forwarded packet
// and the loss, against a UDP loopback send+receive probe (C, compiled here) measured in the same run.
import { spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
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
const CAMERAS = 19;
const VP8 = { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 };

function udpFloor(): { usPerPacket: number; lossPct: number } {
  const bin = path.join(os.tmpdir(), 'vj-udp-floor');
  const cc = spawnSync('gcc', ['-O2', '-pthread', '-o', bin, path.join(import.meta.dirname, 'probe', 'udp-floor.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`could not build the UDP probe: ${cc.stderr}`);
  const r = spawnSync(bin, ['200000', '1100'], { encoding: 'utf8' });
  const out = JSON.parse(r.stdout) as { sent: number; received: number; usPerPacket: number };
  return { usPerPacket: out.usPerPacket, lossPct: (100 * (out.sent - out.received)) / out.sent };
}

export async function runForwardingBench(): Promise<Record<string, number>> {
  const clip = path.join(os.tmpdir(), 'vj-bench-forwarding.webm');
  encodeClip(clip);
  const log = createLogger('bench', 'warn');
  const sfu = new LocalSfuClient(await SfuService.start(defaultSfuConfig({ workers: 1, logLevel: 'error' }), log));
  const senders: ChildProcess[] = [];
  const sinks: dgram.Socket[] = [];
  let received = 0;
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
      const { producerId } = await sfu.request('produce', { sessionId, peerId, transportId: t.id, kind: 'video', rtpParameters: { codecs: [VP8], encodings: [{ ssrc }] }, source: 'camera' });
      producers.push(producerId);
      senders.push(rtpSender(clip, t.port, ssrc, VP8.payloadType));
    }
    for (let i = 0; i < 8; i++) {
      const s = dgram.createSocket('udp4');
      s.on('message', () => received++);
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      s.setRecvBufferSize(8 << 20);
      sinks.push(s);
    }
    const consumers: { peerId: string; consumerId: string }[] = [];
    const forwarded = async () => {
      let n = 0;
      for (const c of consumers) n += (await sfu.request('consumerStats', { sessionId, ...c })).packetCount;
      return n;
    };
    const rows: Row[] = [];
    const floor = udpFloor();
    for (const target of STEPS) {
      while (consumers.length < target) {
        const peerId = crypto.randomUUID();
        const t = await sfu.request('createPlainTransport', { sessionId, peerId, direction: 'recv' });
        await sfu.request('connectPlainTransport', { sessionId, peerId, transportId: t.id, ip: '127.0.0.1', port: sinks[consumers.length % sinks.length]!.address().port });
        const c = await sfu.request('consume', { sessionId, peerId, transportId: t.id, producerId: producers[consumers.length % CAMERAS]!, rtpCapabilities });
        await sfu.request('resumeConsumer', { sessionId, peerId, consumerId: c.consumerId });
        consumers.push({ peerId, consumerId: c.consumerId });
      }
      // Settle, then one measured window.
      const settle = Date.now();
      await waitFor('settle', () => Date.now() - settle > 1500, { intervalMs: 100 });
      const [f0, r0, c0, t0] = [await forwarded(), received, cpuSeconds(pid), performance.now()];
      await waitFor('window', () => performance.now() - t0 >= WINDOW_MS, { timeoutMs: WINDOW_MS + 2000, intervalMs: 100 });
      const [f1, r1, c1, t1] = [await forwarded(), received, cpuSeconds(pid), performance.now()];
      const pkts = f1 - f0;
      const us = ((c1 - c0) * 1e6) / Math.max(1, pkts);
      const loss = (100 * Math.max(0, pkts - (r1 - r0))) / Math.max(1, pkts);
      console.log(`[forwarding] ${target} consumers: ${(pkts / ((t1 - t0) / 1000)).toFixed(0)} packets/s forwarded, worker ${(100 * (c1 - c0) / ((t1 - t0) / 1000)).toFixed(1)}% of a core, loss ${loss.toFixed(2)}%`);
      rows.push({ metric: `${target} consumers: CPU/packet`, ours: us, baseline: floor.usPerPacket, unit: 'µs' });
      out[`${target}_us_per_packet`] = us;
      out[`${target}_loss_pct`] = loss;
      out[`${target}_packets_per_s`] = pkts / ((t1 - t0) / 1000);
    }
    printTable(`SFU forwarding: ${CAMERAS} cameras, consumers swept`, rows, `baseline: UDP loopback send+receive per packet (C probe, same run), loss ${floor.lossPct.toFixed(2)}%`);
    return out;
  } finally {
    for (const s of senders) s.kill('SIGKILL');
    for (const s of sinks) s.close();
    await sfu.close();
  }
}
