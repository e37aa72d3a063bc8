import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger } from '@vj/shared';
import { adapterPubClient } from '../../signaling/src/cluster/adapter-pub-client.js';
import { testRedis } from '../helpers/services.js';

// The socket.io adapter publishes each cross-node push and drops the promise: with Redis away, every push was an
// unhandled rejection (the cluster pass saw them when a kiosk's disconnect pushed its room while a node stopped).

let redis: { url: string; stop: () => Promise<void> };
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await redis?.stop();
});

it('a publish that fails (Redis closed) is logged and answered 0, never left to reject; other commands go through as they are', async () => {
  const lines: string[] = [];
  const log = createLogger('test', 'warn', (line) => void lines.push(line));
  const pub = new Redis(redis.url, { maxRetriesPerRequest: 0 });
  const wrapped = adapterPubClient(pub, log);
  expect(await wrapped.publish('vj-test-channel', 'hello')).toBe(0);
  expect(await wrapped.ping()).toBe('PONG');
  pub.disconnect();
  // What the adapter does: publish and drop the promise. An unhandled rejection would fail this file.
  void wrapped.publish('vj-test-channel', 'lost');
  expect(await wrapped.publish('vj-test-channel', 'lost')).toBe(0);
  expect(lines.some((l) => l.includes('socket broadcast not published'))).toBe(true);
});
