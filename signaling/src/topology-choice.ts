/**
 * The deployment's shape, chosen by one setting, VJ_TOPOLOGY:
 * - `single`: one process holds everything (signaling, the SFU, presence, rate limits), no Redis;
 * - `single-redis`: the same one process, with presence, rate limits and socket fan-out kept in Redis;
 * - `cluster`: signaling nodes and SFU nodes (`npm run sfu`) that reach each other through Redis.
 * REDIS_URL is only where Redis is. Deployments from before VJ_TOPOLOGY chose with REDIS_URL and SFU_MODE:
 * without VJ_TOPOLOGY those still give the topology they gave, and the server says what to set instead.
 */
export const TOPOLOGIES = ['single', 'single-redis', 'cluster'] as const;
export type TopologyKind = (typeof TOPOLOGIES)[number];

export interface TopologyChoice {
  kind: TopologyKind;
  /** Set when the choice came from the settings VJ_TOPOLOGY replaces: what to put in the environment instead. */
  legacy: string | undefined;
}

export class TopologyError extends Error {}

export function chooseTopology(env: {
  VJ_TOPOLOGY?: TopologyKind | undefined;
  REDIS_URL?: string | undefined;
  SFU_MODE?: 'local' | 'redis' | undefined;
}): TopologyChoice {
  const { VJ_TOPOLOGY: chosen, REDIS_URL: redis, SFU_MODE: sfuMode } = env;
  if (chosen) {
    if (sfuMode) throw new TopologyError(`SFU_MODE is replaced by VJ_TOPOLOGY, which alone chooses the topology: remove SFU_MODE=${sfuMode}`);
    if (chosen === 'single' && redis)
      throw new TopologyError('VJ_TOPOLOGY=single uses no Redis: unset REDIS_URL, or set VJ_TOPOLOGY=single-redis to keep presence and rate limits in Redis');
    if (chosen !== 'single' && !redis) throw new TopologyError(`VJ_TOPOLOGY=${chosen} needs REDIS_URL`);
    return { kind: chosen, legacy: undefined };
  }
  if (sfuMode === 'redis') {
    if (!redis) throw new TopologyError('SFU_MODE=redis needs REDIS_URL; set VJ_TOPOLOGY=cluster and REDIS_URL instead of SFU_MODE');
    return { kind: 'cluster', legacy: 'VJ_TOPOLOGY=cluster (and remove SFU_MODE)' };
  }
  if (redis) return { kind: 'single-redis', legacy: sfuMode ? 'VJ_TOPOLOGY=single-redis (and remove SFU_MODE)' : 'VJ_TOPOLOGY=single-redis' };
  return { kind: 'single', legacy: sfuMode ? 'VJ_TOPOLOGY=single (and remove SFU_MODE)' : undefined };
}
