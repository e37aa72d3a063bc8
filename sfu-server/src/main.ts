import { z } from 'zod';
import { NodeId, RedisPrefix, newNodeId } from '@vj/rpc';
import { createLogger } from '@vj/shared';
import { RtcEnv, sfuConfigFromEnv } from './rtc-settings.js';
import { SfuNode } from './sfu-node.js';

// Files this node creates (mediasoup worker logs, dumps) are for its own user only.
process.umask(0o077);

// `npm run sfu`: one standalone SFU node. Signaling nodes reach it through Redis (VJ_TOPOLOGY=cluster).
const Env = RtcEnv.extend({
  REDIS_URL: z.string().min(1),
  REDIS_PREFIX: RedisPrefix,
  SFU_NODE_ID: NodeId.optional(),
  /** Where the other SFU nodes reach this one's pipe transports; defaults to the RTC address. */
  PIPE_LISTEN_IP: z.string().optional(),
  PIPE_ANNOUNCED_IP: z.string().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

function refuse(problem: string): never {
  console.error(`配置错误 / configuration error: ${problem}`);
  process.exit(1);
}

async function main(): Promise<void> {
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) refuse(parsed.error.issues.map((i) => i.path.join('.')).join(', '));
  const e = parsed.data;
  let sfu;
  try {
    sfu = sfuConfigFromEnv(e, { pipeIp: e.PIPE_LISTEN_IP, pipeAnnouncedIp: e.PIPE_ANNOUNCED_IP });
  } catch (err) {
    refuse(err instanceof Error ? err.message : String(err));
  }
  const nodeId = e.SFU_NODE_ID ?? newNodeId('sfu');
  const log = createLogger('sfu-node', e.LOG_LEVEL);
  const node = await SfuNode.start({ redisUrl: e.REDIS_URL, prefix: e.REDIS_PREFIX, nodeId, log, sfu });
  console.log(JSON.stringify({ ready: true, nodeId, pid: process.pid }));
  const stop = (signal: string) => {
    log.info('stopping', { signal });
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error('启动失败 / failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
