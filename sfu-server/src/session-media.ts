import type { types } from 'mediasoup';
import {
  AppError,
  TypedEmitter,
  errorFields,
  type Logger,
  type MediaKind,
  type RtpCapabilities,
  type RtpParameters,
  type SfuCloseReason,
  type SfuResult,
  type LinkReport,
  type TrackSource,
  ERROR_MESSAGES,
} from '@vj/shared';
import type { SfuConfig } from './config.js';
import { effectiveLayer, UplinkLayerCap } from './layer-cap.js';
import { LinkGrade, sampleOf, type StreamStat } from './link-quality.js';
import { plainSinkCapabilities } from './plain-sink.js';

export type SessionMediaEvents = {
  producerClosed: [peerId: string, producerId: string, reason: SfuCloseReason];
  consumerClosed: [peerId: string, consumerId: string, producerId: string, reason: SfuCloseReason];
  transportClosed: [peerId: string, transportId: string, reason: SfuCloseReason];
  closed: [reason: SfuCloseReason];
};

interface Owned<T> {
  peerId: string;
  item: T;
  /** For producers the send transport they came in on; for consumers the one they go out on. */
  transportId?: string;
}
type TransportMeta = {
  direction: 'send' | 'recv';
};

/**
 * How long a video producer holds a key-frame request that comes soon after the previous one, then sends it.
 * libwebrtc's sender ignores a key-frame request (PLI/FIR) that comes within 300 ms of the last one it acted on,
 * and mediasoup 3.12, having sent a request, sends no other for that stream until a key frame arrives or 1,000 ms
 * pass. When an officer answers, several consumers of the same camera ask at once (the call view, the recorder,
 * the wall), so without a delay the call view's request is often dropped and its first frame comes ~1.3 s late.
 * With it, a request within this window of the last one goes out when the window ends: past the sender's
 * 300 ms, with margin for RTCP jitter on a loaded machine. The margin is paid by every call view answered soon
 * after the wall tile asked for its own key frame (the tile's request opens the window): traced per call, the
 * officer's request went out exactly at the window's end. With 400 ms about half the calls of the TTFF benchmark
 * waited for it (p95 1.1-1.6x direct P2P); with 330 ms, the requests the window held still got their key frame.
 * One the sender ignored all the same (its 300 ms counted from a late arrival) goes once more when the window
 * closes (scripts/lib/mediasoup-patches.mjs), not after 3.12's 1 s. A viewer that has shown nothing yet and asks
 * inside the window is given the key frame that opened it, kept by the worker for that long (the patches' key frame
 * cache), and sends no request at all.
 */
export const KEY_FRAME_REQUEST_DELAY_MS = 330;

/**
 * A new viewer of a simulcast picture that chose no layer (the call view) starts on the bottom layer and takes the
 * top one after its first frame: the lower picture keeps showing until the top layer's key frame comes. A sender
 * can stop its upper layers at any time (its bandwidth estimate is still rising at the start of a call, or its CPU
 * is busy: a busy encoder stops its layers from the top), and the SFU counts a stopped layer as live until its
 * inactivity check, a second or two later; a request for a key frame on a stopped layer goes unanswered. Taking the
 * top layer first, an officer answering then saw nothing for up to 1.7 s (traced per call); stepping down after a
 * 600 ms wait still left the slowest calls at about twice a direct connection's first frame. The bottom layer is
 * sent whenever the camera is, and its key frame is the smallest.
 */
export const FIRST_PICTURE_LAYER = 0;

/**
 * The media of one reception session: a Router, and per peer its transports, producers and consumers.
 * Every close goes through here with a reason, and parent closes (transport → producers/consumers,
 * worker → router) are turned into the same reasoned events.
 */
export class SessionMedia {
  readonly events: TypedEmitter<SessionMediaEvents>;
  private readonly transports = new Map<string, Owned<types.WebRtcTransport<TransportMeta> | types.PlainTransport<TransportMeta>>>();
  private readonly producers = new Map<string, Owned<types.Producer<{ source: TrackSource }>>>();
  private readonly consumers = new Map<string, Owned<types.Consumer<{ source: TrackSource }>>>();
  /** Pipe transports to routers on other SFU nodes, one per piped producer; peerId is the other session. */
  private readonly pipes = new Map<string, Owned<types.PipeTransport>>();
  /** Producers piped in from another node: they close when that node reports the original closed. */
  private readonly remotePiped = new Set<string>();
  private closedReason: SfuCloseReason | undefined;
  /** Per peer: the grade of its link, the packet counts of its streams at the last sample, and whether its top
   * simulcast layer is held back for a lossy uplink. */
  private readonly links = new Map<string, { grade: LinkGrade; seen: Map<string, number>; cap: UplinkLayerCap }>();
  /** The spatial layer each video consumer was asked for (absent: the top one), before any uplink cap. */
  private readonly wantedLayer = new Map<string, number>();
  /** Consumers still waiting for their first picture, held to FIRST_PICTURE_LAYER by `watchFirstPicture`. */
  private readonly firstPictureCap = new Set<string>();

  constructor(
    readonly sessionId: string,
    private readonly router: types.Router,
    private readonly config: SfuConfig,
    private readonly log: Logger,
  ) {
    this.events = new TypedEmitter((event, err) => log.error('listener failed', { event, ...errorFields(err) }));
    router.on('workerclose', () => this.close('worker_died'));
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  get rtpCapabilities(): RtpCapabilities {
    return this.router.rtpCapabilities as RtpCapabilities;
  }

  private assertOpen(): void {
    if (this.closedReason) throw new AppError('INVALID_STATE', ERROR_MESSAGES.sfu.mediaClosed);
  }

  private owned<T>(map: Map<string, Owned<T>>, id: string, peerId: string | undefined, what: string): T {
    const entry = map.get(id);
    // A peer naming another peer's object gets the same answer as for a missing one.
    if (!entry || (peerId !== undefined && entry.peerId !== peerId))
      throw new AppError('NOT_FOUND', what === 'producer' ? ERROR_MESSAGES.sessions.streamGone : ERROR_MESSAGES.sfu.connectionGone);
    return entry.item;
  }

  async createWebRtcTransport(peerId: string, direction: 'send' | 'recv'): Promise<SfuResult<'createWebRtcTransport'>> {
    this.assertOpen();
    const transport = await this.router.createWebRtcTransport<TransportMeta>({
      listenIps: [{ ip: this.config.listenIp, ...(this.config.announcedIp ? { announcedIp: this.config.announcedIp } : {}) }],
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: this.config.initialAvailableOutgoingBitrate,
      appData: { direction },
    });
    this.transports.set(transport.id, { peerId, item: transport });
    transport.on('dtlsstatechange', (state: types.DtlsState) => {
      if (state === 'failed' || state === 'closed') this.closeTransport(transport.id, 'dtls_failed');
    });
    transport.observer.once('close', () => this.transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates.map((c) => ({ ...c, tcpType: c.tcpType })),
      dtlsParameters: transport.dtlsParameters as SfuResult<'createWebRtcTransport'>['dtlsParameters'],
    };
  }

  async createPlainTransport(peerId: string, direction: 'send' | 'recv'): Promise<SfuResult<'createPlainTransport'>> {
    this.assertOpen();
    const transport = await this.router.createPlainTransport<TransportMeta>({
      listenIp: { ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: direction === 'send',
      appData: { direction },
    });
    this.transports.set(transport.id, { peerId, item: transport });
    transport.observer.once('close', () => this.transports.delete(transport.id));
    return { id: transport.id, ip: transport.tuple.localIp, port: transport.tuple.localPort };
  }

  async connectPlainTransport(peerId: string, transportId: string, ip: string, port: number): Promise<void> {
    this.assertOpen();
    const t = this.owned(this.transports, transportId, peerId, 'transport');
    if ('iceParameters' in t || t.appData.direction !== 'recv') throw new AppError('BAD_REQUEST', ERROR_MESSAGES.sfu.wrongTransport);
    await t.connect({ ip, port });
  }

  private webRtc(peerId: string, transportId: string): types.WebRtcTransport<TransportMeta> {
    const t = this.owned(this.transports, transportId, peerId, 'transport');
    if (!('iceParameters' in t)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.sfu.wrongTransport);
    return t;
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    this.assertOpen();
    await this.webRtc(peerId, transportId).connect({ dtlsParameters });
  }

  async restartIce(peerId: string, transportId: string): Promise<SfuResult<'restartIce'>> {
    this.assertOpen();
    const iceParameters = await this.webRtc(peerId, transportId).restartIce();
    return { iceParameters };
  }

  async produce(peerId: string, transportId: string, kind: MediaKind, rtpParameters: RtpParameters, source: TrackSource): Promise<string> {
    this.assertOpen();
    const transport = this.owned(this.transports, transportId, peerId, 'transport');
    if (transport.appData.direction !== 'send') throw new AppError('BAD_REQUEST', ERROR_MESSAGES.sfu.wrongTransport);
    const producer = await transport.produce({
      kind,
      rtpParameters: rtpParameters as types.RtpParameters,
      appData: { source },
      ...(kind === 'video' ? { keyFrameRequestDelay: KEY_FRAME_REQUEST_DELAY_MS } : {}),
    });
    this.producers.set(producer.id, { peerId, item: producer, transportId });
    producer.on('transportclose', () => this.forgetProducer(peerId, producer.id, 'transport_closed'));
    return producer.id;
  }

  async consume(
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: RtpCapabilities,
    spatialLayer?: number,
  ): Promise<SfuResult<'consume'>> {
    this.assertOpen();
    const transport = this.owned(this.transports, transportId, peerId, 'transport');
    if (transport.appData.direction !== 'recv') throw new AppError('BAD_REQUEST', ERROR_MESSAGES.sfu.wrongTransport);
    const producer = this.owned(this.producers, producerId, undefined, 'producer');
    // A plain-RTP sink (the recorder's ffmpeg, a benchmark socket) never sends transport-cc, REMB or NACK: consuming
    // with them would run congestion control, a pacer, a prober and a retransmission buffer for nothing.
    const plainSink = !('iceParameters' in transport);
    const caps = (plainSink ? plainSinkCapabilities(rtpCapabilities) : rtpCapabilities) as types.RtpCapabilities;
    if (!this.router.canConsume({ producerId, rtpCapabilities: caps })) {
      throw new AppError('BAD_REQUEST', ERROR_MESSAGES.sfu.cannotDecode);
    }
    const layers = producer.kind === 'video' ? (producer.rtpParameters.encodings?.length ?? 1) : 1;
    const capped = layers > 1 && this.uplinkCapped(producerId);
    // No layer chosen: the bottom one until the first frame (FIRST_PICTURE_LAYER).
    const firstPicture = layers > 1 && spatialLayer === undefined;
    const startLayer = firstPicture ? FIRST_PICTURE_LAYER : effectiveLayer(spatialLayer, layers, capped);
    // Paused until the client has wired the track and asks for resume, so the first keyframe is not lost.
    const consumer = await transport.consume({
      producerId,
      rtpCapabilities: caps,
      paused: true,
      appData: { source: producer.appData.source },
      ...((spatialLayer !== undefined || capped || firstPicture) && producer.kind === 'video'
        ? { preferredLayers: { spatialLayer: startLayer, temporalLayer: 2 } }
        : {}),
    });
    this.consumers.set(consumer.id, { peerId, item: consumer, transportId });
    if (spatialLayer !== undefined) this.wantedLayer.set(consumer.id, spatialLayer);
    if (firstPicture) this.watchFirstPicture(consumer);
    consumer.observer.once('close', () => this.wantedLayer.delete(consumer.id));
    consumer.on('transportclose', () => this.consumers.delete(consumer.id));
    consumer.on('producerclose', () => {
      this.consumers.delete(consumer.id);
      this.events.emit('consumerClosed', peerId, consumer.id, producerId, 'producer_closed');
    });
    return {
      consumerId: consumer.id,
      producerId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters as RtpParameters,
      source: producer.appData.source,
      paused: true,
    };
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    this.assertOpen();
    const consumer = this.owned(this.consumers, consumerId, peerId, 'consumer');
    // mediasoup asks the producer for a key frame itself when a video consumer resumes (or, if its transport is
    // not connected yet, when it connects). A second request here would only come back as a needless second
    // key frame once the producer's request delay ends.
    await consumer.resume();
  }

  /**
   * Holds a consumer that chose no layer to FIRST_PICTURE_LAYER until its first frame, then gives it the layer it
   * wants (the top one, within its sender's uplink cap). A layer chosen meanwhile (setConsumerLayer) ends the hold.
   */
  private watchFirstPicture(consumer: types.Consumer<{ source: TrackSource }>): void {
    this.firstPictureCap.add(consumer.id);
    const settle = (layers: types.ConsumerLayers | undefined) => {
      if (!layers) return;
      consumer.removeListener('layerschange', settle);
      if (!this.firstPictureCap.delete(consumer.id) || consumer.closed) return;
      void consumer
        .setPreferredLayers({ spatialLayer: this.layerFor(consumer), temporalLayer: 2 })
        .catch((err) => this.log.debug('layer not raised after the first picture', { consumerId: consumer.id, ...errorFields(err) }));
    };
    consumer.on('layerschange', settle);
    consumer.observer.once('close', () => this.firstPictureCap.delete(consumer.id));
  }

  async pauseConsumer(peerId: string, consumerId: string): Promise<void> {
    this.assertOpen();
    await this.owned(this.consumers, consumerId, peerId, 'consumer').pause();
  }

  async requestKeyFrame(peerId: string, consumerId: string): Promise<void> {
    this.assertOpen();
    const consumer = this.owned(this.consumers, consumerId, peerId, 'consumer');
    if (consumer.kind === 'video') await consumer.requestKeyFrame();
  }

  /** The worker's own view of a consumer and its transport, for tests that check what the worker set up. */
  async inspectConsumer(consumerId: string): Promise<{ consumer: unknown; transportStats: unknown[] }> {
    const consumer = this.owned(this.consumers, consumerId, undefined, 'consumer');
    const transport = this.transports.get(this.consumers.get(consumerId)?.transportId ?? '');
    return { consumer: await consumer.dump(), transportStats: transport ? await transport.item.getStats() : [] };
  }

  async consumerStats(peerId: string, consumerId: string): Promise<{ packetCount: number; byteCount: number }> {
    this.assertOpen();
    const stats = await this.owned(this.consumers, consumerId, peerId, 'consumer').getStats();
    const out = stats.find((x) => x.type === 'outbound-rtp') as { packetCount?: number; byteCount?: number } | undefined;
    return { packetCount: out?.packetCount ?? 0, byteCount: out?.byteCount ?? 0 };
  }

  async producerStats(peerId: string, producerId: string): Promise<{ packetCount: number; byteCount: number }> {
    this.assertOpen();
    const stats = (await this.owned(this.producers, producerId, peerId, 'producer').getStats()).filter((s) => s.type === 'inbound-rtp');
    return { packetCount: stats.reduce((a, s) => a + s.packetCount, 0), byteCount: stats.reduce((a, s) => a + s.byteCount, 0) };
  }

  async setConsumerLayer(peerId: string, consumerId: string, spatialLayer: number): Promise<void> {
    this.assertOpen();
    const consumer = this.owned(this.consumers, consumerId, peerId, 'consumer');
    // Only simulcast/SVC consumers have layers; a single-stream one simply keeps its only layer.
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') return;
    this.wantedLayer.set(consumerId, spatialLayer);
    // A layer chosen now ends any wait for a first picture (watchFirstPicture) and its lower layer.
    this.firstPictureCap.delete(consumerId);
    // mediasoup requests the key frame a layer switch needs itself, and only when the target layer changes.
    await consumer.setPreferredLayers({ spatialLayer: this.layerFor(consumer), temporalLayer: 2 });
  }

  /** Whether the sender of `producerId` has its top layer held back for a lossy uplink. */
  private uplinkCapped(producerId: string): boolean {
    const owner = this.producers.get(producerId)?.peerId;
    return owner !== undefined && (this.links.get(owner)?.cap.active ?? false);
  }

  /** The layer a simulcast consumer gets now: the one asked for, within its sender's uplink cap. */
  private layerFor(consumer: types.Consumer): number {
    const layers = this.producers.get(consumer.producerId)?.item.rtpParameters.encodings?.length ?? 1;
    const layer = effectiveLayer(this.wantedLayer.get(consumer.id), layers, this.uplinkCapped(consumer.producerId));
    return this.firstPictureCap.has(consumer.id) ? Math.min(layer, FIRST_PICTURE_LAYER) : layer;
  }

  /**
   * Re-applies every layer choice on the media `peerId` sends, after its uplink cap was set or lifted. Consumers
   * on other SFU nodes (through a pipe) are not reached: their node has no loss figures for this sender.
   */
  private async applyLayerCap(peerId: string, capped: boolean): Promise<void> {
    const targets = [...this.consumers.values()].filter(
      (c) => (c.item.type === 'simulcast' || c.item.type === 'svc') && this.producers.get(c.item.producerId)?.peerId === peerId,
    );
    this.log.info(capped ? 'top video layer held back: lossy uplink' : 'top video layer forwarded again: uplink clean', {
      sessionId: this.sessionId,
      peerId,
      consumers: targets.length,
    });
    // eslint-disable-next-line no-restricted-syntax -- a consumer closed meanwhile has no layers to set; the others are set regardless
    await Promise.all(targets.map((c) => c.item.setPreferredLayers({ spatialLayer: this.layerFor(c.item), temporalLayer: 2 }).catch(() => undefined)));
  }

  /**
   * Samples the link of every participant with WebRTC media (plain sinks and pipes are the SFU's own and have
   * no network worth grading) and returns the grades that changed. A stream that closes while its stats are
   * read is left out of this sample.
   */
  async sampleLinks(): Promise<(LinkReport & { peerId: string })[]> {
    if (this.closed) return [];
    const isWebRtc = (transportId: string | undefined) => {
      const t = transportId === undefined ? undefined : this.transports.get(transportId)?.item;
      return t !== undefined && 'iceParameters' in t;
    };
    const statsOf = (x: { getStats(): Promise<unknown[]> }) =>
      // eslint-disable-next-line no-restricted-syntax -- a transport or consumer closed while its stats were read has none to report
      x.getStats().then(
        (s) => s as StreamStat[],
        () => [] as StreamStat[],
      );
    const byPeer = new Map<string, { received: Promise<StreamStat[]>[]; sent: Promise<StreamStat[]>[] }>();
    const entry = (peerId: string) => byPeer.get(peerId) ?? byPeer.set(peerId, { received: [], sent: [] }).get(peerId)!;
    for (const p of this.producers.values()) if (isWebRtc(p.transportId)) entry(p.peerId).received.push(statsOf(p.item));
    for (const c of this.consumers.values()) if (isWebRtc(c.transportId)) entry(c.peerId).sent.push(statsOf(c.item));
    const changed: (LinkReport & { peerId: string })[] = [];
    for (const [peerId, { received, sent }] of byPeer) {
      const link = this.links.get(peerId) ?? this.links.set(peerId, { grade: new LinkGrade(), seen: new Map(), cap: new UplinkLayerCap() }).get(peerId)!;
      const sample = sampleOf((await Promise.all(received)).flat(), (await Promise.all(sent)).flat(), link.seen);
      if (sample && received.length > 0 && link.cap.update(sample.upLossPct)) await this.applyLayerCap(peerId, link.cap.active);
      const report = sample && link.grade.update(sample);
      if (report) changed.push({ peerId, ...report });
    }
    for (const peerId of this.links.keys()) if (!byPeer.has(peerId)) this.links.delete(peerId);
    return this.closed ? [] : changed;
  }

  closePeerConsumers(peerId: string, reason: SfuCloseReason): number {
    let closed = 0;
    for (const [id, c] of this.consumers) {
      if (c.peerId !== peerId) continue;
      c.item.close();
      this.consumers.delete(id);
      this.events.emit('consumerClosed', peerId, id, c.item.producerId, reason);
      closed++;
    }
    return closed;
  }

  closePeerProducers(peerId: string, reason: SfuCloseReason): number {
    let closed = 0;
    for (const [id, p] of this.producers) {
      if (p.peerId !== peerId) continue;
      p.item.close();
      this.forgetProducer(peerId, id, reason);
      closed++;
    }
    return closed;
  }

  /** Closes one producer, whoever holds it (a piped copy's pipe goes with it); false when there is none. */
  closeProducer(producerId: string, reason: SfuCloseReason): boolean {
    const p = this.producers.get(producerId);
    if (!p) return false;
    // Forgotten before the close, so that the event carries this reason and not a piped copy's "producer_closed".
    this.producers.delete(producerId);
    p.item.close();
    this.events.emit('producerClosed', p.peerId, producerId, reason);
    return true;
  }

  async createPipeTransport(remoteSessionId: string): Promise<SfuResult<'createPipeTransport'>> {
    this.assertOpen();
    const ip = this.config.pipeIp ?? this.config.listenIp;
    const announced = this.config.pipeAnnouncedIp ?? this.config.announcedIp;
    const transport = await this.router.createPipeTransport({ listenIp: { ip, ...(announced ? { announcedIp: announced } : {}) } });
    this.pipes.set(transport.id, { peerId: remoteSessionId, item: transport });
    transport.observer.once('close', () => this.pipes.delete(transport.id));
    return { transportId: transport.id, ip: announced ?? transport.tuple.localIp, port: transport.tuple.localPort };
  }

  async connectPipeTransport(transportId: string, ip: string, port: number): Promise<void> {
    this.assertOpen();
    await this.owned(this.pipes, transportId, undefined, 'pipe transport').connect({ ip, port });
  }

  async pipeConsume(transportId: string, producerId: string): Promise<SfuResult<'pipeConsume'>> {
    this.assertOpen();
    const pipe = this.pipes.get(transportId);
    if (!pipe) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sfu.pipeGone);
    const producer = this.owned(this.producers, producerId, undefined, 'producer');
    const consumer = await pipe.item.consume({ producerId });
    this.consumers.set(consumer.id, { peerId: pipe.peerId, item: consumer as types.Consumer<{ source: TrackSource }> });
    // One pipe per producer: when the original goes, its pipe goes with it, leaving nothing behind.
    consumer.observer.once('close', () => {
      this.consumers.delete(consumer.id);
      pipe.item.close();
    });
    return { kind: consumer.kind, rtpParameters: consumer.rtpParameters as RtpParameters, source: producer.appData.source, paused: consumer.producerPaused };
  }

  async pipeProduce(
    transportId: string,
    producerId: string,
    kind: MediaKind,
    rtpParameters: RtpParameters,
    source: TrackSource,
    paused: boolean,
  ): Promise<string> {
    this.assertOpen();
    const pipe = this.pipes.get(transportId);
    if (!pipe) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sfu.pipeGone);
    const producer = await pipe.item.produce({ id: producerId, kind, rtpParameters: rtpParameters as types.RtpParameters, paused, appData: { source } });
    this.remotePiped.add(producer.id);
    producer.observer.once('close', () => {
      this.remotePiped.delete(producer.id);
      pipe.item.close();
    });
    this.adoptPipedProducer(pipe.peerId, producer);
    return producer.id;
  }

  /**
   * The copy of `producerId` piped from here into `remoteSessionId` on another node has closed there (taken off
   * the video wall, say) while the original goes on: the pipe feeding it closes too, so nothing keeps sending RTP
   * to a port nobody reads. False when no such pipe is here.
   */
  closePipeTo(remoteSessionId: string, producerId: string): boolean {
    for (const c of this.consumers.values()) {
      if (c.peerId !== remoteSessionId || c.item.producerId !== producerId || c.transportId !== undefined || c.item.type !== 'pipe') continue;
      c.item.close();
      return true;
    }
    return false;
  }

  /** The original of a producer piped in from another node has closed there. */
  closeRemotePiped(producerId: string): boolean {
    const p = this.producers.get(producerId);
    if (!p || !this.remotePiped.has(producerId)) return false;
    p.item.close();
    return true;
  }

  /** The router, for piping into another session's router (mediasoup keeps both ends' closes in step). */
  get mediasoupRouter(): types.Router {
    this.assertOpen();
    return this.router;
  }

  /** A producer piped in from another session; the source session id stands as its owning peer. */
  adoptPipedProducer(sourceSessionId: string, producer: types.Producer): void {
    this.producers.set(producer.id, { peerId: sourceSessionId, item: producer as types.Producer<{ source: TrackSource }> });
    producer.observer.once('close', () => this.forgetProducer(sourceSessionId, producer.id, 'producer_closed'));
  }

  producerSource(producerId: string): TrackSource | undefined {
    return this.producers.get(producerId)?.item.appData.source;
  }

  private forgetProducer(peerId: string, producerId: string, reason: SfuCloseReason): void {
    if (!this.producers.delete(producerId)) return;
    this.events.emit('producerClosed', peerId, producerId, reason);
  }

  private closeTransport(transportId: string, reason: SfuCloseReason): void {
    const entry = this.transports.get(transportId);
    if (!entry) return;
    // Close this transport's producers first so their events carry the real reason, not "transport_closed".
    for (const [id, p] of this.producers) {
      if (p.transportId !== transportId) continue;
      p.item.close();
      this.forgetProducer(p.peerId, id, reason);
    }
    entry.item.close();
    this.transports.delete(transportId);
    this.events.emit('transportClosed', entry.peerId, transportId, reason);
  }

  closePeer(peerId: string, reason: SfuCloseReason): void {
    for (const [id, p] of this.producers) {
      if (p.peerId !== peerId) continue;
      p.item.close();
      this.forgetProducer(peerId, id, reason);
    }
    for (const [id, t] of this.transports) if (t.peerId === peerId) this.closeTransport(id, reason);
    for (const [id, t] of this.pipes) {
      if (t.peerId !== peerId) continue;
      t.item.close();
      this.pipes.delete(id);
    }
  }

  counts(): { transports: number; producers: number; consumers: number; pausedConsumers: number } {
    const paused = [...this.consumers.values()].filter((c) => c.item.paused).length;
    return { transports: this.transports.size + this.pipes.size, producers: this.producers.size, consumers: this.consumers.size, pausedConsumers: paused };
  }

  peers(): { peerId: string; transports: number; producers: number; consumers: number }[] {
    const by = new Map<string, { peerId: string; transports: number; producers: number; consumers: number }>();
    const get = (peerId: string) => by.get(peerId) ?? by.set(peerId, { peerId, transports: 0, producers: 0, consumers: 0 }).get(peerId)!;
    for (const t of [...this.transports.values(), ...this.pipes.values()]) get(t.peerId).transports++;
    for (const p of this.producers.values()) get(p.peerId).producers++;
    for (const c of this.consumers.values()) get(c.peerId).consumers++;
    return [...by.values()];
  }

  /** Safe to call twice; the first reason wins. */
  close(reason: SfuCloseReason): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    const peers = new Set([...this.transports.values(), ...this.pipes.values()].map((t) => t.peerId));
    for (const p of peers) this.closePeer(p, reason);
    this.router.close();
    this.log.info('session media closed', { sessionId: this.sessionId, reason });
    this.events.emit('closed', reason);
    this.events.removeAllListeners();
  }
}
