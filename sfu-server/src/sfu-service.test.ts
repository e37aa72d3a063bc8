import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, createLogger, type RtpCapabilities, type SfuEventPayload } from '@vj/shared';
import { defaultSfuConfig } from './config.js';
import { LocalSfuClient } from './local-sfu-client.js';
import { SfuService } from './sfu-service.js';

// Tests against a real mediasoup worker (built offline by scripts/build-mediasoup-worker.mjs).
const quiet = createLogger('test', 'error', () => {});
const vp8 = (ssrc: number) => ({
  mid: '0',
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] }],
  encodings: [{ ssrc }],
  rtcp: { cname: 'test' },
});

async function poll<T>(f: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SfuService on a real mediasoup worker', () => {
  let sfu: LocalSfuClient;
  const sessionId = randomUUID();
  const kiosk = randomUUID();
  const officer = randomUUID();

  beforeEach(async () => {
    sfu = new LocalSfuClient(await SfuService.start(defaultSfuConfig({ workers: 2 }), quiet));
  });
  afterEach(async () => {
    await sfu.close();
  });

  async function kioskProducing(): Promise<{ caps: RtpCapabilities; producerId: string }> {
    const { rtpCapabilities: caps } = await sfu.request('createRouter', { sessionId });
    const send = await sfu.request('createWebRtcTransport', { sessionId, peerId: kiosk, direction: 'send' });
    const { producerId } = await sfu.request('produce', {
      sessionId,
      peerId: kiosk,
      transportId: send.id,
      kind: 'video',
      rtpParameters: vp8(1111),
      source: 'camera',
    });
    return { caps, producerId };
  }

  it('creates one router per session, idempotently, and spreads routers over workers', async () => {
    const a = await sfu.request('createRouter', { sessionId });
    const b = await sfu.request('createRouter', { sessionId });
    expect(b.rtpCapabilities).toEqual(a.rtpCapabilities);
    await sfu.request('createRouter', { sessionId: randomUUID() });
    const dump = await sfu.request('dump', {});
    expect(dump.routers).toBe(2);
    expect(dump.workers.map((w) => w.routers).sort()).toEqual([1, 1]);
  });

  it('creates consumers paused and resumes them only on request', async () => {
    const { caps, producerId } = await kioskProducing();
    const recv = await sfu.request('createWebRtcTransport', { sessionId, peerId: officer, direction: 'recv' });
    const consumer = await sfu.request('consume', { sessionId, peerId: officer, transportId: recv.id, producerId, rtpCapabilities: caps });
    expect(consumer.paused).toBe(true);
    expect(await sfu.request('dump', { sessionId })).toMatchObject({ consumers: 1, pausedConsumers: 1 });
    await sfu.request('resumeConsumer', { sessionId, peerId: officer, consumerId: consumer.consumerId });
    expect(await sfu.request('dump', { sessionId })).toMatchObject({ consumers: 1, pausedConsumers: 0 });
  });

  it("refuses a peer that names another peer's transport or consumer, as if it did not exist", async () => {
    const { caps, producerId } = await kioskProducing();
    const recv = await sfu.request('createWebRtcTransport', { sessionId, peerId: officer, direction: 'recv' });
    const intruder = randomUUID();
    await expect(sfu.request('consume', { sessionId, peerId: intruder, transportId: recv.id, producerId, rtpCapabilities: caps })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const c = await sfu.request('consume', { sessionId, peerId: officer, transportId: recv.id, producerId, rtpCapabilities: caps });
    await expect(sfu.request('resumeConsumer', { sessionId, peerId: intruder, consumerId: c.consumerId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Producing on a receive transport is a client bug, not a lookup miss.
    await expect(
      sfu.request('produce', { sessionId, peerId: officer, transportId: recv.id, kind: 'video', rtpParameters: vp8(2), source: 'camera' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('closing a peer closes its producers with that reason, and the consumers of others follow', async () => {
    const events: string[] = [];
    sfu.on('producerClosed', (e: SfuEventPayload<'producerClosed'>) => events.push(`producer:${e.reason}`));
    sfu.on('consumerClosed', (e: SfuEventPayload<'consumerClosed'>) => events.push(`consumer:${e.reason}`));
    const { caps, producerId } = await kioskProducing();
    const recv = await sfu.request('createWebRtcTransport', { sessionId, peerId: officer, direction: 'recv' });
    await sfu.request('consume', { sessionId, peerId: officer, transportId: recv.id, producerId, rtpCapabilities: caps });
    await sfu.request('closePeer', { sessionId, peerId: kiosk, reason: 'peer_left' });
    await poll(() => (events.length >= 2 ? true : undefined));
    expect(events.sort()).toEqual(['consumer:producer_closed', 'producer:peer_left']);
    expect(await sfu.request('dump', { sessionId })).toMatchObject({ transports: 1, producers: 0, consumers: 0 });
  });

  it('closeRouter is safe twice and leaves nothing behind', async () => {
    await kioskProducing();
    const closed: string[] = [];
    sfu.on('routerClosed', (e) => closed.push(e.reason));
    await sfu.request('closeRouter', { sessionId, reason: 'session_ended' });
    await sfu.request('closeRouter', { sessionId, reason: 'session_ended' });
    expect(closed).toEqual(['session_ended']);
    expect(await sfu.request('dump', {})).toMatchObject({ routers: 0, transports: 0, producers: 0, consumers: 0 });
    await expect(sfu.request('createWebRtcTransport', { sessionId, peerId: kiosk, direction: 'send' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('validates every request and names the failing fields, not their values', async () => {
    const err = await sfu
      .request('produce', { sessionId, peerId: 'not-a-uuid', transportId: kiosk, kind: 'video', rtpParameters: { codecs: [] }, source: 'camera' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_REQUEST');
    expect((err as AppError).fields).toEqual(expect.arrayContaining(['peerId', 'rtpParameters.codecs']));
    expect((err as AppError).message).not.toContain('not-a-uuid');
  });

  it('pipes a producer into another session (the wall) and starts a simulcast consumer at the requested layer', async () => {
    const wall = randomUUID();
    const { rtpCapabilities: caps } = await sfu.request('createRouter', { sessionId });
    await sfu.request('createRouter', { sessionId: wall, dedicatedWorker: true });
    const send = await sfu.request('createWebRtcTransport', { sessionId, peerId: kiosk, direction: 'send' });
    const simulcast = { ...vp8(0), encodings: [{ rid: 'r0', scaleResolutionDownBy: 4 }, { rid: 'r1', scaleResolutionDownBy: 2 }, { rid: 'r2' }] };
    const { producerId } = await sfu.request('produce', {
      sessionId,
      peerId: kiosk,
      transportId: send.id,
      kind: 'video',
      rtpParameters: simulcast,
      source: 'camera',
    });
    const piped = await sfu.request('pipeProducer', { fromSessionId: sessionId, toSessionId: wall, producerId });
    expect(piped.producerId).toBe(producerId);
    const recv = await sfu.request('createWebRtcTransport', { sessionId: wall, peerId: officer, direction: 'recv' });
    const c = await sfu.request('consume', { sessionId: wall, peerId: officer, transportId: recv.id, producerId, rtpCapabilities: caps, spatialLayer: 0 });
    await sfu.request('setConsumerLayer', { sessionId: wall, peerId: officer, consumerId: c.consumerId, spatialLayer: 2 });
    expect(await sfu.request('dump', { sessionId: wall })).toMatchObject({ producers: 1, consumers: 1 });
    // Closing the source session closes the piped copy and its consumers on the wall.
    await sfu.request('closeRouter', { sessionId, reason: 'session_ended' });
    const after = await poll(async () => {
      const d = await sfu.request('dump', { sessionId: wall });
      return d.producers === 0 && d.consumers === 0 ? d : undefined;
    });
    expect(after.routers).toBe(1);
  });

  it('closes one piped copy on the wall (a sealed call leaving it): its viewers lose it, the original and its consumers stay; closing it again is no error', async () => {
    const { caps, producerId } = await kioskProducing();
    const wall = randomUUID();
    await sfu.request('createRouter', { sessionId: wall, dedicatedWorker: true });
    await sfu.request('pipeProducer', { fromSessionId: sessionId, toSessionId: wall, producerId });
    const inCall = await sfu.request('createWebRtcTransport', { sessionId, peerId: officer, direction: 'recv' });
    await sfu.request('consume', { sessionId, peerId: officer, transportId: inCall.id, producerId, rtpCapabilities: caps });
    const viewer = randomUUID();
    const onWall = await sfu.request('createWebRtcTransport', { sessionId: wall, peerId: viewer, direction: 'recv' });
    const c = await sfu.request('consume', { sessionId: wall, peerId: viewer, transportId: onWall.id, producerId, rtpCapabilities: caps, spatialLayer: 0 });
    const closed: SfuEventPayload<'producerClosed'>[] = [];
    const consumersClosed: SfuEventPayload<'consumerClosed'>[] = [];
    sfu.on('producerClosed', (e) => closed.push(e));
    sfu.on('consumerClosed', (e) => consumersClosed.push(e));

    expect(await sfu.request('closeProducer', { sessionId: wall, producerId, reason: 'withdrawn' })).toEqual({ closed: true });
    expect(closed).toEqual([{ sessionId: wall, peerId: sessionId, producerId, reason: 'withdrawn' }]);
    await poll(() => (consumersClosed.some((e) => e.sessionId === wall && e.consumerId === c.consumerId) ? true : undefined));
    expect(await sfu.request('dump', { sessionId: wall })).toMatchObject({ producers: 0, consumers: 0 });
    // The call itself keeps its camera and the officer's consumer of it.
    expect(await sfu.request('dump', { sessionId })).toMatchObject({ producers: 1, consumers: 1 });

    // Idempotent: again, a producer never there, a router never there.
    expect(await sfu.request('closeProducer', { sessionId: wall, producerId, reason: 'withdrawn' })).toEqual({ closed: false });
    expect(await sfu.request('closeProducer', { sessionId: wall, producerId: randomUUID(), reason: 'withdrawn' })).toEqual({ closed: false });
    expect(await sfu.request('closeProducer', { sessionId: randomUUID(), producerId, reason: 'withdrawn' })).toEqual({ closed: false });
    expect(closed).toHaveLength(1);
    // It can go on the wall again afterwards (the wall itself decides whether it may).
    expect(await sfu.request('pipeProducer', { fromSessionId: sessionId, toSessionId: wall, producerId })).toEqual({ producerId });
    expect(await sfu.request('dump', { sessionId: wall })).toMatchObject({ producers: 1 });
  });

  it("closes only one peer's consumers (private mode) and reports per-peer holdings", async () => {
    const { caps, producerId } = await kioskProducing();
    const staff = randomUUID();
    for (const peer of [officer, staff]) {
      const recv = await sfu.request('createWebRtcTransport', { sessionId, peerId: peer, direction: 'recv' });
      await sfu.request('consume', { sessionId, peerId: peer, transportId: recv.id, producerId, rtpCapabilities: caps });
    }
    expect(await sfu.request('closePeerConsumers', { sessionId, peerId: staff, reason: 'private_mode' })).toEqual({ closed: 1 });
    const dump = await sfu.request('dump', { sessionId });
    const by = Object.fromEntries(dump.peers.map((p) => [p.peerId, p]));
    expect(by[staff]).toMatchObject({ transports: 1, consumers: 0 });
    expect(by[officer]).toMatchObject({ transports: 1, consumers: 1 });
    expect(by[kiosk]).toMatchObject({ transports: 1, producers: 1 });
  });

  it('detects a killed worker, reports the sessions it carried, and replaces it', async () => {
    const died: SfuEventPayload<'workerDied'>[] = [];
    const routerReasons: string[] = [];
    sfu.on('workerDied', (e) => died.push(e));
    sfu.on('routerClosed', (e) => routerReasons.push(e.reason));
    await kioskProducing();
    const before = await sfu.request('dump', {});
    const victim = before.workers.find((w) => w.routers === 1)!;
    process.kill(victim.pid, 'SIGKILL');
    await poll(() => (died.length && routerReasons.length ? true : undefined));
    expect(died[0]).toEqual({ pid: victim.pid, sessionIds: [sessionId] });
    expect(routerReasons).toEqual(['worker_died']);
    await poll(() => (sfu.workerCount === 2 ? true : undefined));
    const dump = await sfu.request('dump', {});
    expect(dump.workers.map((w) => w.pid)).not.toContain(victim.pid);
    expect(dump.routers).toBe(0);
  });
});
