import { spawn, type ChildProcess } from 'node:child_process';
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
export async function startSfuNode(opts: { redisUrl: string; prefix: string; nodeId: string; portBase: number; env?: Record<string, string> }): Promise<SfuNodeProc> {
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
  const proc = spawn(process.execPath, [path.join(REPO, 'sfu-server', 'dist', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  let ready = false;
  let exitCode: number | null = null;
  const onData = (buf: Buffer) => {
    for (const line of buf.toString().split('\n')) {
      if (!line) continue;
      logs.push(line);
      if (line.includes('"ready":true')) ready = true;
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  proc.on('exit', (code, signal) => (exitCode = code ?? (signal ? 128 : -1)));
  await waitFor(`sfu node ${opts.nodeId} ready`, () => {
    if (exitCode !== null) throw new Error(`sfu node exited with ${exitCode}: ${logs.slice(-5).join('\n')}`);
    return ready;
  }, { timeoutMs: 30_000 });
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (exitCode !== null) return;
    proc.kill(signal);
    await waitFor(`sfu node ${opts.nodeId} exit`, () => exitCode !== null, { timeoutMs: 15_000 });
  };
  return {
    nodeId: opts.nodeId,
    proc,
    logs,
    exited: () => exitCode !== null,
    kill,
    stop: async () => kill('SIGTERM').catch(() => kill('SIGKILL')),
  };
}
