import { Redis } from 'ioredis';
import type { Logger } from '@vj/shared';

/**
 * A command connection and a subscriber connection (Redis puts a subscribing connection in a mode of its
 * own). Commands fail fast while Redis is away, and both reconnect every second or sooner.
 */
export async function connectRedisPair(url: string, log: Logger): Promise<{ pub: Redis; sub: Redis }> {
  const make = () => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(200 * n, 1000) });
  const pub = make();
  const sub = make();
  for (const c of [pub, sub]) c.on('error', (err) => log.warn('redis connection error', { errorCode: (err as { code?: string }).code }));
  await Promise.all([pub.connect(), sub.connect()]);
  return { pub, sub };
}
