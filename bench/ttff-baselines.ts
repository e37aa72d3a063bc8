// The two same-run baselines for time to first frame, each between two Chromium pages with the same fake devices:
// - direct: one RTCPeerConnection per call, negotiated over loopback (no server at all);
// - bare mediasoup: the same mediasoup worker and codecs as ours, driven by a minimal signalling function and
//   mediasoup-client, the sender publishing the same 3-layer simulcast as the kiosk before the "call" starts,
//   the receiver then doing what the console does (load, recv transport, consume video and audio, resume).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Browser, Page } from 'puppeteer-core';
import { MEDIA_CODECS } from '@vj/sfu-server';
import { newInstrumentedPage } from '../test/helpers/browser.js';
import { armFirstFrame, firstFrameAt, pageNow } from './ttff-page.js';

const PAGE = '<!doctype html><title>baseline</title><video id="v" autoplay muted playsinline width="640" height="360"></video>';

/** getUserMedia needs a secure context: an http://127.0.0.1 page is one, about:blank is not. */
export async function pageServer(page = PAGE): Promise<{ origin: string; close(): void }> {
  const server = http.createServer((_req, res) => res.end(page));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

/** Page-side: resolves once the page's `pc` has gathered all its candidates. */
export const waitGathered = `new Promise((r) => pc.iceGatheringState === 'complete' ? r() :
  pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()))`;

/** Direct RTCPeerConnection per call: from the start of negotiation to the receiver's first presented frame. */
export async function directBaseline(browser: Browser, calls: number): Promise<number[]> {
  const site = await pageServer();
  const sender = await newInstrumentedPage(browser);
  const receiver = await newInstrumentedPage(browser);
  try {
    await sender.goto(site.origin);
    await receiver.goto(site.origin);
    await sender.evaluate(
      `(async () => { window.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true }); })()`,
    );
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      await receiver.bringToFront();
      // Close the previous call on both sides first, so its frames cannot count for this one.
      await sender.evaluate('window.pc?.close()');
      await receiver.evaluate('window.pc?.close(); document.getElementById("v").srcObject = null');
      await armFirstFrame(receiver, '#v');
      const t0 = await pageNow(receiver);
      const offer = await sender.evaluate(`(async () => {
        const pc = (window.pc = new RTCPeerConnection());
        for (const t of window.stream.getTracks()) pc.addTrack(t, window.stream);
        await pc.setLocalDescription(await pc.createOffer());
        await ${waitGathered};
        return pc.localDescription.sdp;
      })()`);
      const answer = await receiver.evaluate(`(async () => {
        const pc = (window.pc = new RTCPeerConnection());
        pc.ontrack = (e) => { if (e.track.kind === 'video') document.getElementById('v').srcObject = new MediaStream([e.track]); };
        await pc.setRemoteDescription({ type: 'offer', sdp: ${JSON.stringify(offer)} });
        await pc.setLocalDescription(await pc.createAnswer());
        await ${waitGathered};
        return pc.localDescription.sdp;
      })()`);
      await sender.evaluate(`window.pc.setRemoteDescription({ type: 'answer', sdp: ${JSON.stringify(answer)} })`);
      times.push((await firstFrameAt(receiver)) - t0);
    }
    return times;
  } finally {
    await sender.close();
    await receiver.close();
    site.close();
  }
}

/** mediasoup-client bundled for a plain page, exposed as window.msc. */
async function mediasoupClientBundle(): Promise<string> {
  const out = await build({
    stdin: { contents: "export { Device } from 'mediasoup-client';", resolveDir: path.join(import.meta.dirname, '..'), loader: 'js' },
    bundle: true,
    format: 'iife',
    globalName: 'msc',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** A minimal mediasoup server: one router, transports and consumers by id, reached through page.exposeFunction. */
class BareSfu {
  private readonly transports = new Map<string, types.WebRtcTransport>();
  private readonly consumers = new Map<string, types.Consumer>();
  readonly producers: types.Producer[] = [];
  private constructor(
    private readonly worker: types.Worker,
    private readonly router: types.Router,
  ) {}

  static async start(): Promise<BareSfu> {
    const worker = await mediasoup.createWorker({ logLevel: 'error' });
    return new BareSfu(worker, await worker.createRouter({ mediaCodecs: MEDIA_CODECS }));
  }

  async handle(method: string, p: Record<string, unknown>): Promise<unknown> {
    switch (method) {
      case 'caps':
        return this.router.rtpCapabilities;
      case 'transport': {
        const t = await this.router.createWebRtcTransport({
          listenIps: [{ ip: '127.0.0.1' }],
          enableUdp: true,
          enableTcp: true,
          preferUdp: true,
          initialAvailableOutgoingBitrate: 1_200_000,
        });
        this.transports.set(t.id, t);
        return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
      }
      case 'connect':
        return this.transports.get(p['transportId'] as string)!.connect({ dtlsParameters: p['dtlsParameters'] as types.DtlsParameters });
      case 'produce': {
        const producer = await this.transports
          .get(p['transportId'] as string)!
          .produce({ kind: p['kind'] as types.MediaKind, rtpParameters: p['rtpParameters'] as types.RtpParameters });
        this.producers.push(producer);
        return { id: producer.id };
      }
      case 'consume': {
        const c = await this.transports
          .get(p['transportId'] as string)!
          .consume({ producerId: p['producerId'] as string, rtpCapabilities: p['rtpCapabilities'] as types.RtpCapabilities, paused: true });
        this.consumers.set(c.id, c);
        return { id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters };
      }
      case 'resume':
        return this.consumers.get(p['consumerId'] as string)!.resume();
      case 'closeTransport':
        this.transports.get(p['transportId'] as string)?.close();
        return undefined;
      default:
        throw new Error(`unknown method ${method}`);
    }
  }

  close(): void {
    this.worker.close();
  }
}

const SIMULCAST = [
  { scaleResolutionDownBy: 4, maxBitrate: 100_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 300_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 900_000 },
];

async function barePage(browser: Browser, origin: string, sfu: BareSfu, bundle: string): Promise<Page> {
  const page = await newInstrumentedPage(browser);
  await page.goto(origin);
  await page.exposeFunction('sig', (method: string, params: Record<string, unknown>) => sfu.handle(method, params ?? {}));
  await page.addScriptTag({ content: bundle });
  // The page-side helpers: a device, and a transport wired to the signalling function.
  await page.evaluate(`window.transportFor = async (device, direction) => {
    const o = await window.sig('transport', {});
    const t = direction === 'send' ? device.createSendTransport(o) : device.createRecvTransport(o);
    t.on('connect', ({ dtlsParameters }, ok, fail) => window.sig('connect', { transportId: t.id, dtlsParameters }).then(ok, fail));
    t.on('produce', ({ kind, rtpParameters }, ok, fail) => window.sig('produce', { transportId: t.id, kind, rtpParameters }).then(ok, fail));
    return t;
  }`);
  return page;
}

/** Bare mediasoup + mediasoup-client: from the receiver starting to the first presented frame of its consumer. */
export async function bareMediasoupBaseline(browser: Browser, calls: number): Promise<number[]> {
  const site = await pageServer();
  const sfu = await BareSfu.start();
  const bundle = await mediasoupClientBundle();
  const sender = await barePage(browser, site.origin, sfu, bundle);
  const receiver = await barePage(browser, site.origin, sfu, bundle);
  try {
    await sender.evaluate(`(async () => {
      const device = new msc.Device();
      await device.load({ routerRtpCapabilities: await window.sig('caps', {}) });
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true });
      const t = await window.transportFor(device, 'send');
      await t.produce({ track: stream.getVideoTracks()[0], encodings: ${JSON.stringify(SIMULCAST)} });
      await t.produce({ track: stream.getAudioTracks()[0] });
    })()`);
    const [video, audio] = [sfu.producers.find((p) => p.kind === 'video')!, sfu.producers.find((p) => p.kind === 'audio')!];
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      // One producer serves every call here (ours makes a new one per call). The worker asks again after 1 s for
      // a key frame that has not come, and the encoder ignores any request within 300 ms of one it acted on: back
      // to back, each call's request fell just after the previous call's repeat and waited a second for its own.
      // Calls a villager makes are not seconds apart on one producer, so the baseline waits that repeat out.
      if (i > 0) await new Promise((r) => setTimeout(r, 1500));
      await receiver.bringToFront();
      await receiver.evaluate(
        `(async () => { if (window.recv) { await window.sig('closeTransport', { transportId: window.recv.id }); window.recv.close(); } document.getElementById('v').srcObject = null; })()`,
      );
      await armFirstFrame(receiver, '#v');
      const t0 = await pageNow(receiver);
      await receiver.evaluate(`(async () => {
        const device = new msc.Device();
        await device.load({ routerRtpCapabilities: await window.sig('caps', {}) });
        const t = (window.recv = await window.transportFor(device, 'recv'));
        for (const producerId of ${JSON.stringify([video.id, audio.id])}) {
          const o = await window.sig('consume', { transportId: t.id, producerId, rtpCapabilities: device.recvRtpCapabilities });
          const c = await t.consume(o);
          if (c.kind === 'video') document.getElementById('v').srcObject = new MediaStream([c.track]);
          await window.sig('resume', { consumerId: c.id });
        }
      })()`);
      times.push((await firstFrameAt(receiver)) - t0);
    }
    return times;
  } finally {
    await sender.close();
    await receiver.close();
    sfu.close();
    site.close();
  }
}
