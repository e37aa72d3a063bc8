import type { Redis } from 'ioredis';

/**
 * Calls waiting for an officer, oldest first. Taking a call out is the atomic answer: of officers answering
 * together (on any node), exactly one takes it. Local for one process, a Redis sorted set for many.
 */
export interface CallQueue {
  add(sessionId: string, since: Date): Promise<void>;
  /** True for exactly one caller per waiting call. */
  take(sessionId: string): Promise<boolean>;
  remove(sessionId: string): Promise<void>;
  order(): Promise<string[]>;
}

export class LocalCallQueue implements CallQueue {
  private readonly waiting = new Map<string, number>();
  async add(sessionId: string, since: Date): Promise<void> {
    this.waiting.set(sessionId, since.getTime());
  }
  async take(sessionId: string): Promise<boolean> {
    return this.waiting.delete(sessionId);
  }
  async remove(sessionId: string): Promise<void> {
    this.waiting.delete(sessionId);
  }
  async order(): Promise<string[]> {
    return [...this.waiting].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  }
}

export class RedisCallQueue implements CallQueue {
  private readonly key: string;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}sig:queue`;
  }
  async add(sessionId: string, since: Date): Promise<void> {
    await this.redis.zadd(this.key, since.getTime(), sessionId);
  }
  async take(sessionId: string): Promise<boolean> {
    return (await this.redis.zrem(this.key, sessionId)) === 1;
  }
  async remove(sessionId: string): Promise<void> {
    await this.redis.zrem(this.key, sessionId);
  }
  async order(): Promise<string[]> {
    return this.redis.zrange(this.key, 0, -1);
  }
}
