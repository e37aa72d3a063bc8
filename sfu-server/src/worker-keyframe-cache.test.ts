import dgram from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/poll.js';
import { isRtcp, plis, VP8_PT, vp8 } from '../../test/helpers/vp8-simulcast.js';
import { KEY_FRAME_REQUEST_DELAY_MS } from './session-media.js';

// The worker this project builds keeps, per simulcast layer of a camera, the packets since its last key frame for
// one request window (scripts/lib/mediasoup-patches.mjs, "key frame cache"). A browser's encoder acts on one key
// frame request per 300 ms; a call view that asked just after the wall or the recorder waited for the window to
// end and then for the encoder, though a key frame had passed a moment before (issue 13). These tests play that
// encoder with hand-made VP8 packets on two layers through plain transports, and read what each viewer gets.

const LAYERS = [5551, 5552];
const PACKET_MS = 20;
/** How long the worker keeps a key frame for a new viewer (the patch's KeyFrameCacheMaxAgeMs). */
const CACHE_MS = 400;

interface Seen {
  at: number;
  seq: number;
  ts: number;
  keyFrame: boolean;
}

/** A forwarded VP8 packet as vp8() builds it: 12-byte RTP header, 6-byte descriptor, then the frame tag. */
function seen(m: Buffer): Seen {
  return { at: performance.now(), seq: m.readUInt16BE(2), ts: m.readUInt32BE(4), keyFrame: (m[18]! & 0x01) === 0 };
}

describe('the built mediasoup worker gives a new viewer the key frame that just passed', () => {
  let worker: types.Worker;
  let producer: types.Producer;
  let router: types.Router;
  let sender: dgram.Socket;
  let sinks: dgram.Socket[];
  let requests: { at: number; ssrc: number }[];
  let sendKeyFrames: () => void;
  /** Layers whose next packet the encoder's network loses (once each). */
  let loseNext: Set<number>;
  let timer: NodeJS.Timeout;

  beforeEach(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'error' });
    router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
    const inbound = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
    producer = await inbound.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
        encodings: LAYERS.map((ssrc) => ({ ssrc })),
      },
      keyFrameRequestDelay: KEY_FRAME_REQUEST_DELAY_MS,
    });
    requests = [];
    sinks = [];
    loseNext = new Set();
    sender = dgram.createSocket('udp4');
    await new Promise<void>((r) => sender.bind(0, '127.0.0.1', () => r()));
    sender.on('message', (m) => {
      for (const ssrc of plis(m)) requests.push({ at: performance.now(), ssrc });
    });
    // The encoder: a frame on each layer every 20 ms; a key frame on every layer first and when told to (it answers
    // requests only when a test says so).
    let seq = 1;
    let key = true;
    sendKeyFrames = () => void (key = true);
    const tick = () => {
      const k = key;
      key = false;
      for (const ssrc of LAYERS) {
        if (loseNext.delete(ssrc)) continue;
        sender.send(vp8(ssrc, seq, k), inbound.tuple.localPort, '127.0.0.1');
      }
      seq++;
    };
    tick();
    timer = setInterval(tick, PACKET_MS);
    await waitFor(
      'both layers received',
      async () => (await producer.getStats()).filter((s) => s.type === 'inbound-rtp' && s.score > 0).length === LAYERS.length,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    // The first key frame too old to give anyone: each test makes its own.
    await new Promise((r) => setTimeout(r, CACHE_MS + 100));
  });

  afterEach(() => {
    clearInterval(timer);
    sender.close();
    for (const s of sinks) s.close();
    worker.close();
  });

  /** A paused plain consumer of one layer, and what its sink receives. */
  async function viewer(spatialLayer: number): Promise<{ consumer: types.Consumer; got: Seen[] }> {
    const sink = dgram.createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    sinks.push(sink);
    const got: Seen[] = [];
    sink.on('message', (m) => {
      if (!isRtcp(m)) got.push(seen(m));
    });
    const out = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
    await out.connect({ ip: '127.0.0.1', port: sink.address().port });
    const caps = {
      ...router.rtpCapabilities,
      codecs: router.rtpCapabilities.codecs?.map((c) => ({ ...c, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] })),
    };
    const consumer = await out.consume({ producerId: producer.id, rtpCapabilities: caps, paused: true, preferredLayers: { spatialLayer, temporalLayer: 0 } });
    return { consumer, got };
  }

  /** The wall (layer 0) resumes and asks; the encoder answers 40 ms later with a key frame on every layer. */
  async function wallGetsKeyFrame(): Promise<number> {
    const wall = await viewer(0);
    await wall.consumer.resume();
    await waitFor('the wall layer asked for', () => requests.some((r) => r.ssrc === LAYERS[0]), { timeoutMs: 5000, intervalMs: 5 });
    const asked = requests.find((r) => r.ssrc === LAYERS[0])!.at;
    await new Promise((r) => setTimeout(r, 40));
    sendKeyFrames();
    await waitFor('the wall has its picture', () => wall.got.some((p) => p.keyFrame), { timeoutMs: 5000, intervalMs: 5 });
    return asked;
  }

  it('replays it to a viewer that asks inside the window, at once, and asks the sender for nothing', async () => {
    const asked = await wallGetsKeyFrame();
    await new Promise((r) => setTimeout(r, 100));
    const call = await viewer(1);
    const resumed = performance.now();
    await call.consumer.resume();
    await waitFor('the call view has packets', () => call.got.length > 0, { timeoutMs: 5000, intervalMs: 2 });
    // At once, not at the window's end (before this patch: at least the rest of the 330 ms, then the encoder).
    expect(call.got[0]!.at - resumed).toBeLessThan(100);
    expect(call.got[0]!.keyFrame).toBe(true);
    await waitFor('live frames after the replay', () => call.got.length >= 12, { timeoutMs: 5000, intervalMs: 5 });
    const first = call.got.slice(0, 12);
    // One stream to the receiver: sequence numbers without a gap or a repeat from the replay into the live packets,
    // and timestamps that only go forward, the replayed frames before the newest 1 ms (90 ticks) apart.
    for (let i = 1; i < first.length; i++) {
      expect((first[i]!.seq - first[i - 1]!.seq) & 0xffff).toBe(1);
      expect(first[i]!.ts - first[i - 1]!.ts).toBeGreaterThan(0);
      expect(first[i]!.ts - first[i - 1]!.ts).toBeLessThanOrEqual(1800);
    }
    expect(first[1]!.ts - first[0]!.ts).toBe(90);
    // Nothing was asked for the call's layer: the replay answered it, and the window stayed the wall's.
    const until = asked + KEY_FRAME_REQUEST_DELAY_MS + 300;
    await new Promise((r) => setTimeout(r, Math.max(0, until - performance.now())));
    expect(requests.filter((r) => r.ssrc === LAYERS[1])).toEqual([]);
  });

  it('asks the sender as before when the last key frame is older than the window', async () => {
    await wallGetsKeyFrame();
    await new Promise((r) => setTimeout(r, CACHE_MS + 100));
    const call = await viewer(1);
    await call.consumer.resume();
    await waitFor('the call layer asked for', () => requests.some((r) => r.ssrc === LAYERS[1]), { timeoutMs: 5000, intervalMs: 5 });
    // The encoder has not answered: nothing to show yet.
    expect(call.got).toEqual([]);
    sendKeyFrames();
    await waitFor('the call view has its picture', () => call.got.some((p) => p.keyFrame), { timeoutMs: 5000, intervalMs: 5 });
  });

  it('asks the sender instead when a packet after the key frame is missing', async () => {
    await wallGetsKeyFrame();
    // The call layer's packet after the key frame (or a later one) is lost on the way in and never repaired.
    loseNext.add(LAYERS[1]!);
    await new Promise((r) => setTimeout(r, 100));
    const call = await viewer(1);
    const resumed = performance.now();
    await call.consumer.resume();
    await waitFor('the call layer asked for', () => requests.some((r) => r.ssrc === LAYERS[1]), { timeoutMs: 5000, intervalMs: 5 });
    // Nothing replayed: a viewer given a key frame with a hole after it could not decode what follows.
    expect(call.got.filter((p) => p.at < resumed + 100)).toEqual([]);
  });
});
