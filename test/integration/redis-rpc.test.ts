import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { AppError, createLogger } from '@vj/shared';
import { RedisRpc, RpcTimeoutError } from '@vj/rpc';
import { testRedis, uniqueName } from '../helpers/services.js';

// The request/reply both servers use between nodes (@vj/rpc), on its own: answers, refusals by code, and its
// own timeout error, whichever nodes talk.

const log = createLogger('test', 'error', () => {});
let redis: { url: string; stop: () => Promise<void> };
const open: { rpc: RedisRpc; conns: Redis[] }[] = [];

async function node(prefix: string, nodeId: string, handler?: (method: string, params: unknown) => Promise<unknown>): Promise<RedisRpc> {
  const conns = [new Redis(redis.url), new Redis(redis.url)];
  const rpc = new RedisRpc(conns[0]!, conns[1]!, prefix, nodeId, log);
  await rpc.start(handler);
  open.push({ rpc, conns });
  return rpc;
}

beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  for (const { rpc, conns } of open) {
    rpc.close();
    for (const c of conns) c.disconnect();
  }
  await redis.stop();
});

describe('RedisRpc', () => {
  it('answers, and a refusal arrives with its error code', async () => {
    const prefix = `${uniqueName('rpc')}:`;
    await node(prefix, 'answering', async (method, params) => {
      if (method === 'echo') return { params };
      throw new AppError('FORBIDDEN', 'not this one');
    });
    const caller = await node(prefix, 'caller');
    expect(await caller.call('answering', 'echo', { n: 1 }, 2000)).toEqual({ params: { n: 1 } });
    await expect(caller.call('answering', 'other', {}, 2000)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a node that does not answer in time fails the call with RpcTimeoutError (NODE_TIMEOUT), naming method and node', async () => {
    const prefix = `${uniqueName('rpc')}:`;
    // Listens on its channel (so the call is not refused as unreachable) and never answers.
    await node(prefix, 'silent', () => new Promise(() => {}));
    const caller = await node(prefix, 'caller');
    const t0 = Date.now();
    const err = await caller.call('silent', 'dump', {}, 400).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(err).toBeInstanceOf(RpcTimeoutError);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ name: 'RpcTimeoutError', code: 'NODE_TIMEOUT', method: 'dump', nodeId: 'silent', timeoutMs: 400 });
  });

  it('a call to a node nobody listens for fails at once as UNAVAILABLE, not as a timeout', async () => {
    const caller = await node(`${uniqueName('rpc')}:`, 'caller');
    const t0 = Date.now();
    await expect(caller.call('nobody', 'dump', {}, 5000)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
