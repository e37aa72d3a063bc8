import type { Redis } from 'ioredis';
import {
  AppError,
  SfuEventEnvelope,
  SfuTimeoutError,
  TypedEmitter,
  errorFields,
  parseOrBadRequest,
  sfuEvents,
  sfuMethods,
  type Logger,
  type SfuApi,
  type SfuEvent,
  type SfuEventPayload,
  type SfuMethod,
  type SfuParams,
  type SfuResult,
  ERROR_MESSAGES,
} from '@vj/shared';
import { RedisRpc, RpcTimeoutError, connectRedisPair, quitRedis } from '@vj/rpc';
import { SfuRegistry } from './cluster/sfu-registry.js';
import { sfuEventsChannel } from './sfu-node.js';

type Events = { [E in SfuEvent]: [SfuEventPayload<E>] };

export interface RedisSfuClientOptions {
  redisUrl: string;
  prefix: string;
  log: Logger;
  /** How long one SFU request may take before it fails with SfuTimeoutError. */
  timeoutMs?: number;
}

/**
 * SfuApi over Redis: each request goes to the node holding the session's router (placing new sessions on
 * the least-loaded node), with an id and a timeout. Params are checked here before sending and results
 * after receiving; the node checks them again on its side. Two sessions on different nodes are joined by
 * pipe transports, so the caller never needs to know where either one lives.
 */
export class RedisSfuClient implements SfuApi {
  private readonly events: TypedEmitter<Events>;
  private closed = false;
  private workers = 0;
  private readonly timer: NodeJS.Timeout;
  private checking: Promise<void> | undefined;

  private constructor(
    private readonly rpc: RedisRpc,
    readonly registry: SfuRegistry,
    private readonly redis: { pub: Redis; sub: Redis },
    private readonly opts: RedisSfuClientOptions,
  ) {
    this.events = new TypedEmitter((event, err) => opts.log.error('listener failed', { event, ...errorFields(err) }));
    this.timer = setInterval(() => (this.checking ??= this.checkNodes().finally(() => (this.checking = undefined))), 2000);
    this.timer.unref();
  }

  /**
   * Workers across the live nodes, for health checks (kept fresh in the background, read without waiting).
   * A node that stopped beating died without closing anything: its sessions are announced as closed with
   * "worker_died", by whichever client notices first, so their owners re-create them on a live node.
   */
  private async checkNodes(): Promise<void> {
    try {
      const live = await this.registry.liveNodes();
      this.workers = live.reduce((a, n) => a + n.workers, 0);
      const alive = new Set(live.map((n) => n.nodeId));
      for (const nodeId of await this.registry.knownNodes()) {
        if (alive.has(nodeId) || !(await this.registry.forget(nodeId))) continue;
        const sessionIds = await this.registry.takeSessionsOf(nodeId);
        this.opts.log.error('SFU node stopped beating; its sessions are re-created elsewhere', { nodeId, sessions: sessionIds.length });
        const announce = (event: string, payload: unknown) =>
          this.redis.pub.publish(sfuEventsChannel(this.opts.prefix), JSON.stringify({ nodeId, event, payload }));
        await announce('workerDied', { pid: 0, sessionIds });
        for (const sessionId of sessionIds) await announce('routerClosed', { sessionId, reason: 'worker_died' });
      }
    } catch (err) {
      this.opts.log.warn('SFU registry check failed', errorFields(err));
    }
  }

  static async connect(opts: RedisSfuClientOptions): Promise<RedisSfuClient> {
    const { pub, sub } = await connectRedisPair(opts.redisUrl, opts.log);
    const rpc = new RedisRpc(pub, sub, opts.prefix, `client-${crypto.randomUUID()}`, opts.log.child('rpc'));
    const client = new RedisSfuClient(rpc, new SfuRegistry(pub, opts.prefix), { pub, sub }, opts);
    sub.on('message', (channel: string, message: string) => {
      if (channel === sfuEventsChannel(opts.prefix)) client.onEvent(message);
    });
    await rpc.start();
    await sub.subscribe(sfuEventsChannel(opts.prefix));
    await client.checkNodes();
    return client;
  }

  private onEvent(message: string): void {
    const env = SfuEventEnvelope.safeParse(JSON.parse(message));
    if (!env.success || !Object.hasOwn(sfuEvents, env.data.event)) return void this.opts.log.warn('malformed sfu event dropped');
    const event = env.data.event as SfuEvent;
    const payload = sfuEvents[event].safeParse(env.data.payload);
    if (!payload.success) return void this.opts.log.warn('sfu event failed validation', { event });
    this.events.emit(event, ...([payload.data] as Events[typeof event]));
  }

  get workerCount(): number {
    return this.workers;
  }

  private async call<M extends SfuMethod>(nodeId: string, method: M, params: SfuParams<M>): Promise<SfuResult<M>> {
    const timeoutMs = this.opts.timeoutMs ?? 5000;
    // The SfuApi's callers know an SFU that did not answer by its own error, SfuTimeoutError (SFU_TIMEOUT).
    const raw = await this.rpc.call(nodeId, method, params, timeoutMs).catch((err: unknown) => {
      throw err instanceof RpcTimeoutError ? new SfuTimeoutError(method, nodeId, timeoutMs) : err;
    });
    const parsed = sfuMethods[method].result.safeParse(raw);
    if (!parsed.success) {
      this.opts.log.error('malformed SFU answer', { method, nodeId });
      throw new AppError('SFU_ERROR', ERROR_MESSAGES.sfu.error);
    }
    return parsed.data as SfuResult<M>;
  }

  private async nodeOf(sessionId: string): Promise<string> {
    const nodeId = await this.registry.nodeOf(sessionId);
    if (!nodeId) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sfu.noMedia);
    return nodeId;
  }

  async request<M extends SfuMethod>(method: M, rawParams: SfuParams<M>): Promise<SfuResult<M>> {
    if (this.closed) throw new AppError('UNAVAILABLE', ERROR_MESSAGES.sfu.shuttingDown);
    const params = parseOrBadRequest(sfuMethods[method].params, rawParams, `${method} params`) as SfuParams<M>;
    const p = params as Record<string, unknown>;
    switch (method) {
      case 'createRouter':
        return this.call(await this.registry.place(p['sessionId'] as string), method, params);
      case 'dump':
        return (p['sessionId'] ? this.call(await this.nodeOf(p['sessionId'] as string), method, params) : this.dumpAll()) as Promise<SfuResult<M>>;
      case 'pipeProducer':
        return this.pipe(params as SfuParams<'pipeProducer'>) as Promise<SfuResult<M>>;
      // Closing what is already gone is no error: a router no node holds has nothing left to close.
      case 'closeProducer': {
        const nodeId = await this.registry.nodeOf(p['sessionId'] as string);
        return (nodeId ? this.call(nodeId, method, params) : { closed: false }) as SfuResult<M>;
      }
      case 'closeRouter': {
        const nodeId = await this.registry.nodeOf(p['sessionId'] as string);
        return (nodeId ? this.call(nodeId, method, params) : {}) as SfuResult<M>;
      }
      default:
        return this.call(await this.nodeOf(p['sessionId'] as string), method, params);
    }
  }

  /** Totals across every live node, for leak checks and operators. */
  private async dumpAll(): Promise<SfuResult<'dump'>> {
    const nodes = await this.registry.liveNodes();
    const dumps = await Promise.all(nodes.map((n) => this.call(n.nodeId, 'dump', {})));
    const sum = (k: 'routers' | 'transports' | 'producers' | 'consumers' | 'pausedConsumers') => dumps.reduce((a, d) => a + d[k], 0);
    return {
      routers: sum('routers'),
      transports: sum('transports'),
      producers: sum('producers'),
      consumers: sum('consumers'),
      pausedConsumers: sum('pausedConsumers'),
      workers: dumps.flatMap((d) => d.workers),
      peers: [],
    };
  }

  private async pipe({ fromSessionId, toSessionId, producerId }: SfuParams<'pipeProducer'>): Promise<SfuResult<'pipeProducer'>> {
    const [a, b] = await Promise.all([this.nodeOf(fromSessionId), this.nodeOf(toSessionId)]);
    if (a === b) return this.call(a, 'pipeProducer', { fromSessionId, toSessionId, producerId });
    const [tb, ta] = await Promise.all([
      this.call(b, 'createPipeTransport', { sessionId: toSessionId, remoteSessionId: fromSessionId }),
      this.call(a, 'createPipeTransport', { sessionId: fromSessionId, remoteSessionId: toSessionId }),
    ]);
    try {
      await Promise.all([
        this.call(a, 'connectPipeTransport', { sessionId: fromSessionId, transportId: ta.transportId, ip: tb.ip, port: tb.port }),
        this.call(b, 'connectPipeTransport', { sessionId: toSessionId, transportId: tb.transportId, ip: ta.ip, port: ta.port }),
      ]);
      const c = await this.call(a, 'pipeConsume', { sessionId: fromSessionId, transportId: ta.transportId, producerId });
      return await this.call(b, 'pipeProduce', { sessionId: toSessionId, transportId: tb.transportId, producerId, ...c });
    } catch (err) {
      // Half a pipe carries nothing: take both ends down so no transport is left behind.
      await Promise.allSettled([
        this.call(a, 'closePeer', { sessionId: fromSessionId, peerId: toSessionId, reason: 'transport_closed' }),
        this.call(b, 'closePeer', { sessionId: toSessionId, peerId: fromSessionId, reason: 'transport_closed' }),
      ]);
      throw err;
    }
  }

  on<E extends SfuEvent>(event: E, listener: (payload: SfuEventPayload<E>) => void): () => void {
    return this.events.on(event, listener as never);
  }

  /** Safe to call twice. The nodes and their sessions stay: other signaling nodes still use them. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.checking;
    this.rpc.close();
    this.events.removeAllListeners();
    await quitRedis(this.opts.log, this.redis.sub, this.redis.pub);
  }
}
