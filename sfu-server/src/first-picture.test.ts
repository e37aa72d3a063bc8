import dgram from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@vj/shared';
import { waitFor } from '../../test/helpers/poll.js';
import { isRtcp, plis, senderReport, VP8_PT, vp8 } from '../../test/helpers/vp8-simulcast.js';
import { defaultSfuConfig, MEDIA_CODECS } from './config.js';
import { FIRST_PICTURE_WAIT_MS, SessionMedia } from './session-media.js';

// A sender stops its top simulcast layer (its bandwidth estimate is still rising at the start of a call, or its CPU
// is busy) and the SFU counts that layer as live until its inactivity check. A viewer taking the top layer then
// waited for it: the officer who answered saw nothing for seconds. This plays such a sender with hand-made VP8
// packets through the real worker and SessionMedia, and times the viewer's first frame.

const LAYERS = [4441, 4442];
const PEER = 'kiosk';
const VIEWER = 'officer';

describe('a new viewer of a simulcast picture whose top layer stopped', () => {
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

  async function viewer(): Promise<string> {
    const out = await media.createPlainTransport(VIEWER, 'recv');
    await media.connectPlainTransport(VIEWER, out.id, '127.0.0.1', sink.address().port);
    // The call view's own consume: no layer chosen, so it takes the top one.
    const c = await media.consume(VIEWER, out.id, producerId, router.rtpCapabilities as Parameters<SessionMedia['consume']>[3]);
    return c.consumerId;
  }

  it('gets its first frame from the layer below soon, and wants the top layer again after it', async () => {
    // The top layer stops just before the viewer comes; the worker still counts it as live.
    sending = [LAYERS[0]!];
    const consumerId = await viewer();
    const resumed = performance.now();
    await media.resumeConsumer(VIEWER, consumerId);
    await waitFor('a first frame', () => forwarded.length > 0, { timeoutMs: 10_000, intervalMs: 10 });
    const firstFrameMs = forwarded[0]! - resumed;
    // One wait and one key frame, well before the worker's own inactivity check would have switched it.
    expect(firstFrameMs).toBeGreaterThanOrEqual(FIRST_PICTURE_WAIT_MS - 50);
    expect(firstFrameMs).toBeLessThan(FIRST_PICTURE_WAIT_MS + 500);
    const inspected = (await media.inspectConsumer(consumerId)).consumer as { preferredSpatialLayer?: number; currentSpatialLayer?: number };
    expect(inspected.currentSpatialLayer).toBe(0);
    await waitFor(
      'the top layer wanted again',
      async () => ((await media.inspectConsumer(consumerId)).consumer as { preferredSpatialLayer?: number }).preferredSpatialLayer === 1,
      { timeoutMs: 5000, intervalMs: 20 },
    );
  });

  it('leaves a viewer alone whose top layer sends', async () => {
    const consumerId = await viewer();
    await media.resumeConsumer(VIEWER, consumerId);
    await waitFor('a first frame', () => forwarded.length > 0, { timeoutMs: 5000, intervalMs: 10 });
    await new Promise((r) => setTimeout(r, FIRST_PICTURE_WAIT_MS + 200));
    const inspected = (await media.inspectConsumer(consumerId)).consumer as { preferredSpatialLayer?: number; currentSpatialLayer?: number };
    expect(inspected.currentSpatialLayer).toBe(1);
    expect(inspected.preferredSpatialLayer).toBe(1);
  });
});
