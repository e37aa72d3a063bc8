// The county video wall under load: 19 rooms live on one console (18 ffmpeg RTP senders and one Chromium
// kiosk sending simulcast), against the same console with one room live, measured in the same run.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { openConsole, openKiosk, waitForScreen } from '../test/helpers/apps.js';
import { elementStats, launchBrowser } from '../test/helpers/browser.js';
import { kioskToken } from '../test/helpers/fixtures.js';
import { startInProcess } from '../test/helpers/inprocess.js';
import { waitFor } from '../test/helpers/poll.js';
import { connect, send, type TestSocket } from '../test/helpers/sockets.js';
import { encodeClip, rtpSender } from '../test/helpers/rtp.js';
import { childrenNamed, cpuPercent, familyOf } from './proc.js';
import { percentile, printTable, type Row } from './stats.js';

const WINDOW_MS = 8000;
const OPENS = Number(process.env['BENCH_OPENS'] ?? 8);

async function fpsOfTiles(page: Page, rooms: string[], ms: number): Promise<number[]> {
  const before = await Promise.all(rooms.map((r) => elementStats(page, `tile-video-${r}`)));
  const t0 = performance.now();
  await waitFor('measurement window', () => performance.now() - t0 >= ms, { timeoutMs: ms + 2000, intervalMs: 200 });
  const after = await Promise.all(rooms.map((r) => elementStats(page, `tile-video-${r}`)));
  const secs = (performance.now() - t0) / 1000;
  return rooms.map((_, i) => (after[i]!.videoFramesDecoded - before[i]!.videoFramesDecoded) / secs);
}

/** Opening a tile: from the click to the first frame at the large layer (width ≥ 640) on that tile. */
async function openTimes(page: Page, room: string, elsewhere: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await page.$eval(`[data-testid=tile-${elsewhere}]`, (el) => (el as HTMLElement).click());
    await waitFor('tile back at the small layer', async () => (await elementStats(page, `tile-video-${room}`)).videoFrameWidth <= 320, { timeoutMs: 10_000 });
    const t0 = performance.now();
    await page.$eval(`[data-testid=tile-${room}]`, (el) => (el as HTMLElement).click());
    await waitFor('tile at the large layer', async () => (await elementStats(page, `tile-video-${room}`)).videoFrameWidth >= 640, {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    times.push(performance.now() - t0);
  }
  return times;
}

export async function runWallBench(): Promise<Row[]> {
  const clip = path.join(os.tmpdir(), 'vj-bench-vp8-320x180.webm');
  encodeClip(clip);
  const s = await startInProcess({ SFU_WORKERS: '2', LOG_LEVEL: 'warn' });
  const consoleBrowser = await launchBrowser();
  const kioskBrowser = await launchBrowser();
  const senders: ChildProcess[] = [];
  const sockets: TestSocket[] = [];
  try {
    const workers = () => childrenNamed(process.pid, 'mediasoup-worker');
    const browserPids = () => familyOf(consoleBrowser.process()!.pid!);
    const rooms = s.server.rooms.map((r) => r.code);
    const live = 'xingsha';
    const others = rooms.filter((r) => r !== live).slice(0, 18);
    const idleRoom = rooms.find((r) => r !== live && !others.includes(r)) ?? others[0]!;

    const kiosk = await openKiosk(kioskBrowser, s.url, s.server.demo!.kiosks[live]!);
    await waitForScreen(kiosk, 'idle');
    await kiosk.click('[data-testid=call-button]');
    await waitForScreen(kiosk, 'waiting');
    const con = await openConsole(consoleBrowser, s.url, 'officer1', 'officer1-demo');
    await waitFor('the live room decoding on the wall', async () => (await elementStats(con, `tile-video-${live}`)).videoFramesDecoded > 20, {
      timeoutMs: 30_000,
    });

    const measure = async (tiles: string[], openAway: string) => {
      let fps: number[] = [];
      const sfu = await cpuPercent(workers, async () => ((fps = await fpsOfTiles(con, tiles, WINDOW_MS)), 0));
      const browserCpu = await cpuPercent(browserPids, async () => (await fpsOfTiles(con, tiles, WINDOW_MS), 0));
      const opens = await openTimes(con, live, openAway, OPENS);
      return { fps, sfu: sfu.percent, browser: browserCpu.percent, opens };
    };

    const one = await measure([live], idleRoom);

    // 18 more rooms go live, each a kiosk session whose camera is an ffmpeg RTP sender on a plain transport.
    for (const [i, room] of others.entries()) {
      const k = await connect(s.url, await kioskToken(s.url, s.server.demo!.kiosks[room]!));
      sockets.push(k);
      const started = await send(k, 'call:start', { requestId: randomUUID() });
      if (!started.ok) throw new Error(`call in ${room} failed`);
      const { sessionId, peerId } = started.data;
      const sfu = s.server.ctx.sfu;
      const plain = await sfu.request('createPlainTransport', { sessionId, peerId, direction: 'send' });
      const ssrc = 11_000 + i;
      const { producerId } = await sfu.request('produce', {
        sessionId,
        peerId,
        transportId: plain.id,
        kind: 'video',
        rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc }] },
        source: 'camera',
      });
      await s.server.ctx.calls.recordProducer(sessionId, s.server.ctx.calls.session(sessionId)!.peers.get(peerId)!, producerId, 'video', 'camera');
      senders.push(rtpSender(clip, plain.port, ssrc, 101));
    }
    const all = [live, ...others];
    for (const r of all)
      await waitFor(`${r} decoding`, async () => (await elementStats(con, `tile-video-${r}`)).videoFramesDecoded > 10, { timeoutMs: 30_000 });
    const many = await measure(all, others[0]!);

    const avg = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    console.log(
      `per-tile fps with ${all.length} tiles: min ${Math.min(...many.fps).toFixed(1)}, mean ${avg(many.fps).toFixed(1)}, max ${Math.max(...many.fps).toFixed(1)}`,
    );
    console.log(
      `open-tile samples (ms) ${all.length} tiles: ${many.opens.map((x) => x.toFixed(0)).join(' ')}; 1 tile: ${one.opens.map((x) => x.toFixed(0)).join(' ')}`,
    );
    const rows: Row[] = [
      { metric: 'decoded fps per tile (mean)', ours: avg(many.fps), baseline: avg(one.fps), unit: 'fps' },
      { metric: 'decoded fps per tile (min)', ours: Math.min(...many.fps), baseline: Math.min(...one.fps), unit: 'fps' },
      { metric: 'SFU workers CPU', ours: many.sfu, baseline: one.sfu, unit: '%' },
      { metric: 'console browser CPU', ours: many.browser, baseline: one.browser, unit: '%' },
      { metric: 'open tile → large frame p50', ours: percentile(many.opens, 50), baseline: percentile(one.opens, 50), unit: 'ms' },
      { metric: 'open tile → large frame p95', ours: percentile(many.opens, 95), baseline: percentile(one.opens, 95), unit: 'ms' },
    ];
    printTable(
      `video wall: ${all.length} live rooms on one console vs 1 (same run)`,
      rows,
      'ours: 18 ffmpeg VP8 senders (320×180, -c copy) + 1 Chromium kiosk (simulcast 320/640/1280); baseline: the Chromium kiosk alone.\nCPU is percent of one core; "open tile" is the click on the wall until that tile shows a frame ≥ 640 px wide.',
    );
    return rows;
  } finally {
    for (const p of senders) p.kill('SIGTERM');
    for (const k of sockets) k.close();
    await kioskBrowser.cleanup();
    await consoleBrowser.cleanup();
    await s.stop();
  }
}
