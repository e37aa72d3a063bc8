import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@vj/shared';
import { LocalSfuClient, RedisSfuClient } from '@vj/sfu-server';
import { LocalCallQueue, RedisCallQueue } from './cluster/call-queue.js';
import { LocalBus, RedisBus } from './cluster/node-bus.js';
import { LocalOwnership, RedisOwnership } from './cluster/ownership.js';
import { ClusterWallSite, LocalWallSite } from './cluster/wall-site.js';
import { ConfigError, loadConfig } from './config.js';
import { LocalRateLimiter, RedisRateLimiter } from './http/rate-limit.js';
import type { CallService } from './sessions/call-service.js';
import type { Reconnect } from './sessions/reconnect.js';
import { ClusterRouter, LocalRouter } from './sessions/session-router.js';
import { chooseTopology } from './topology-choice.js';
import { openTopology, type Topology } from './topology.js';

const redis = 'redis://127.0.0.1:6379';

describe('the topology is chosen once, by VJ_TOPOLOGY', () => {
  it('each value stands alone; REDIS_URL is only where Redis is', () => {
    expect(chooseTopology({})).toEqual({ kind: 'single', legacy: undefined });
    expect(chooseTopology({ VJ_TOPOLOGY: 'single' })).toEqual({ kind: 'single', legacy: undefined });
    expect(chooseTopology({ VJ_TOPOLOGY: 'single-redis', REDIS_URL: redis })).toEqual({ kind: 'single-redis', legacy: undefined });
    expect(chooseTopology({ VJ_TOPOLOGY: 'cluster', REDIS_URL: redis })).toEqual({ kind: 'cluster', legacy: undefined });
  });

  it('refuses a combination that says two things, and names what to set', () => {
    expect(() => loadConfig({ VJ_TOPOLOGY: 'single', REDIS_URL: redis })).toThrow(ConfigError);
    expect(() => loadConfig({ VJ_TOPOLOGY: 'single', REDIS_URL: redis })).toThrow(/unset REDIS_URL, or set VJ_TOPOLOGY=single-redis/);
    expect(() => loadConfig({ VJ_TOPOLOGY: 'cluster' })).toThrow(/VJ_TOPOLOGY=cluster needs REDIS_URL/);
    expect(() => loadConfig({ VJ_TOPOLOGY: 'single-redis' })).toThrow(/VJ_TOPOLOGY=single-redis needs REDIS_URL/);
    expect(() => loadConfig({ VJ_TOPOLOGY: 'cluster', REDIS_URL: redis, SFU_MODE: 'redis' })).toThrow(/remove SFU_MODE=redis/);
    expect(() => loadConfig({ VJ_TOPOLOGY: 'single', SFU_MODE: 'local' })).toThrow(/SFU_MODE is replaced by VJ_TOPOLOGY/);
    expect(() => loadConfig({ VJ_TOPOLOGY: 'star' })).toThrow(/VJ_TOPOLOGY/);
    expect(() => loadConfig({ SFU_MODE: 'redis' })).toThrow(/set VJ_TOPOLOGY=cluster and REDIS_URL/);
  });

  it('deployments from before VJ_TOPOLOGY keep their topology and are told what to set', () => {
    expect(loadConfig({ REDIS_URL: redis, SFU_MODE: 'redis' }).topology).toEqual({ kind: 'cluster', legacy: 'VJ_TOPOLOGY=cluster (and remove SFU_MODE)' });
    expect(loadConfig({ REDIS_URL: redis }).topology).toEqual({ kind: 'single-redis', legacy: 'VJ_TOPOLOGY=single-redis' });
    expect(loadConfig({ REDIS_URL: redis, SFU_MODE: 'local' }).topology).toEqual({
      kind: 'single-redis',
      legacy: 'VJ_TOPOLOGY=single-redis (and remove SFU_MODE)',
    });
    expect(loadConfig({ SFU_MODE: 'local' }).topology).toEqual({ kind: 'single', legacy: 'VJ_TOPOLOGY=single (and remove SFU_MODE)' });
    // docker-compose passes unset variables as empty strings: they count as unset.
    expect(loadConfig({ VJ_TOPOLOGY: '', REDIS_URL: '', SFU_MODE: '' }).topology).toEqual({ kind: 'single', legacy: undefined });
  });
});

describe('each topology builds its own kind of every part', () => {
  const opened: { topology: Topology; dataDir: string }[] = [];
  afterEach(async () => {
    for (const { topology, dataDir } of opened.splice(0)) {
      await topology.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  async function open(env: Record<string, string>) {
    const redisUrl = process.env['REDIS_URL'];
    if (!redisUrl && env['VJ_TOPOLOGY'] !== 'single') throw new Error('these tests need REDIS_URL (npm test sets it)');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-topology-'));
    const prefix = `topo${process.pid}${Date.now()}:`;
    const config = loadConfig({
      ...env,
      ...(env['VJ_TOPOLOGY'] === 'single' ? {} : { REDIS_URL: redisUrl, REDIS_PREFIX: prefix }),
      DATA_DIR: dataDir,
      SFU_WORKERS: '1',
      NODE_ID: 'topo-node',
    });
    const topology = await openTopology(
      config,
      createLogger('test', 'error', () => {}),
    );
    opened.push({ topology, dataDir });
    const router = topology.router({} as CallService, {} as Reconnect);
    return { topology, router, dataDir };
  }

  it('single: everything in this process, nothing in Redis', async () => {
    const { topology: t, router, dataDir } = await open({ VJ_TOPOLOGY: 'single' });
    expect(t.kind).toBe('single');
    expect(t.sfu).toBeInstanceOf(LocalSfuClient);
    expect(t.presence.kind).toBe('local');
    expect(t.rateLimiter).toBeInstanceOf(LocalRateLimiter);
    expect(t.cluster.bus).toBeInstanceOf(LocalBus);
    expect(t.cluster.ownership).toBeInstanceOf(LocalOwnership);
    expect(t.cluster.queue).toBeInstanceOf(LocalCallQueue);
    expect(t.wallSite).toBeInstanceOf(LocalWallSite);
    expect(router).toBeInstanceOf(LocalRouter);
    expect(t.recordingWork).toBe(path.join(dataDir, 'recordings-work'));
  });

  it('single-redis: one process, presence and rate limits in Redis, sessions all here', async () => {
    const { topology: t, router } = await open({ VJ_TOPOLOGY: 'single-redis' });
    expect(t.sfu).toBeInstanceOf(LocalSfuClient);
    expect(t.presence.kind).toBe('redis');
    expect(t.rateLimiter).toBeInstanceOf(RedisRateLimiter);
    expect(t.cluster.bus).toBeInstanceOf(LocalBus);
    expect(t.cluster.ownership).toBeInstanceOf(LocalOwnership);
    expect(t.wallSite).toBeInstanceOf(LocalWallSite);
    expect(router).toBeInstanceOf(LocalRouter);
  });

  it('cluster: SFU nodes, owners, queue and bus through Redis; recordings in progress in its own folder', async () => {
    const { topology: t, router, dataDir } = await open({ VJ_TOPOLOGY: 'cluster' });
    expect(t.sfu).toBeInstanceOf(RedisSfuClient);
    expect(t.presence.kind).toBe('redis');
    expect(t.rateLimiter).toBeInstanceOf(RedisRateLimiter);
    expect(t.cluster.bus).toBeInstanceOf(RedisBus);
    expect(t.cluster.bus.nodeId).toBe('topo-node');
    expect(t.cluster.ownership).toBeInstanceOf(RedisOwnership);
    expect(t.cluster.queue).toBeInstanceOf(RedisCallQueue);
    expect(t.wallSite).toBeInstanceOf(ClusterWallSite);
    expect(router).toBeInstanceOf(ClusterRouter);
    expect(t.recordingWork).toBe(path.join(dataDir, 'recordings-work', 'topo-node'));
  });
});
