import os from 'node:os';
import { z } from 'zod';
import { createLogger } from '@vj/shared';
import { defaultSfuConfig } from './config.js';
import { SfuNode } from './sfu-node.js';

// Files this node creates (mediasoup worker logs, dumps) are for its own user only.
process.umask(0o077);

// `npm run sfu`: one standalone SFU node. Signaling nodes reach it through Redis (VJ_TOPOLOGY=cluster).
const Env = z.object({
  REDIS_URL: z.string().min(1),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,40}$/)
    .default('vj:'),
  SFU_NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  SFU_WORKERS: z.coerce.number().int().min(1).max(64).default(Math.max(1, os.availableParallelism())),
  RTC_LISTEN_IP: z.string().default('127.0.0.1'),
  RTC_ANNOUNCED_IP: z.string().optional(),
  RTC_MIN_PORT: z.coerce.number().int().min(1024).max(65535).default(40000),
  RTC_MAX_PORT: z.coerce.number().int().min(1024).max(65535).default(49999),
  /** Where the other SFU nodes reach this one's pipe transports; defaults to the RTC address. */
  PIPE_LISTEN_IP: z.string().optional(),
  PIPE_ANNOUNCED_IP: z.string().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

async function main(): Promise<void> {
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    console.error(`配置错误 / configuration error: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    process.exit(1);
  }
  const e = parsed.data;
  if (e.RTC_LISTEN_IP === '0.0.0.0' && !e.RTC_ANNOUNCED_IP) {
    console.error('配置错误 / configuration error: RTC_LISTEN_IP 0.0.0.0 needs RTC_ANNOUNCED_IP');
    process.exit(1);
  }
  const nodeId = e.SFU_NODE_ID ?? `sfu-${os.hostname().replace(/[^A-Za-z0-9_-]/g, '')}-${crypto.randomUUID().slice(0, 8)}`;
  const log = createLogger('sfu-node', e.LOG_LEVEL);
  const node = await SfuNode.start({
    redisUrl: e.REDIS_URL,
    prefix: e.REDIS_PREFIX,
    nodeId,
    log,
    sfu: defaultSfuConfig({
      workers: e.SFU_WORKERS,
      listenIp: e.RTC_LISTEN_IP,
      announcedIp: e.RTC_ANNOUNCED_IP,
      rtcMinPort: e.RTC_MIN_PORT,
      rtcMaxPort: e.RTC_MAX_PORT,
      pipeIp: e.PIPE_LISTEN_IP,
      pipeAnnouncedIp: e.PIPE_ANNOUNCED_IP,
    }),
  });
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
