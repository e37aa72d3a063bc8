import dgram from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@vj/shared';
import { waitFor } from '../../test/helpers/poll.js';
import { isRtcp, plis, senderReport, VP8_PT, vp8 } from '../../test/helpers/vp8-simulcast.js';
import { defaultSfuConfig, MEDIA_CODECS } from './config.js';
import { FIRST_PICTURE_LAYER, SessionMedia } from './session-media.js';

// A sender stops its top simulcast layer (its bandwidth estimate is still rising at the start of a call, or its CPU
// is busy) and the SFU counts that layer as live until its inactivity check. A viewer taking the top layer first
// then waited for it: the officer who answered saw nothing for seconds. This plays such a sender with hand-made VP8
// packets through the real worker and SessionMedia, and times the viewer's first frame and its move to the top.

const LAYERS = [4441, 4442];
const PEER = 'kiosk';
const VIEWER = 'officer';

describe('a new viewer of a simulcast picture', () => {
  let worker: types.Worker;
  let media: SessionMedia;
  let router: types.Router;
  let sender: dgram.Socket;
  let sink: dgram.Socket;
  let producerId: string;
  let timer: NodeJS.Timeout;
  let sending: number[];
  let keyFrame: () => void;
  let forwarded: number[];

  beforeEach(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'error' });
    router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    media = new SessionMedia('session', router, defaultSfuConfig(), createLogger('test', 'warn'));
    const inbound = await media.createPlainTransport(PEER, 'send');
    producerId = await media.produce(
      PEER,
      inbound.id,
      'video',
      {
        codecs: [{ mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
        encodings: LAYERS.map((ssrc) => ({ ssrc })),
      },
      'camera',
    );
    sender = dgram.createSocket('udp4');
    await new Promise<void>((r) => sender.bind(0, '127.0.0.1', () => r()));
    // The encoder: a frame on each layer it sends every 20 ms, and its sender reports; a PLI brings a key frame on
    // every layer it sends.
    sending = [...LAYERS];
    let seq = 1;
    let key = true;
    keyFrame = () => void (key = true);
    sender.on('message', (m) => {
      if (plis(m).length > 0) keyFrame();
    });
    const tick = () => {
      const k = key;
      key = false;
      for (const ssrc of sending) sender.send(vp8(ssrc, seq, k), inbound.port, '127.0.0.1');
      // A sender report per layer every 100 ms, as a browser sends them.
      if (seq % 5 === 0) for (const ssrc of sending) sender.send(senderReport(ssrc, seq), inbound.port, '127.0.0.1');
      seq++;
    };
    tick();
    timer = setInterval(tick, 20);
    await waitFor('both layers live', async () => (await media.producerStats(PEER, producerId)).packetCount > 100, { timeoutMs: 10_000, intervalMs: 50 });
    sink = dgram.createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    forwarded = [];
    sink.on('message', (m) => {
      if (!isRtcp(m)) forwarded.push(performance.now());
    });
  });

  afterEach(() => {
    clearInterval(timer);
    sender.close();
    sink.close();
    worker.close();
  });

  async function viewer(spatialLayer?: number): Promise<string> {
    const out = await media.createPlainTransport(VIEWER, 'recv');
    await media.connectPlainTransport(VIEWER, out.id, '127.0.0.1', sink.address().port);
    // No layer chosen: the call view's own consume. A layer chosen: a wall tile's.
    const c = await media.consume(VIEWER, out.id, producerId, router.rtpCapabilities as Parameters<SessionMedia['consume']>[3], spatialLayer);
    return c.consumerId;
  }

  const layersOf = async (consumerId: string) =>
    (await media.inspectConsumer(consumerId)).consumer as { preferredSpatialLayer?: number; currentSpatialLayer?: number };

  it('gets its first frame from the bottom layer at once, and wants the top layer again after it', async () => {
    // The top layer stops just before the viewer comes; the worker still counts it as live.
    sending = [LAYERS[0]!];
    const consumerId = await viewer();
    const resumed = performance.now();
    await media.resumeConsumer(VIEWER, consumerId);
    await waitFor('a first frame', () => forwarded.length > 0, { timeoutMs: 10_000, intervalMs: 10 });
    // One request and its key frame: no wait for the stopped layer (taking the top layer first, the frame came only
    // after the worker's inactivity check, or after a 600 ms wait for a step down).
    expect(forwarded[0]! - resumed).toBeLessThan(400);
    expect((await layersOf(consumerId)).currentSpatialLayer).toBe(FIRST_PICTURE_LAYER);
    await waitFor('the top layer wanted again', async () => (await layersOf(consumerId)).preferredSpatialLayer === 1, { timeoutMs: 5000, intervalMs: 20 });
    // The top layer is still stopped: the bottom one goes on showing.
    const before = forwarded.length;
    await waitFor('frames go on coming', () => forwarded.length > before + 10, { timeoutMs: 5000, intervalMs: 20 });
    expect((await layersOf(consumerId)).currentSpatialLayer).toBe(FIRST_PICTURE_LAYER);
  });

  it('takes the top layer soon after the first frame when it sends', async () => {
    const consumerId = await viewer();
    await media.resumeConsumer(VIEWER, consumerId);
    await waitFor('a first frame', () => forwarded.length > 0, { timeoutMs: 5000, intervalMs: 10 });
    const first = performance.now();
    await waitFor('the top layer', async () => (await layersOf(consumerId)).currentSpatialLayer === 1, { timeoutMs: 5000, intervalMs: 20 });
    // Its key frame is asked for once the first frame came: within the sender's request window and a round trip.
    expect(performance.now() - first).toBeLessThan(1500);
    expect((await layersOf(consumerId)).preferredSpatialLayer).toBe(1);
  });

  it('starts a viewer that chose a layer on that layer', async () => {
    const consumerId = await viewer(1);
    expect((await layersOf(consumerId)).preferredSpatialLayer).toBe(1);
    await media.resumeConsumer(VIEWER, consumerId);
    await waitFor('the chosen layer', async () => (await layersOf(consumerId)).currentSpatialLayer === 1, { timeoutMs: 5000, intervalMs: 20 });
  });
});
