import path from 'node:path';
import { createAdapter } from '@socket.io/redis-adapter';
import { connectRedisPair, connectRedisTrio, newNodeId, quitRedis } from '@vj/rpc';
import type { Logger } from '@vj/shared';
import { LocalSfuClient, RedisSfuClient, SfuService } from '@vj/sfu-server';
import { adapterPubClient } from './cluster/adapter-pub-client.js';
import { LocalCallQueue, RedisCallQueue } from './cluster/call-queue.js';
import { LocalBus, RedisBus } from './cluster/node-bus.js';
import { LocalOwnership, RedisOwnership } from './cluster/ownership.js';
import { RedisWatch } from './cluster/redis-watch.js';
import { ClusterWallSite, LocalWallSite, type WallSite } from './cluster/wall-site.js';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { LocalRateLimiter, RedisRateLimiter, type RateLimiter } from './http/rate-limit.js';
import { LocalPresence } from './presence/local-presence.js';
import type { Presence } from './presence/presence.js';
import { RedisPresence } from './presence/redis-presence.js';
import type { AppIo } from './realtime/io.js';
import { reconcileRecordings, sweepOwnWorkFolder } from './recording/reconciler.js';
import type { SegmentStore } from './recording/segment-store.js';
import { newId } from './security/crypto.js';
import type { CallService, ClusterParts } from './sessions/call-service.js';
import type { Reconnect } from './sessions/reconnect.js';
import { ClusterRouter, LocalRouter, type SessionRouter } from './sessions/session-router.js';
import type { TopologyKind } from './topology-choice.js';

/**
 * The parts that differ between topologies, built once from `config.topology` (topology-choice.ts). Everything
 * else is written against the interfaces and never asks which topology it runs in.
 */
export interface Topology {
  readonly kind: TopologyKind;
  /** This process's SfuApi: mediasoup in this process, or the SFU nodes behind Redis. */
  readonly sfu: LocalSfuClient | RedisSfuClient;
  readonly presence: Presence;
  /** Limits and login back-off: counted in Redis wherever Redis is, so every node sharing it has one budget. */
  readonly rateLimiter: RateLimiter;
  /** Session owners, the call queue and the bus between signaling nodes. */
  readonly cluster: ClusterParts;
  readonly wallSite: WallSite;
  /** Where this node writes recordings in progress. */
  readonly recordingWork: string;
  /** Pushes to sockets held by other nodes go through Redis. */
  attachSockets(io: AppIo): void;
  router(calls: CallService, reconnect: Reconnect): SessionRouter;
  /** Recordings a previous run left unfinished: the whole store in one process; a cluster node only its own folder. */
  recoverRecordings(db: Db, segments: SegmentStore, log: Logger): Promise<void>;
  /** Writes this node's state back whenever Redis comes back empty; the returned function stops watching. */
  watchRedis(onReset: () => Promise<void>, log: Logger): Promise<() => Promise<void>>;
  /** Closes presence, the cluster's parts, the SFU client, then the Redis connections they used. */
  close(): Promise<void>;
}

async function startLocalSfu(config: Config, log: Logger): Promise<LocalSfuClient> {
  return new LocalSfuClient(await SfuService.start(config.rtc, log.child('sfu')));
}

function localParts(): ClusterParts {
  return { ownership: new LocalOwnership(), queue: new LocalCallQueue(), bus: new LocalBus() };
}

/**
 * Opens the topology's parts. Each part's closing is noted as soon as the part is open, so a start that fails
 * half-way closes what it opened; `close()` on the result does the same for a normal stop.
 */
export async function openTopology(config: Config, log: Logger): Promise<Topology> {
  const { kind } = config.topology;
  if (config.topology.legacy) log.warn(`the topology was chosen from REDIS_URL / SFU_MODE; set ${config.topology.legacy}`, { topology: kind });
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0)) await c();
  };
  try {
    return await open(kind, config, log, closers, close);
  } catch (err) {
    await close().catch(() => log.warn('a topology part did not close after a failed start'));
    throw err;
  }
}

async function open(kind: TopologyKind, config: Config, log: Logger, closers: (() => Promise<unknown>)[], close: () => Promise<void>): Promise<Topology> {
  const workRoot = path.join(config.dataDir, 'recordings-work');
  const single = {
    kind,
    recordingWork: workRoot,
    recoverRecordings: async (db: Db, segments: SegmentStore, recLog: Logger) => void (await reconcileRecordings(db, segments, workRoot, recLog)),
    router: (_calls: CallService, reconnect: Reconnect) => new LocalRouter(reconnect),
    wallSite: new LocalWallSite(),
    close,
  };
  if (kind === 'single') {
    const sfu = await startLocalSfu(config, log);
    closers.unshift(() => sfu.close());
    const presence = new LocalPresence();
    closers.unshift(() => presence.close());
    return {
      ...single,
      sfu,
      presence,
      rateLimiter: new LocalRateLimiter(),
      cluster: localParts(),
      attachSockets: () => {},
      watchRedis: async () => async () => {},
    };
  }

  const redisUrl = config.redisUrl!;
  const sfu =
    kind === 'cluster'
      ? await RedisSfuClient.connect({ redisUrl, prefix: config.redisPrefix, log: log.child('sfu'), timeoutMs: config.sfuTimeoutMs })
      : await startLocalSfu(config, log);
  closers.unshift(() => sfu.close());
  const redisLog = log.child('redis');
  const redis = await connectRedisTrio(redisUrl, redisLog);
  closers.push(() => quitRedis(redisLog, redis.sub, redis.pub, redis.main));
  const presence = new RedisPresence(redis.main, config.redisPrefix);
  const shared = {
    sfu,
    rateLimiter: new RedisRateLimiter(redis.main, config.redisPrefix),
    attachSockets: (io: AppIo) => void io.adapter(createAdapter(adapterPubClient(redis.pub, redisLog), redis.sub, { key: `${config.redisPrefix}socket.io` })),
  };
  const watchRedis = (watchId: string) => async (onReset: () => Promise<void>, watchLog: Logger) => {
    const watch = new RedisWatch(redis.main, config.redisPrefix, watchId, onReset, watchLog);
    await watch.start();
    return () => watch.close();
  };

  if (kind === 'single-redis') {
    closers.unshift(() => presence.close());
    return { ...single, ...shared, presence, cluster: localParts(), watchRedis: watchRedis(`single-${newId()}`) };
  }

  // Signaling runs as one of many nodes: sessions have owners, the queue is shared, one node runs the wall.
  const nodeId = config.nodeId ?? newNodeId('sig');
  const bus = await connectRedisPair(redisUrl, redisLog);
  const ownership = new RedisOwnership(redis.main, config.redisPrefix, nodeId, log.child('cluster'));
  await ownership.start();
  closers.unshift(async () => {
    await ownership.close();
    await quitRedis(redisLog, bus.sub, bus.pub);
  });
  closers.unshift(() => presence.close());
  log.info('signaling node joined the cluster', { nodeId });
  const cluster: ClusterParts = {
    ownership,
    queue: new RedisCallQueue(redis.main, config.redisPrefix),
    bus: new RedisBus(bus.pub, bus.sub, config.redisPrefix, nodeId, config.nodeTimeoutMs, log.child('bus')),
  };
  // Nodes of a cluster on one host share DATA_DIR: each writes (and may clean) only its own work folder, and
  // only a single process reconciles the whole store at start-up.
  const recordingWork = path.join(workRoot, nodeId);
  return {
    kind,
    ...shared,
    presence,
    cluster,
    wallSite: new ClusterWallSite(sfu, ownership, cluster.bus, log.child('wall')),
    recordingWork,
    recoverRecordings: async (_db, _segments, recLog) => sweepOwnWorkFolder(recordingWork, recLog),
    router: (calls, reconnect) => new ClusterRouter(calls, reconnect, cluster),
    watchRedis: watchRedis(nodeId),
    close,
  };
}
