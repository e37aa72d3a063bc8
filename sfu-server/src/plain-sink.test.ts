import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@vj/shared';
import { defaultSfuConfig } from './config.js';
import { LocalSfuClient } from './local-sfu-client.js';
import { plainSinkCapabilities } from './plain-sink.js';
import { SfuService } from './sfu-service.js';

// A real mediasoup worker: what matters is what the worker itself set up, read from its own dump and stats.
const quiet = createLogger('test', 'error', () => {});
const TCC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS_SEND_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';

interface ConsumerDump {
  rtpParameters: { codecs: { mimeType: string; rtcpFeedback?: { type: string; parameter?: string }[] }[]; headerExtensions?: { uri: string }[] };
}

describe('plain-RTP sinks consume without congestion control or NACK', () => {
  let service: SfuService;
  let sfu: LocalSfuClient;
  let sink: dgram.Socket;
  const sessionId = randomUUID();

  beforeEach(async () => {
    service = await SfuService.start(defaultSfuConfig({ workers: 1 }), quiet);
    sfu = new LocalSfuClient(service);
    sink = dgram.createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  });
  afterEach(async () => {
    sink.close();
    await sfu.close();
  });

  async function cameraAndCaps() {
    const { rtpCapabilities } = await sfu.request('createRouter', { sessionId });
    const kiosk = randomUUID();
    const send = await sfu.request('createWebRtcTransport', { sessionId, peerId: kiosk, direction: 'send' });
    const { producerId } = await sfu.request('produce', {
      sessionId,
      peerId: kiosk,
      transportId: send.id,
      kind: 'video',
      rtpParameters: {
        mid: '0',
        codecs: [
          { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'transport-cc' }] },
          { mimeType: 'video/rtx', payloadType: 102, clockRate: 90000, parameters: { apt: 101 } },
        ],
        headerExtensions: [{ uri: TCC, id: 5 }],
        encodings: [{ ssrc: 1111, rtx: { ssrc: 1112 } }],
        rtcp: { cname: 'kiosk' },
      },
      source: 'camera',
    });
    return { rtpCapabilities, producerId };
  }

  const feedback = (d: ConsumerDump) =>
    d.rtpParameters.codecs.flatMap((c) => (c.rtcpFeedback ?? []).map((f) => (f.parameter ? `${f.type} ${f.parameter}` : f.type)));
  const extensions = (d: ConsumerDump) => (d.rtpParameters.headerExtensions ?? []).map((h) => h.uri);

  it('a plain consumer given the full router capabilities gets no transport-cc, abs-send-time, REMB, NACK or RTX, and no bandwidth estimator', async () => {
    const { rtpCapabilities, producerId } = await cameraAndCaps();
    const recorder = randomUUID();
    const plain = await sfu.request('createPlainTransport', { sessionId, peerId: recorder, direction: 'recv' });
    await sfu.request('connectPlainTransport', { sessionId, peerId: recorder, transportId: plain.id, ip: '127.0.0.1', port: sink.address().port });
    // The router's full capabilities, exactly as the recorder and the forwarding benchmark pass them.
    const c = await sfu.request('consume', { sessionId, peerId: recorder, transportId: plain.id, producerId, rtpCapabilities });
    await sfu.request('resumeConsumer', { sessionId, peerId: recorder, consumerId: c.consumerId });
    const { consumer, transportStats } = await service.inspectConsumer(sessionId, c.consumerId);
    const dump = consumer as ConsumerDump;
    expect(extensions(dump)).not.toContain(TCC);
    expect(extensions(dump)).not.toContain(ABS_SEND_TIME);
    expect(feedback(dump)).not.toContain('transport-cc');
    expect(feedback(dump)).not.toContain('goog-remb');
    expect(feedback(dump)).not.toContain('nack');
    expect(dump.rtpParameters.codecs.map((x) => x.mimeType)).toEqual(['video/VP8']);
    // mediasoup reports an available outgoing bitrate only when the transport runs a congestion controller.
    expect(transportStats[0]).not.toHaveProperty('availableOutgoingBitrate');

    // The same producer to a browser still gets all of it: the filter is for plain sinks only.
    const officer = randomUUID();
    const webrtc = await sfu.request('createWebRtcTransport', { sessionId, peerId: officer, direction: 'recv' });
    const w = await sfu.request('consume', { sessionId, peerId: officer, transportId: webrtc.id, producerId, rtpCapabilities });
    const web = (await service.inspectConsumer(sessionId, w.consumerId)).consumer as ConsumerDump;
    expect(extensions(web)).toContain(TCC);
    expect(feedback(web)).toEqual(expect.arrayContaining(['transport-cc', 'nack']));
  });

  it('plainSinkCapabilities keeps the codecs and the harmless extensions', () => {
    const caps = plainSinkCapabilities({
      codecs: [
        {
          kind: 'video',
          mimeType: 'video/VP8',
          clockRate: 90000,
          preferredPayloadType: 101,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }, { type: 'transport-cc' }],
        },
        { kind: 'video', mimeType: 'video/rtx', clockRate: 90000, preferredPayloadType: 102, parameters: { apt: 101 } },
        { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100, rtcpFeedback: [{ type: 'transport-cc' }] },
      ],
      headerExtensions: [
        { kind: 'video', uri: TCC, preferredId: 5 },
        { kind: 'video', uri: ABS_SEND_TIME, preferredId: 4 },
        { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', preferredId: 10 },
      ],
    });
    expect(caps.codecs!.map((c) => [c.mimeType, c.rtcpFeedback!.map((f) => f.parameter ?? f.type)])).toEqual([
      ['video/VP8', ['pli']],
      ['audio/opus', []],
    ]);
    expect(caps.headerExtensions!.map((h) => h.uri)).toEqual(['urn:ietf:params:rtp-hdrext:ssrc-audio-level']);
  });
});
