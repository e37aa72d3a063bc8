import type { ChildProcess } from 'node:child_process';
import { spawnReady } from './child.js';
import path from 'node:path';
import { waitFor } from './poll.js';
import { REPO } from './server.js';

export interface SfuNodeProc {
  nodeId: string;
  proc: ChildProcess;
  logs: string[];
  /** The mediasoup worker processes of this node (children of the node process). */
  exited(): boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/** Runs `node sfu-server/dist/main.js` (what `npm run sfu` starts) as one SFU node on its own port range. */
export async function startSfuNode(opts: {
  redisUrl: string;
  prefix: string;
  nodeId: string;
  portBase: number;
  env?: Record<string, string>;
}): Promise<SfuNodeProc> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: opts.prefix,
    SFU_NODE_ID: opts.nodeId,
    SFU_WORKERS: '1',
    RTC_MIN_PORT: String(opts.portBase),
    RTC_MAX_PORT: String(opts.portBase + 999),
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  const { proc, logs, exitCode } = await spawnReady(path.join(REPO, 'sfu-server', 'dist', 'main.js'), env, `sfu node ${opts.nodeId}`, 30_000);
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (exitCode() !== null) return;
    proc.kill(signal);
    await waitFor(`sfu node ${opts.nodeId} exit`, () => exitCode() !== null, { timeoutMs: 15_000 });
  };
  return {
    nodeId: opts.nodeId,
    proc,
    logs,
    exited: () => exitCode() !== null,
    kill,
    stop: async () => kill('SIGTERM').catch(() => kill('SIGKILL')),
  };
}

/** Two SFU nodes, `<prefix tag>-sfu-a` and `-sfu-b`, on port ranges 1000 apart from `portBase`. */
export async function startSfuPair(redisUrl: string, prefix: string, portBase: number, env?: (i: number) => Record<string, string>): Promise<SfuNodeProc[]> {
  const tag = prefix.replace(/[^A-Za-z0-9_-]/g, '');
  const nodes: SfuNodeProc[] = [];
  for (const [i, name] of ['a', 'b'].entries()) {
    nodes.push(await startSfuNode({ redisUrl, prefix, nodeId: `${tag}-sfu-${name}`, portBase: portBase + 1000 * i, ...(env ? { env: env(i) } : {}) }));
  }
  return nodes;
}
