import os from 'node:os';
import { z } from 'zod';
import { defaultSfuConfig, type SfuConfig } from './config.js';

/**
 * The media path's settings, read from the environment by both servers: a signaling process that runs
 * mediasoup itself (the single topologies) and a standalone SFU node (`npm run sfu`). One schema, so the two
 * accept the same values and refuse the same mistakes.
 */
export const RtcEnv = z.object({
  SFU_WORKERS: z.coerce.number().int().min(1).max(64).default(Math.max(1, os.availableParallelism())),
  RTC_LISTEN_IP: z.string().default('127.0.0.1'),
  RTC_ANNOUNCED_IP: z.string().optional(),
  RTC_MIN_PORT: z.coerce.number().int().min(1024).max(65535).default(40000),
  RTC_MAX_PORT: z.coerce.number().int().min(1024).max(65535).default(49999),
});
export type RtcEnv = z.infer<typeof RtcEnv>;

export class RtcSettingsError extends Error {}

/** Where the other SFU nodes reach this one's pipe transports (a standalone SFU node only). */
export interface PipeSettings {
  pipeIp?: string | undefined;
  pipeAnnouncedIp?: string | undefined;
}

/** The SFU's configuration from those settings, refusing what no field check can see on its own. */
export function sfuConfigFromEnv(e: RtcEnv, pipe: PipeSettings = {}): SfuConfig {
  if (e.RTC_MIN_PORT > e.RTC_MAX_PORT) throw new RtcSettingsError('RTC_MIN_PORT must not exceed RTC_MAX_PORT');
  // A transport bound to every address must tell browsers one they can reach.
  if (e.RTC_LISTEN_IP === '0.0.0.0' && !e.RTC_ANNOUNCED_IP)
    throw new RtcSettingsError('RTC_LISTEN_IP 0.0.0.0 needs RTC_ANNOUNCED_IP, the address kiosks reach');
  return defaultSfuConfig({
    workers: e.SFU_WORKERS,
    listenIp: e.RTC_LISTEN_IP,
    announcedIp: e.RTC_ANNOUNCED_IP,
    rtcMinPort: e.RTC_MIN_PORT,
    rtcMaxPort: e.RTC_MAX_PORT,
    ...pipe,
  });
}
