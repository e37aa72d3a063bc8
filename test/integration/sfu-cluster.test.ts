import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { AppError, SfuTimeoutError, createLogger } from '@vj/shared';
import { RedisRpc } from '@vj/rpc';
import { RedisSfuClient } from '@vj/sfu-server';
import { waitFor } from '../helpers/poll.js';
import { encodeClip, rtpSender } from '../helpers/rtp.js';
import { testRedis, uniqueName } from '../helpers/services.js';
import { startSfuNode, type SfuNodeProc } from '../helpers/sfu-nodes.js';

// Two standalone SFU nodes (`npm run sfu`) behind Redis, driven through RedisSfuClient as a signaling node
// drives them: placement, validation on both sides, named timeouts, cross-node pipes, node loss, leaks.

const log = createLogger('test', 'error', () => {});
const VP8 = { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 };
const clip = path.join(os.tmpdir(), 'vj-sfu-cluster-clip.webm');
let redis: { url: string; stop: () => Promise<void> };
let prefix: string;
const nodes: SfuNodeProc[] = [];
let client: RedisSfuClient;
const senders: ChildProcess[] = [];

beforeAll(async () => {
  encodeClip(clip);
  redis = await testRedis();
  prefix = `${uniqueName('sfuc')}:`;
  nodes.push(await startSfuNode({ redisUrl: redis.url, prefix, nodeId: 'node-a', portBase: 41000 }));
  nodes.push(await startSfuNode({ redisUrl: redis.url, prefix, nodeId: 'node-b', portBase: 42000 }));
  client = await RedisSfuClient.connect({ redisUrl: redis.url, prefix, log, timeoutMs: 1500 });
}, 60_000);

afterAll(async () => {
  for (const s of senders) s.kill('SIGKILL');
  await client?.close();
  for (const n of nodes) await n.stop();
  await redis?.stop();
});

/** An ffmpeg VP8 camera publishing into a plain transport of `sessionId`. */
async function publish(sessionId: string, peerId: string): Promise<string> {
  await client.request('createRouter', { sessionId });
  const plain = await client.request('createPlainTransport', { sessionId, peerId, direction: 'send' });
  const ssrc = 1000 + Math.floor(Math.random() * 1e6);
  const { producerId } = await client.request('produce', {
    sessionId,
    peerId,
    transportId: plain.id,
    kind: 'video',
    rtpParameters: { codecs: [VP8], encodings: [{ ssrc }] },
    source: 'camera',
  });
  senders.push(rtpSender(clip, plain.port, ssrc, VP8.payloadType));
  return producerId;
}

/** A plain-RTP consumer of `producerId` in `sessionId`, resumed: the SFU counts what it sends out. */
async function sink(sessionId: string, producerId: string): Promise<{ peerId: string; consumerId: string }> {
  const peerId = randomUUID();
  const { rtpCapabilities } = await client.request('createRouter', { sessionId });
  const t = await client.request('createPlainTransport', { sessionId, peerId, direction: 'recv' });
  await client.request('connectPlainTransport', { sessionId, peerId, transportId: t.id, ip: '127.0.0.1', port: 5004 });
  const c = await client.request('consume', { sessionId, peerId, transportId: t.id, producerId, rtpCapabilities });
  await client.request('resumeConsumer', { sessionId, peerId, consumerId: c.consumerId });
  return { peerId, consumerId: c.consumerId };
}

describe('SFU nodes behind Redis', () => {
  it('registers both nodes with their load and places sessions on the least-loaded one', async () => {
    const live = await client.registry.liveNodes();
    expect(live.map((n) => n.nodeId).sort()).toEqual(['node-a', 'node-b']);
    const before = await client.registry.sessionCounts();
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    // Concurrent placement under the lock still spreads evenly.
    await Promise.all(ids.map((sessionId) => client.request('createRouter', { sessionId })));
    const placed = await Promise.all(ids.map((id) => client.registry.nodeOf(id)));
    expect(placed.filter((n) => n === 'node-a')).toHaveLength(2 + (before['node-b'] ?? 0) - (before['node-a'] ?? 0));
    // createRouter is idempotent: a retry lands on the same node and the same router.
    expect(await client.request('createRouter', { sessionId: ids[0]! })).toBeTruthy();
    expect(await client.registry.nodeOf(ids[0]!)).toBe(placed[0]);
    for (const sessionId of ids) await client.request('closeRouter', { sessionId, reason: 'session_ended' });
    await waitFor('places freed', async () => Object.values(await client.registry.sessionCounts()).every((n) => n === 0));
    expect((await client.request('dump', {})).routers).toBe(0);
  });

  it('validates on both sides: bad params never leave the client, and a node refuses them too', async () => {
    await expect(client.request('createRouter', { sessionId: 'not-a-uuid' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const pub = new Redis(redis.url);
    const sub = new Redis(redis.url);
    const raw = new RedisRpc(pub, sub, prefix, `probe-${randomUUID()}`, log);
    await raw.start();
    try {
      await expect(raw.call('node-a', 'createRouter', { sessionId: 42 }, 2000)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(raw.call('node-a', 'rmRf', {}, 2000)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      // Nobody listens on a missing node's channel: the call fails at once, not at the timeout.
      const t0 = Date.now();
      await expect(raw.call('node-zzz', 'dump', {}, 5000)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      raw.close();
      pub.disconnect();
      sub.disconnect();
    }
  });

  it('pipes a producer between sessions on different nodes; the copy carries RTP and closes with the original', async () => {
    const kioskSession = randomUUID();
    const wallSession = randomUUID();
    await client.request('createRouter', { sessionId: kioskSession });
    await client.request('createRouter', { sessionId: wallSession, dedicatedWorker: true });
    const [a, b] = [await client.registry.nodeOf(kioskSession), await client.registry.nodeOf(wallSession)];
    expect(a).not.toBe(b);
    const kioskPeer = randomUUID();
    const producerId = await publish(kioskSession, kioskPeer);
    const piped = await client.request('pipeProducer', { fromSessionId: kioskSession, toSessionId: wallSession, producerId });
    expect(piped.producerId).toBe(producerId);
    const viewer = await sink(wallSession, producerId);
    const flowing = await waitFor('RTP forwarded on the other node', async () => {
      const s = await client.request('consumerStats', { sessionId: wallSession, peerId: viewer.peerId, consumerId: viewer.consumerId });
      return s.packetCount > 50 ? s : undefined;
    });
    expect(flowing.byteCount).toBeGreaterThan(10_000);

    const closedOnWall = new Promise<string>((resolve) => {
      const off = client.on('producerClosed', (e) => {
        if (e.sessionId !== wallSession || e.producerId !== producerId) return;
        off();
        resolve(e.reason);
      });
    });
    await client.request('closePeer', { sessionId: kioskSession, peerId: kioskPeer, reason: 'peer_left' });
    expect(await closedOnWall).toBe('producer_closed');
    // Both ends of the pipe are gone; only the viewer's own transport remains on the wall.
    await waitFor('pipe transports closed', async () => {
      const [k, w] = [await client.request('dump', { sessionId: kioskSession }), await client.request('dump', { sessionId: wallSession })];
      return k.transports === 0 && w.transports === 1 && w.producers === 0 && w.consumers === 0;
    });
    await client.request('closeRouter', { sessionId: kioskSession, reason: 'session_ended' });
    await client.request('closeRouter', { sessionId: wallSession, reason: 'session_ended' });
    await waitFor('no routers left', async () => (await client.request('dump', {})).routers === 0);
  });

  it('a node that does not answer fails the request with SfuTimeoutError, by name', async () => {
    const sessionId = randomUUID();
    await client.request('createRouter', { sessionId });
    const owner = await client.registry.nodeOf(sessionId);
    const proc = nodes.find((n) => n.nodeId === owner)!;
    proc.proc.kill('SIGSTOP');
    try {
      const t0 = Date.now();
      const err = await client.request('dump', { sessionId }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SfuTimeoutError);
      expect(err).toBeInstanceOf(AppError);
      expect((err as SfuTimeoutError).name).toBe('SfuTimeoutError');
      expect((err as SfuTimeoutError).code).toBe('SFU_TIMEOUT');
      expect((err as SfuTimeoutError).nodeId).toBe(owner);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    } finally {
      proc.proc.kill('SIGCONT');
    }
    await waitFor('node answers again', async () => (await client.request('dump', { sessionId })).routers === 1);
    await client.request('closeRouter', { sessionId, reason: 'session_ended' });
  });

  it('a node killed with -9 leaves the registry by its TTL, and new sessions go to the survivor', async () => {
    const victim = nodes[1]!;
    await victim.kill('SIGKILL');
    const t0 = Date.now();
    await waitFor('dead node expired', async () => (await client.registry.liveNodes()).every((n) => n.nodeId !== victim.nodeId), { timeoutMs: 15_000 });
    const goneAfterMs = Date.now() - t0;
    expect(goneAfterMs).toBeLessThan(8000);
    const sessionId = randomUUID();
    await client.request('createRouter', { sessionId });
    expect(await client.registry.nodeOf(sessionId)).toBe(nodes[0]!.nodeId);
    await client.request('closeRouter', { sessionId, reason: 'session_ended' });
    const left = await waitFor('survivor is empty', async () => {
      const d = await client.request('dump', {});
      return d.routers === 0 && d.transports === 0 ? d : undefined;
    });
    expect(left.consumers).toBe(0);
    console.log(`[sfu-cluster] killed node left the registry after ${goneAfterMs} ms`);
  });
});
