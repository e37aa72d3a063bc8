import { Redis } from 'ioredis';
import type { Logger } from '@vj/shared';

/**
 * One policy for every server connection to Redis, SFU nodes and signaling nodes alike. While Redis is away,
 * commands wait in the offline queue through two reconnection attempts and then fail by name (a caller on a
 * live call must not hang). Reconnection is tried soon at first (50 ms, then 100, 150, …) and then every
 * second: a Redis restarted in about a second (the redis-restart e2e) is found again within a few hundred ms
 * of coming back, and one that stays away costs one attempt a second.
 */
const OPTIONS = {
  lazyConnect: true,
  // Commands issued in one tick go to Redis in one write. A busy node issues many at once (every join asks where
  // its session lives, forwards it and publishes), and each write was a system call of its own: under 2,000 joining
  // consoles these writes were a fifth of a signaling node's CPU. Order on a connection is kept.
  enableAutoPipelining: true,
  enableOfflineQueue: true,
  maxRetriesPerRequest: 2,
  retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
} as const;

/** A command connection (which also publishes) and a subscriber: Redis puts a subscribing connection in a mode of its own. */
export interface RedisPair {
  pub: Redis;
  sub: Redis;
}

/** Opens `count` connections with the one policy; each logs its errors by code only. */
async function open(url: string, log: Logger, count: number): Promise<Redis[]> {
  const connections = Array.from({ length: count }, () => new Redis(url, OPTIONS));
  for (const c of connections) c.on('error', (err) => log.warn('redis connection error', { errorCode: (err as { code?: string }).code }));
  await Promise.all(connections.map((c) => c.connect()));
  await connections[0]!.ping();
  return connections;
}

export async function connectRedisPair(url: string, log: Logger): Promise<RedisPair> {
  const [pub, sub] = await open(url, log, 2);
  return { pub: pub!, sub: sub! };
}

/** A pair and a further command connection, for a node whose own commands must not queue behind what it publishes. */
export async function connectRedisTrio(url: string, log: Logger): Promise<RedisPair & { main: Redis }> {
  const [main, pub, sub] = await open(url, log, 3);
  return { main: main!, pub: pub!, sub: sub! };
}

/**
 * Subscriber first: a node answers requests it receives on the subscriber by publishing (RedisRpc, socket.io's
 * Redis adapter, which publishes without a catch), so a request received while the publisher quits would fail
 * where no one handles it. Once the subscriber has quit nothing new arrives, and what the last messages queued
 * is sent before the others' QUIT. A connection that is already closed is not an error here.
 */
export async function quitRedis(log: Logger, sub: Redis, ...others: Redis[]): Promise<void> {
  const quit = async (c: Redis) => {
    if (c.status === 'end') return;
    await c.quit().catch((err: unknown) => log.warn('redis connection did not quit cleanly', { errorCode: (err as { code?: string }).code }));
  };
  await quit(sub);
  await Promise.all(others.map(quit));
}
