import type { Redis } from 'ioredis';
import {
  AppError,
  SfuEventEnvelope,
  errorFields,
  sfuEvents,
  sfuMethods,
  type Logger,
  type SfuEvent,
  type SfuMethod,
  type SfuNodeInfo,
  ERROR_MESSAGES,
} from '@vj/shared';
import type { SfuConfig } from './config.js';
import { RedisRpc, connectRedisPair, quitRedis } from '@vj/rpc';
import { HEARTBEAT_MS, SfuRegistry } from './cluster/sfu-registry.js';
import { SfuService } from './sfu-service.js';

export interface SfuNodeOptions {
  redisUrl: string;
  prefix: string;
  nodeId: string;
  sfu: SfuConfig;
  log: Logger;
}

export const sfuEventsChannel = (prefix: string) => `${prefix}sfu:events`;

/**
 * A standalone SFU node: the SfuService behind a Redis request channel, registered with its load. Events go
 * to every signaling node on one channel. When Redis comes back empty (a restart), the next heartbeat puts
 * the node and its sessions back.
 */
export class SfuNode {
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  /** The heartbeat in flight: close() waits for it, so none reaches Redis after the connections quit. */
  private beating: Promise<void> | undefined;
  private readonly beat = () => void (this.beating ??= this.heartbeat().finally(() => (this.beating = undefined)));

  private constructor(
    readonly service: SfuService,
    private readonly rpc: RedisRpc,
    private readonly registry: SfuRegistry,
    private readonly redis: { pub: Redis; sub: Redis },
    private readonly opts: SfuNodeOptions,
  ) {
    this.timer = setInterval(this.beat, HEARTBEAT_MS);
    this.timer.unref();
    // After a reconnection Redis may have come back empty: register again at once, not at the next beat.
    this.redis.pub.on('ready', this.beat);
  }

  static async start(opts: SfuNodeOptions): Promise<SfuNode> {
    const { log } = opts;
    const { pub, sub } = await connectRedisPair(opts.redisUrl, log);
    const service = await SfuService.start(opts.sfu, log);
    const rpc = new RedisRpc(pub, sub, opts.prefix, opts.nodeId, log.child('rpc'));
    const registry = new SfuRegistry(pub, opts.prefix);
    const node = new SfuNode(service, rpc, registry, { pub, sub }, opts);
    node.wireEvents();
    await rpc.start((method, params) => {
      if (!Object.hasOwn(sfuMethods, method)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.common.unknownRequest);
      return service.handle(method as SfuMethod, params);
    });
    await sub.subscribe(sfuEventsChannel(opts.prefix));
    await registry.register(await node.info());
    log.info('sfu node registered', { nodeId: opts.nodeId, workers: service.workerCount });
    return node;
  }

  private wireEvents(): void {
    const { prefix, nodeId, log } = this.opts;
    for (const event of Object.keys(sfuEvents) as SfuEvent[]) {
      this.service.events.on(event, (payload) => {
        const envelope = JSON.stringify({ nodeId, event, payload });
        this.redis.pub.publish(sfuEventsChannel(prefix), envelope).catch(() => log.warn('sfu event not published', { event }));
      });
    }
    this.service.events.on('routerClosed', ({ sessionId }) => {
      this.registry.release(sessionId, nodeId).catch((err) => log.warn('could not free a session place', { sessionId, ...errorFields(err) }));
    });
    // Copies of producers piped in from another node close when that node says the original closed.
    this.redis.sub.on('message', (channel: string, message: string) => {
      if (channel !== sfuEventsChannel(prefix)) return;
      const env = SfuEventEnvelope.safeParse(JSON.parse(message));
      if (!env.success || env.data.nodeId === nodeId) return;
      if (env.data.event === 'producerClosed') {
        const payload = sfuEvents.producerClosed.safeParse(env.data.payload);
        if (payload.success) {
          this.service.closeRemotePiped(payload.data.producerId);
          // A copy closed there while its original lives here (taken off the wall): its pipe from here goes too.
          this.service.closePipeTo(payload.data.sessionId, payload.data.producerId);
        }
      }
      // A node that died closed nothing: what it piped here goes with its sessions.
      if (env.data.event === 'workerDied') {
        const payload = sfuEvents.workerDied.safeParse(env.data.payload);
        if (payload.success) this.service.closePipesFrom(payload.data.sessionIds);
      }
    });
  }

  private async info(): Promise<SfuNodeInfo> {
    const load = await this.service.load();
    return {
      nodeId: this.opts.nodeId,
      pid: process.pid,
      workers: this.service.workerCount,
      ...load,
      load: load.transports + load.consumers / 4,
      at: Date.now(),
    };
  }

  private async heartbeat(): Promise<void> {
    if (this.closed) return;
    try {
      const info = await this.info();
      if (this.closed) return;
      if (await this.registry.isLive(this.opts.nodeId)) return void (await this.registry.heartbeat(info));
      // Our entry is gone: Redis restarted empty, or we were cut off longer than the TTL. Put everything back.
      await this.registry.register(info);
      const sessions = this.service.sessionIds();
      await this.registry.reclaim(this.opts.nodeId, sessions);
      this.opts.log.warn('sfu node re-registered', { nodeId: this.opts.nodeId, sessions: sessions.length });
    } catch (err) {
      this.opts.log.warn('sfu heartbeat failed', errorFields(err));
    }
  }

  /** Leaves the registry, closes every router (with the reason), then the workers. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.redis.pub.off('ready', this.beat);
    // A heartbeat sent after the connections quit fails inside ioredis's transaction, where no one can catch it.
    await this.beating;
    // eslint-disable-next-line no-restricted-syntax -- shutting down: an entry Redis could not delete expires by its TTL, and the others then see this node as gone
    await this.registry.deregister(this.opts.nodeId).catch(() => {});
    await this.service.close('shutdown');
    this.rpc.close();
    await quitRedis(this.opts.log, this.redis.sub, this.redis.pub);
  }
}
