import type { Redis } from 'ioredis';
import { errorFields, type Logger } from '@vj/shared';

/**
 * Redis here keeps nothing on disk: after a restart it comes back empty. A marker key set at start-up tells
 * when that happened, and `onReset` then writes back what this node holds (its sessions, the queue, the wall,
 * its kiosks' presence) so every node sees them again.
 */
export class RedisWatch {
  private readonly timer: NodeJS.Timeout;
  private readonly key: string;
  private running: Promise<void> | undefined;
  private readonly kick = () => void (this.running ??= this.check().finally(() => (this.running = undefined)));

  constructor(
    private readonly redis: Redis,
    prefix: string,
    nodeId: string,
    private readonly onReset: () => Promise<void>,
    private readonly log: Logger,
    intervalMs = 1000,
  ) {
    this.key = `${prefix}alive:${nodeId}`;
    this.timer = setInterval(this.kick, intervalMs);
    this.timer.unref();
    // A reconnection is when Redis may have come back empty: look at once, not at the next tick.
    redis.on('ready', this.kick);
  }

  async start(): Promise<void> {
    await this.redis.set(this.key, String(Date.now()));
  }

  private async check(): Promise<void> {
    try {
      // NX: set only if missing, which is exactly when Redis lost our marker.
      if ((await this.redis.set(this.key, String(Date.now()), 'NX')) !== 'OK') return;
      const t0 = Date.now();
      this.log.warn('redis came back empty; writing this node state back');
      await this.onReset();
      this.log.info('node state written back to redis', { ms: Date.now() - t0 });
    } catch (err) {
      this.log.debug('redis check failed', errorFields(err));
    }
  }

  /** Waits for a check in progress, so nothing is sent on a connection being shut. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.redis.off('ready', this.kick);
    await this.running;
  }
}
