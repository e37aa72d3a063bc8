import { describe, expect, it } from 'vitest';
import { createLogger } from '@vj/shared';
import { NodeId, newNodeId } from './node-id.js';
import { connectRedisPair, connectRedisTrio, quitRedis } from './redis-connection.js';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const log = createLogger('test', 'error');

describe('the one Redis connection policy', () => {
  it('opens ready connections with the same options, one of them a subscriber', async () => {
    const trio = await connectRedisTrio(url, log);
    const pair = await connectRedisPair(url, log);
    for (const c of [trio.main, trio.pub, trio.sub, pair.pub, pair.sub]) {
      expect(c.status).toBe('ready');
      expect(c.options.maxRetriesPerRequest).toBe(2);
      expect(c.options.retryStrategy?.(1)).toBe(50);
      expect(c.options.retryStrategy?.(20)).toBe(1000);
    }
    await quitRedis(log, trio.sub, trio.pub, trio.main);
    await quitRedis(log, pair.sub, pair.pub);
  });

  it('quits the subscriber before the others, and quitting twice is safe', async () => {
    const { main, pub, sub } = await connectRedisTrio(url, log);
    const ended: string[] = [];
    sub.on('end', () => ended.push('sub'));
    pub.on('end', () => ended.push('pub'));
    main.on('end', () => ended.push('main'));
    await sub.subscribe('vj:test:quit-order');
    await quitRedis(log, sub, pub, main);
    await quitRedis(log, sub, pub, main);
    await expect.poll(() => ended.length).toBe(3);
    expect(ended[0]).toBe('sub');
    expect([sub.status, pub.status, main.status]).toEqual(['end', 'end', 'end']);
  });
});

describe('node names', () => {
  it('a fresh name carries its kind, is valid however long the host name is, and is never repeated', () => {
    const a = newNodeId('sfu');
    const b = newNodeId('sfu');
    expect(a).toMatch(/^sfu-[A-Za-z0-9_-]*-[0-9a-f]{8}$/);
    expect(NodeId.safeParse(a).success).toBe(true);
    expect(a).not.toBe(b);
    expect(newNodeId('sig').startsWith('sig-')).toBe(true);
    // A long, dotted host name (an FQDN) still gives a name the NodeId schema accepts.
    const long = newNodeId('sig', `${'reception-room-kiosk-gateway.'.repeat(4)}county.gov.cn`);
    expect(NodeId.safeParse(long).success).toBe(true);
    expect(long).toMatch(/^sig-reception-room-kiosk-gatewayreception-ro-[0-9a-f]{8}$/);
  });
});
