import type { Redis } from 'ioredis';

/**
 * Counters for limits and back-offs. The local one serves a single node; the Redis one shares every count
 * across nodes (a limit per node would multiply by the number of nodes).
 */
export interface RateLimiter {
  /** Fixed window: counts one hit; false when the key is over its limit for the current window. */
  hit(key: string, limit: number, windowMs: number): Promise<boolean>;
  /** The same count as `hit`, returned: the hits in the current window, this one included (limit + 1 is the first refused). */
  hits(key: string, windowMs: number): Promise<number>;
  /** Adds one to a counter and (re)starts its expiry: it lives `ttlMs` after its latest increment. */
  add(key: string, ttlMs: number): Promise<number>;
  /** A counter's value (0 when absent or expired). */
  get(key: string): Promise<number>;
  /** Refuses a key for `ms` (a back-off); a longer hold already in place is kept. */
  hold(key: string, ms: number): Promise<void>;
  /** Milliseconds left on a key's hold, 0 when none. */
  heldFor(key: string): Promise<number>;
  /** Forgets counters and holds. */
  clear(...keys: string[]): Promise<void>;
}

export class LocalRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number; windowMs: number }>();
  private readonly counters = new Map<string, { value: number; expires: number }>();
  private readonly holds = new Map<string, number>();

  async hit(key: string, limit: number, windowMs: number): Promise<boolean> {
    return (await this.hits(key, windowMs)) <= limit;
  }

  async hits(key: string, windowMs: number): Promise<number> {
    const now = Date.now();
    if (this.windows.size > 50_000) this.sweep(now);
    const w = this.windows.get(key);
    if (!w || now - w.start >= w.windowMs) {
      this.windows.set(key, { start: now, count: 1, windowMs });
      return 1;
    }
    w.count += 1;
    return w.count;
  }

  async add(key: string, ttlMs: number): Promise<number> {
    const now = Date.now();
    if (this.counters.size > 50_000) this.sweep(now);
    const c = this.counters.get(key);
    const value = (c && c.expires > now ? c.value : 0) + 1;
    this.counters.set(key, { value, expires: now + ttlMs });
    return value;
  }

  async get(key: string): Promise<number> {
    const c = this.counters.get(key);
    return c && c.expires > Date.now() ? c.value : 0;
  }

  async hold(key: string, ms: number): Promise<void> {
    const now = Date.now();
    if (this.holds.size > 50_000) this.sweep(now);
    this.holds.set(key, Math.max(this.holds.get(key) ?? 0, now + ms));
  }

  async heldFor(key: string): Promise<number> {
    return Math.max(0, (this.holds.get(key) ?? 0) - Date.now());
  }

  async clear(...keys: string[]): Promise<void> {
    for (const k of keys) {
      this.windows.delete(k);
      this.counters.delete(k);
      this.holds.delete(k);
    }
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= w.windowMs) this.windows.delete(k);
    for (const [k, c] of this.counters) if (c.expires <= now) this.counters.delete(k);
    for (const [k, until] of this.holds) if (until <= now) this.holds.delete(k);
  }
}

/** Every key lives in Redis with its own expiry, so counts and holds are the same on every signaling node. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(key: string, limit: number, windowMs: number): Promise<boolean> {
    return (await this.hits(key, windowMs)) <= limit;
  }

  async hits(key: string, windowMs: number): Promise<number> {
    const k = `${this.prefix}rl:${key}`;
    const res = await this.redis.multi().incr(k).pexpire(k, windowMs, 'NX').exec();
    return Number(res?.[0]?.[1] ?? 0);
  }

  async add(key: string, ttlMs: number): Promise<number> {
    const k = `${this.prefix}rc:${key}`;
    const res = await this.redis.multi().incr(k).pexpire(k, ttlMs).exec();
    return Number(res?.[0]?.[1] ?? 0);
  }

  async get(key: string): Promise<number> {
    return Number((await this.redis.get(`${this.prefix}rc:${key}`)) ?? 0);
  }

  async hold(key: string, ms: number): Promise<void> {
    // GT: only ever lengthens a hold already in place (Redis ≥ 7 for PEXPIRE … GT).
    const k = `${this.prefix}rh:${key}`;
    await this.redis.multi().set(k, '1', 'PX', ms, 'NX').pexpire(k, ms, 'GT').exec();
  }

  async heldFor(key: string): Promise<number> {
    return Math.max(0, await this.redis.pttl(`${this.prefix}rh:${key}`));
  }

  async clear(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.del(...keys.flatMap((k) => [`${this.prefix}rl:${k}`, `${this.prefix}rc:${k}`, `${this.prefix}rh:${k}`]));
  }
}
