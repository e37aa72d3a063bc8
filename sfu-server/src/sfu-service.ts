import type { types } from 'mediasoup';
import {
  AppError,
  TypedEmitter,
  errorFields,
  parseOrBadRequest,
  sfuEvents,
  sfuMethods,
  type Logger,
  type SfuCloseReason,
  type SfuEvent,
  type SfuEventPayload,
  type SfuMethod,
  type SfuResult,
  ERROR_MESSAGES,
} from '@vj/shared';
import type { z } from 'zod';
import type { SfuConfig } from './config.js';
import { LINK_SAMPLE_MS } from './link-quality.js';
import { SessionMedia } from './session-media.js';
import { WorkerPool } from './worker-pool.js';

type Params<M extends SfuMethod> = z.output<(typeof sfuMethods)[M]['params']>;
type Handlers = { [M in SfuMethod]: (p: Params<M>) => Promise<SfuResult<M>> };
export type SfuServiceEvents = { [E in SfuEvent]: [SfuEventPayload<E>] };

/** The SFU side of SfuApi: validates each request, runs it against the worker pool, validates the answer. */
export class SfuService {
  readonly events: TypedEmitter<SfuServiceEvents>;
  private readonly sessions = new Map<string, { media: SessionMedia; pid: number }>();
  private readonly pending = new Map<string, Promise<SessionMedia>>();
  /** Sessions whose router closed because its worker died; mediasoup closes routers before "died" fires. */
  private readonly orphanedByPid = new Map<number, string[]>();
  private closed = false;
  private readonly linkTimer: NodeJS.Timeout;
  private sampling = false;

  private constructor(
    private readonly pool: WorkerPool,
    private readonly config: SfuConfig,
    private readonly log: Logger,
  ) {
    this.events = new TypedEmitter((event, err) => log.error('listener failed', { event, ...errorFields(err) }));
    pool.events.on('workerDied', (pid) => {
      const stillOpen = [...this.sessions].filter(([, s]) => s.pid === pid).map(([id]) => id);
      const sessionIds = [...new Set([...(this.orphanedByPid.get(pid) ?? []), ...stillOpen])];
      this.orphanedByPid.delete(pid);
      this.emit('workerDied', { pid, sessionIds });
    });
    this.linkTimer = setInterval(() => void this.sampleLinks(), LINK_SAMPLE_MS);
    this.linkTimer.unref();
  }

  /** Grades every participant's link and announces the changes; a slow round is not overlapped by the next. */
  private async sampleLinks(): Promise<void> {
    if (this.sampling || this.closed) return;
    this.sampling = true;
    try {
      for (const [sessionId, { media }] of [...this.sessions]) {
        for (const { peerId, ...report } of await media.sampleLinks()) this.emit('linkQuality', { sessionId, peerId, ...report });
      }
    } catch (err) {
      this.log.warn('link sampling failed', errorFields(err));
    } finally {
      this.sampling = false;
    }
  }

  static async start(config: SfuConfig, log: Logger): Promise<SfuService> {
    return new SfuService(await WorkerPool.create(config, log.child('workers')), config, log);
  }

  private emit<E extends SfuEvent>(event: E, payload: SfuEventPayload<E>): void {
    this.events.emit(event, ...([sfuEvents[event].parse(payload)] as SfuServiceEvents[E]));
  }

  async handle<M extends SfuMethod>(method: M, rawParams: unknown): Promise<SfuResult<M>> {
    if (this.closed) throw new AppError('UNAVAILABLE', ERROR_MESSAGES.sfu.shuttingDown);
    const def = sfuMethods[method];
    if (!def) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.common.unknownRequest);
    const params = parseOrBadRequest(def.params, rawParams, `${method} params`);
    const handler = this.handlers[method] as (p: unknown) => Promise<SfuResult<M>>;
    const result = await handler(params);
    return def.result.parse(result) as SfuResult<M>;
  }

  private media(sessionId: string): SessionMedia {
    const s = this.sessions.get(sessionId);
    if (!s) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sfu.noMedia);
    return s.media;
  }

  /** Idempotent: a retried createRouter for the same session returns the same router. */
  private async ensureRouter(sessionId: string, dedicatedWorker = false): Promise<SessionMedia> {
    const existing = this.sessions.get(sessionId);
    if (existing) return existing.media;
    let p = this.pending.get(sessionId);
    if (!p) {
      p = this.pool.createRouter(dedicatedWorker).then(({ router, pid }) => this.track(sessionId, router, pid));
      this.pending.set(sessionId, p);
      // eslint-disable-next-line no-restricted-syntax -- only the clean-up: the creation's failure reaches the caller through `p`
      p.finally(() => this.pending.delete(sessionId)).catch(() => {});
    }
    return p;
  }

  private track(sessionId: string, router: types.Router, pid: number): SessionMedia {
    const media = new SessionMedia(sessionId, router, this.config, this.log.child('session'));
    this.sessions.set(sessionId, { media, pid });
    media.events.on('producerClosed', (peerId, producerId, reason) => this.emit('producerClosed', { sessionId, peerId, producerId, reason }));
    media.events.on('consumerClosed', (peerId, consumerId, producerId, reason) =>
      this.emit('consumerClosed', { sessionId, peerId, consumerId, producerId, reason }),
    );
    media.events.on('transportClosed', (peerId, transportId, reason) => this.emit('transportClosed', { sessionId, peerId, transportId, reason }));
    media.events.on('closed', (reason) => {
      this.sessions.delete(sessionId);
      if (reason === 'worker_died') this.orphanedByPid.set(pid, [...(this.orphanedByPid.get(pid) ?? []), sessionId]);
      this.emit('routerClosed', { sessionId, reason });
    });
    this.log.info('session router created', { sessionId, workerPid: pid });
    return media;
  }

  private readonly handlers: Handlers = {
    createRouter: async ({ sessionId, dedicatedWorker }) => ({ rtpCapabilities: (await this.ensureRouter(sessionId, dedicatedWorker)).rtpCapabilities }),
    closeRouter: async ({ sessionId, reason }) => {
      this.sessions.get(sessionId)?.media.close(reason);
      return {};
    },
    createWebRtcTransport: ({ sessionId, peerId, direction }) => this.media(sessionId).createWebRtcTransport(peerId, direction),
    createPlainTransport: ({ sessionId, peerId, direction }) => this.media(sessionId).createPlainTransport(peerId, direction),
    connectPlainTransport: async ({ sessionId, peerId, transportId, ip, port }) => (
      await this.media(sessionId).connectPlainTransport(peerId, transportId, ip, port),
      {}
    ),
    pauseConsumer: async ({ sessionId, peerId, consumerId }) => (await this.media(sessionId).pauseConsumer(peerId, consumerId), {}),
    requestKeyFrame: async ({ sessionId, peerId, consumerId }) => (await this.media(sessionId).requestKeyFrame(peerId, consumerId), {}),
    consumerStats: ({ sessionId, peerId, consumerId }) => this.media(sessionId).consumerStats(peerId, consumerId),
    producerStats: ({ sessionId, peerId, producerId }) => this.media(sessionId).producerStats(peerId, producerId),
    connectTransport: async ({ sessionId, peerId, transportId, dtlsParameters }) => {
      await this.media(sessionId).connectTransport(peerId, transportId, dtlsParameters as types.DtlsParameters);
      return {};
    },
    restartIce: ({ sessionId, peerId, transportId }) => this.media(sessionId).restartIce(peerId, transportId),
    produce: async ({ sessionId, peerId, transportId, kind, rtpParameters, source }) => ({
      producerId: await this.media(sessionId).produce(peerId, transportId, kind, rtpParameters, source),
    }),
    consume: ({ sessionId, peerId, transportId, producerId, rtpCapabilities, spatialLayer }) =>
      this.media(sessionId).consume(peerId, transportId, producerId, rtpCapabilities, spatialLayer),
    setConsumerLayer: async ({ sessionId, peerId, consumerId, spatialLayer }) => {
      await this.media(sessionId).setConsumerLayer(peerId, consumerId, spatialLayer);
      return {};
    },
    closePeerConsumers: async ({ sessionId, peerId, reason }) => ({ closed: this.sessions.get(sessionId)?.media.closePeerConsumers(peerId, reason) ?? 0 }),
    closePeerProducers: async ({ sessionId, peerId, reason }) => ({ closed: this.sessions.get(sessionId)?.media.closePeerProducers(peerId, reason) ?? 0 }),
    pipeProducer: async ({ fromSessionId, toSessionId, producerId }) => {
      const from = this.media(fromSessionId);
      const to = this.media(toSessionId);
      if (!from.producerSource(producerId)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.streamGone);
      const { pipeProducer } = await from.mediasoupRouter.pipeToRouter({ producerId, router: to.mediasoupRouter });
      if (!pipeProducer) throw new AppError('SFU_ERROR', ERROR_MESSAGES.sfu.error);
      to.adoptPipedProducer(fromSessionId, pipeProducer);
      return { producerId: pipeProducer.id };
    },
    createPipeTransport: ({ sessionId, remoteSessionId }) => this.media(sessionId).createPipeTransport(remoteSessionId),
    connectPipeTransport: async ({ sessionId, transportId, ip, port }) => (await this.media(sessionId).connectPipeTransport(transportId, ip, port), {}),
    pipeConsume: ({ sessionId, transportId, producerId }) => this.media(sessionId).pipeConsume(transportId, producerId),
    pipeProduce: async ({ sessionId, transportId, producerId, kind, rtpParameters, source, paused }) => ({
      producerId: await this.media(sessionId).pipeProduce(transportId, producerId, kind, rtpParameters, source, paused),
    }),
    resumeConsumer: async ({ sessionId, peerId, consumerId }) => {
      await this.media(sessionId).resumeConsumer(peerId, consumerId);
      return {};
    },
    closeProducer: async ({ sessionId, producerId, reason }) => ({ closed: this.sessions.get(sessionId)?.media.closeProducer(producerId, reason) ?? false }),
    closePeer: async ({ sessionId, peerId, reason }) => {
      this.sessions.get(sessionId)?.media.closePeer(peerId, reason);
      return {};
    },
    dump: async ({ sessionId }) => {
      const list = sessionId ? [this.sessions.get(sessionId)].filter((s) => s !== undefined) : [...this.sessions.values()];
      const total = { routers: list.length, transports: 0, producers: 0, consumers: 0, pausedConsumers: 0 };
      const peers = sessionId ? list.flatMap(({ media }) => media.peers().map((p) => ({ sessionId: media.sessionId, ...p }))) : [];
      for (const { media } of list) {
        const c = media.counts();
        total.transports += c.transports;
        total.producers += c.producers;
        total.consumers += c.consumers;
        total.pausedConsumers += c.pausedConsumers;
      }
      // For one session: the worker it runs on (tests kill it to prove media comes back).
      const one = sessionId ? this.sessions.get(sessionId) : undefined;
      const workers = one ? [{ pid: one.pid, routers: 1 }] : this.pool.describe();
      return { ...total, workers, peers };
    },
  };

  /** Another node says a producer closed: close the copies of it piped in here. */
  closeRemotePiped(producerId: string): void {
    for (const { media } of this.sessions.values()) media.closeRemotePiped(producerId);
  }

  /** Another node says the copy of a producer piped from here into its session `remoteSessionId` closed. */
  closePipeTo(remoteSessionId: string, producerId: string): void {
    for (const { media } of this.sessions.values()) media.closePipeTo(remoteSessionId, producerId);
  }

  /** Sessions of a node that died: the pipes and piped producers that came from them close here too. */
  closePipesFrom(remoteSessionIds: string[]): void {
    for (const { media } of this.sessions.values()) for (const id of remoteSessionIds) media.closePeer(id, 'router_closed');
  }

  /** Test hook: the worker's dump of a consumer and the stats of its peer's receiving transport. */
  inspectConsumer(sessionId: string, consumerId: string): Promise<{ consumer: unknown; transportStats: unknown[] }> {
    return this.media(sessionId).inspectConsumer(consumerId);
  }

  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** Totals for the registry's load figure. */
  async load(): Promise<{ routers: number; transports: number; consumers: number }> {
    const d = await this.handle('dump', {});
    return { routers: d.routers, transports: d.transports, consumers: d.consumers };
  }

  get workerCount(): number {
    return this.pool.size;
  }

  /** Closes every session with the given reason, then the workers. Safe to call twice. */
  async close(reason: SfuCloseReason = 'shutdown'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.linkTimer);
    await Promise.allSettled(this.pending.values());
    for (const { media } of [...this.sessions.values()]) media.close(reason);
    this.pool.close();
  }
}
