import { z } from 'zod';
import { Id } from './common.js';
import { LinkReport } from './link.js';
import { DtlsParameters, IceParameters, MediaKind, RtpCapabilities, RtpParameters, TrackSource, TransportOptions } from './rtp.js';

// The SfuApi protocol: the only door into the SFU. Signaling talks to it in-process (LocalSfuClient) or over
// Redis (RedisSfuClient) with the same messages, validated on both sides. The SFU never sees petition data:
// sessions and peers are opaque UUIDs here.

/** Every close in the SFU carries one of these, so a log line or an event says why media stopped. */
export const SFU_CLOSE_REASONS = [
  'session_ended',
  'peer_left',
  'peer_disconnected',
  'transport_closed',
  'producer_closed',
  'router_closed',
  'worker_died',
  'dtls_failed',
  'ice_failed',
  'private_mode',
  'monitor_mode',
  'shutdown',
  /** The principal's access ended (kiosk revoked, logout, account disabled): its media stops at once. */
  'access_revoked',
  /** A piped copy taken off the router it was shown on (a sealed matter's call leaving the video wall); the original stays. */
  'withdrawn',
] as const;
export const SfuCloseReason = z.enum(SFU_CLOSE_REASONS);
export type SfuCloseReason = z.infer<typeof SfuCloseReason>;

const Empty = z.object({});
const SessionRef = z.object({ sessionId: Id });

export const sfuMethods = {
  createRouter: {
    params: SessionRef.extend({
      /**
       * A worker of its own, shared with no session: a router others pipe into (the video wall) must not share
       * a worker with them, since a piped producer keeps its id and ids are unique per worker in mediasoup 3.12.
       */
      dedicatedWorker: z.boolean().optional(),
    }),
    result: z.object({ rtpCapabilities: RtpCapabilities }),
  },
  closeRouter: { params: SessionRef.extend({ reason: SfuCloseReason }), result: Empty },
  createWebRtcTransport: {
    params: SessionRef.extend({ peerId: Id, direction: z.enum(['send', 'recv']) }),
    result: TransportOptions,
  },
  /**
   * A plain RTP transport on loopback: ffmpeg senders (benchmarks, RTP load) publish into it with comedia,
   * and the recorder (later) consumes from it.
   */
  createPlainTransport: {
    params: SessionRef.extend({ peerId: Id, direction: z.enum(['send', 'recv']) }),
    result: z.object({ id: Id, ip: z.string(), port: z.number().int() }),
  },
  /** Points a receiving plain transport at its consumer of RTP on loopback (the recorder's ffmpeg). */
  connectPlainTransport: {
    params: SessionRef.extend({ peerId: Id, transportId: Id, ip: z.literal('127.0.0.1'), port: z.number().int().min(1024).max(65535) }),
    result: Empty,
  },
  connectTransport: { params: SessionRef.extend({ peerId: Id, transportId: Id, dtlsParameters: DtlsParameters }), result: Empty },
  restartIce: { params: SessionRef.extend({ peerId: Id, transportId: Id }), result: z.object({ iceParameters: IceParameters }) },
  produce: {
    params: SessionRef.extend({
      peerId: Id,
      transportId: Id,
      kind: MediaKind,
      rtpParameters: RtpParameters,
      source: TrackSource,
    }),
    result: z.object({ producerId: Id }),
  },
  consume: {
    params: SessionRef.extend({
      peerId: Id,
      transportId: Id,
      producerId: Id,
      rtpCapabilities: RtpCapabilities,
      /** Simulcast layer to start at: 0 is the smallest (the video wall), 2 the full picture. */
      spatialLayer: z.number().int().min(0).max(2).optional(),
    }),
    result: z.object({
      consumerId: Id,
      producerId: Id,
      kind: MediaKind,
      rtpParameters: RtpParameters,
      source: TrackSource,
      /** Always true: consumers start paused and are resumed once the client has wired the track. */
      paused: z.literal(true),
    }),
  },
  resumeConsumer: { params: SessionRef.extend({ peerId: Id, consumerId: Id }), result: Empty },
  /** Server-side pause (a supervisor pausing the recording): no RTP leaves for this consumer until resumed. */
  pauseConsumer: { params: SessionRef.extend({ peerId: Id, consumerId: Id }), result: Empty },
  requestKeyFrame: { params: SessionRef.extend({ peerId: Id, consumerId: Id }), result: Empty },
  /** What has left the SFU for this consumer so far: the recorder's proof that packets are still flowing. */
  consumerStats: { params: SessionRef.extend({ peerId: Id, consumerId: Id }), result: z.object({ packetCount: z.number(), byteCount: z.number() }) },
  /** What the SFU has received of a producer so far: the kiosk check's proof that its media arrived. */
  producerStats: { params: SessionRef.extend({ peerId: Id, producerId: Id }), result: z.object({ packetCount: z.number(), byteCount: z.number() }) },
  setConsumerLayer: { params: SessionRef.extend({ peerId: Id, consumerId: Id, spatialLayer: z.number().int().min(0).max(2) }), result: Empty },
  /** Closes every consumer a peer holds (private mode): its transports stay, so it can consume again later. */
  closePeerConsumers: { params: SessionRef.extend({ peerId: Id, reason: SfuCloseReason }), result: z.object({ closed: z.number().int() }) },
  /** Closes every producer a peer has (an officer switching to silent monitoring): nothing of theirs goes out. */
  closePeerProducers: { params: SessionRef.extend({ peerId: Id, reason: SfuCloseReason }), result: z.object({ closed: z.number().int() }) },
  /**
   * Pipes a producer from one session's router into another's (the county video wall), keeping its id.
   * The piped copy closes with the original.
   */
  pipeProducer: { params: z.object({ fromSessionId: Id, toSessionId: Id, producerId: Id }), result: z.object({ producerId: Id }) },
  closePeer: { params: SessionRef.extend({ peerId: Id, reason: SfuCloseReason }), result: Empty },
  /**
   * Closes one producer in a session's router, whoever holds it: on the video wall, the piped copy of a call that
   * must leave the wall (its original in the call's own router goes on). Idempotent: a producer or router that is
   * already gone is no error, and the answer says whether anything closed.
   */
  closeProducer: { params: SessionRef.extend({ producerId: Id, reason: SfuCloseReason }), result: z.object({ closed: z.boolean() }) },
  /**
   * Cross-node piping (RedisSfuClient drives these when two sessions live on different SFU nodes): a pipe
   * transport in each router, connected to each other, a pipe consumer on the source and a producer with the
   * same id on the target. One pipe transport pair per piped producer, closed with it.
   */
  createPipeTransport: {
    params: SessionRef.extend({ remoteSessionId: Id }),
    result: z.object({ transportId: Id, ip: z.string(), port: z.number().int() }),
  },
  connectPipeTransport: {
    params: SessionRef.extend({ transportId: Id, ip: z.string().min(1).max(64), port: z.number().int().min(1).max(65535) }),
    result: Empty,
  },
  pipeConsume: {
    params: SessionRef.extend({ transportId: Id, producerId: Id }),
    result: z.object({ kind: MediaKind, rtpParameters: RtpParameters, source: TrackSource, paused: z.boolean() }),
  },
  pipeProduce: {
    params: SessionRef.extend({ transportId: Id, producerId: Id, kind: MediaKind, rtpParameters: RtpParameters, source: TrackSource, paused: z.boolean() }),
    result: z.object({ producerId: Id }),
  },
  /** Counts of live objects, per session and in total: tests and leak checks assert through it. */
  dump: {
    params: z.object({ sessionId: Id.optional() }),
    result: z.object({
      routers: z.number().int(),
      transports: z.number().int(),
      producers: z.number().int(),
      consumers: z.number().int(),
      /** Consumers currently paused on the server side. */
      pausedConsumers: z.number().int(),
      workers: z.array(z.object({ pid: z.number().int(), routers: z.number().int() })),
      /** Per peer, for the sessions asked about: lets tests and operators see who holds what. */
      peers: z.array(z.object({ sessionId: Id, peerId: Id, transports: z.number().int(), producers: z.number().int(), consumers: z.number().int() })),
    }),
  },
} as const;

export type SfuMethod = keyof typeof sfuMethods;
export type SfuParams<M extends SfuMethod> = z.input<(typeof sfuMethods)[M]['params']>;
export type SfuResult<M extends SfuMethod> = z.output<(typeof sfuMethods)[M]['result']>;

export const sfuEvents = {
  producerClosed: z.object({ sessionId: Id, peerId: Id, producerId: Id, reason: SfuCloseReason }),
  consumerClosed: z.object({ sessionId: Id, peerId: Id, consumerId: Id, producerId: Id, reason: SfuCloseReason }),
  transportClosed: z.object({ sessionId: Id, peerId: Id, transportId: Id, reason: SfuCloseReason }),
  routerClosed: z.object({ sessionId: Id, reason: SfuCloseReason }),
  workerDied: z.object({ pid: z.number().int(), sessionIds: z.array(Id) }),
  /** A participant's link changed grade (good / fair / poor): sent on a change only, not on every sample. */
  linkQuality: LinkReport.extend({ sessionId: Id, peerId: Id }),
} as const;

export type SfuEvent = keyof typeof sfuEvents;
export type SfuEventPayload<E extends SfuEvent> = z.output<(typeof sfuEvents)[E]>;

/** Implemented by LocalSfuClient (in-process) and RedisSfuClient (request id + timeout over Redis). */
export interface SfuApi {
  request<M extends SfuMethod>(method: M, params: SfuParams<M>): Promise<SfuResult<M>>;
  on<E extends SfuEvent>(event: E, listener: (payload: SfuEventPayload<E>) => void): () => void;
  close(): Promise<void>;
}
