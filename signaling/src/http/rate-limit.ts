/** Fixed-window counters. The local one serves a single node; a Redis one shares counts across nodes. */
export interface RateLimiter {
  /** Counts one hit; false when the key is over its limit for the current window. */
  hit(key: string, limit: number, windowMs: number): Promise<boolean>;
}

export class LocalRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  async hit(key: string, limit: number, windowMs: number): Promise<boolean> {
    const now = Date.now();
    if (this.windows.size > 50_000) this.sweep(now, windowMs);
    const w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      return true;
    }
    w.count += 1;
    return w.count <= limit;
  }

  private sweep(now: number, windowMs: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= windowMs) this.windows.delete(k);
  }
}

/** One window per key in Redis, shared by every signaling node (a limit per node would multiply by the nodes). */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: import('ioredis').Redis,
    private readonly prefix: string,
  ) {}

  async hit(key: string, limit: number, windowMs: number): Promise<boolean> {
    const k = `${this.prefix}rl:${key}`;
    const res = await this.redis.multi().incr(k).pexpire(k, windowMs, 'NX').exec();
    return Number(res?.[0]?.[1] ?? 0) <= limit;
  }
}
