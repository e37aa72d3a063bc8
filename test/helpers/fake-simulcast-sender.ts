// A browser's VP8 simulcast encoder played with hand-made packets (vp8-simulcast.ts) into a real mediasoup worker,
// for the tests of the worker's own key frame handling: a frame on every layer every PACKET_MS, a key frame on
// every layer first and whenever the test says so (it answers the worker's requests only then), and plain
// viewers of one layer each.
import dgram from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { waitFor } from './poll.js';
import { isRtcp, plis, VP8_PT, vp8 } from './vp8-simulcast.js';

export const PACKET_MS = 20;

export interface FakeSimulcastSender {
  router: types.Router;
  producer: types.Producer;
  /** Every PLI the worker sent the encoder: for which layer (ssrc), and when it arrived. */
  requests: { at: number; ssrc: number }[];
  /** A key frame on every layer with the next frame, as a browser answers a request. */
  sendKeyFrames(): void;
  /** Layers whose next packet is lost on the way to the worker (once each). */
  loseNext: Set<number>;
  /** A paused plain consumer of one layer; `onMedia` gets every RTP packet its sink receives. */
  viewer(spatialLayer: number, onMedia: (packet: Buffer) => void): Promise<types.Consumer>;
  close(): void;
}

/** Starts the worker, the producer (with the worker's key frame request window) and the encoder; resolves once every layer is scored. */
export async function startFakeSimulcastSender(layers: number[], keyFrameRequestDelay: number): Promise<FakeSimulcastSender> {
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  const inbound = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
  const producer = await inbound.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
      encodings: layers.map((ssrc) => ({ ssrc })),
    },
    keyFrameRequestDelay,
  });
  const requests: { at: number; ssrc: number }[] = [];
  const loseNext = new Set<number>();
  const sockets: dgram.Socket[] = [];
  const sender = dgram.createSocket('udp4');
  sockets.push(sender);
  await new Promise<void>((r) => sender.bind(0, '127.0.0.1', () => r()));
  sender.on('message', (m) => {
    for (const ssrc of plis(m)) requests.push({ at: performance.now(), ssrc });
  });
  let seq = 1;
  let key = true;
  const tick = () => {
    const k = key;
    key = false;
    for (const ssrc of layers) {
      if (loseNext.delete(ssrc)) continue;
      sender.send(vp8(ssrc, seq, k), inbound.tuple.localPort, '127.0.0.1');
    }
    seq++;
  };
  tick();
  const timer = setInterval(tick, PACKET_MS);
  await waitFor(
    'every layer received',
    async () => (await producer.getStats()).filter((s) => s.type === 'inbound-rtp' && s.score > 0).length === layers.length,
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  return {
    router,
    producer,
    requests,
    loseNext,
    sendKeyFrames: () => void (key = true),
    async viewer(spatialLayer, onMedia) {
      const sink = dgram.createSocket('udp4');
      sockets.push(sink);
      await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
      sink.on('message', (m) => {
        if (!isRtcp(m)) onMedia(m);
      });
      const out = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
      await out.connect({ ip: '127.0.0.1', port: sink.address().port });
      // PLI feedback, so the consumer may ask; a plain sink never sends any itself.
      const caps = {
        ...router.rtpCapabilities,
        codecs: router.rtpCapabilities.codecs?.map((c) => ({ ...c, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] })),
      };
      return out.consume({ producerId: producer.id, rtpCapabilities: caps, paused: true, preferredLayers: { spatialLayer, temporalLayer: 0 } });
    },
    close() {
      clearInterval(timer);
      for (const s of sockets) s.close();
      worker.close();
    },
  };
}
