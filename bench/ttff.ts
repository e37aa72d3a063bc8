// Time to first frame: from the officer pressing "answer" to the first decoded kiosk frame on the console,
// over N calls through the SFU, against a baseline of two Chromium pages joined directly by RTCPeerConnection.
// Both are timed the same way: start the action, then poll the receiving page's getStats every 10 ms.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { openConsole, openKiosk, waitForScreen } from '../test/helpers/apps.js';
import { launchBrowser, mediaStats, newInstrumentedPage } from '../test/helpers/browser.js';
import { startTestServer } from '../test/helpers/server.js';
import { percentile, printTable, type Row } from './stats.js';

async function timeToFirstFrame(receiver: Page, start: () => Promise<unknown>): Promise<number> {
  const before = (await mediaStats(receiver)).videoFramesDecoded;
  const t0 = performance.now();
  const started = start();
  for (;;) {
    if ((await mediaStats(receiver)).videoFramesDecoded > before) break;
    if (performance.now() - t0 > 15_000) throw new Error('no decoded frame within 15 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - t0;
  await started;
  return ms;
}

async function ours(browser: Browser, calls: number): Promise<number[]> {
  const server = await startTestServer({ embedded: true });
  try {
    const room = 'huanghua';
    const consolePage = await openConsole(browser, server.url, 'officer1', 'officer1-demo');
    const kiosk = await openKiosk(browser, server.url, server.demoSecrets().kiosks[room]!);
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      await kiosk.bringToFront();
      await waitForScreen(kiosk, 'idle');
      await kiosk.click('[data-testid=call-button]');
      await waitForScreen(kiosk, 'waiting');
      await consolePage.bringToFront();
      await consolePage.waitForSelector(`[data-testid=answer-${room}]:not([disabled])`);
      times.push(await timeToFirstFrame(consolePage, () => consolePage.click(`[data-testid=answer-${room}]`)));
      await consolePage.click('[data-testid=hangup-button]');
      await waitForScreen(kiosk, 'ended');
      // In --headless=new only the front tab gets animation frames, which a click waits for.
      await kiosk.bringToFront();
      await kiosk.click('[data-testid=home-button]');
    }
    return times;
  } finally {
    await server.stop();
  }
}

const waitGathered = `new Promise((r) => pc.iceGatheringState === 'complete' ? r() :
  pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()))`;

/** Two pages, one sending the fake camera at 1280×720, negotiated directly over loopback each time. */
async function baseline(browser: Browser, calls: number): Promise<number[]> {
  // getUserMedia needs a secure context: an http://127.0.0.1 page is one, about:blank is not.
  const blank = http.createServer((_req, res) => res.end('<!doctype html><title>baseline</title>'));
  await new Promise<void>((r) => blank.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(blank.address() as AddressInfo).port}/`;
  const sender = await newInstrumentedPage(browser);
  const receiver = await newInstrumentedPage(browser);
  await sender.goto(origin);
  await receiver.goto(origin);
  await sender.evaluate(`(async () => { window.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true }); })()`);
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    await receiver.bringToFront();
    // Close the previous call on both sides first, so its frames cannot count for this one.
    await sender.evaluate('window.pc?.close()');
    await receiver.evaluate('window.pc?.close(); window.__vjPcs.length = 0');
    times.push(
      await timeToFirstFrame(receiver, async () => {
        const offer = await sender.evaluate(`(async () => {
          const pc = (window.pc = new RTCPeerConnection());
          for (const t of window.stream.getTracks()) pc.addTrack(t, window.stream);
          await pc.setLocalDescription(await pc.createOffer());
          await ${waitGathered};
          return pc.localDescription.sdp;
        })()`);
        const answer = await receiver.evaluate(`(async () => {
          const pc = (window.pc = new RTCPeerConnection());
          await pc.setRemoteDescription({ type: 'offer', sdp: ${JSON.stringify(offer)} });
          await pc.setLocalDescription(await pc.createAnswer());
          await ${waitGathered};
          return pc.localDescription.sdp;
        })()`);
        await sender.evaluate(`window.pc.setRemoteDescription({ type: 'answer', sdp: ${JSON.stringify(answer)} })`);
      }),
    );
  }
  await sender.close();
  await receiver.close();
  blank.close();
  return times;
}

export async function runTtff(calls = Number(process.env['BENCH_CALLS'] ?? 12)): Promise<Row[]> {
  const browser = await launchBrowser();
  try {
    const b = await baseline(browser, calls);
    const o = await ours(browser, calls);
    console.log(`ttff samples (ms) ours:     ${o.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(`ttff samples (ms) baseline: ${b.map((x) => x.toFixed(0)).join(' ')}`);
    const rows: Row[] = [
      { metric: 'time to first frame p50', ours: percentile(o, 50), baseline: percentile(b, 50), unit: 'ms' },
      { metric: 'time to first frame p95', ours: percentile(o, 95), baseline: percentile(b, 95), unit: 'ms' },
    ];
    printTable(
      `time to first frame, ${calls} calls each`,
      rows,
      'ours: console "answer" click → first decoded kiosk frame through mediasoup; baseline: direct RTCPeerConnection negotiation on loopback → first decoded frame.',
    );
    return rows;
  } finally {
    await browser.cleanup();
  }
}
