import os from 'node:os';
import type { types } from 'mediasoup';

export interface SfuConfig {
  /** Worker processes; one per core by default. */
  workers: number;
  /** Address the WebRTC transports bind to. */
  listenIp: string;
  /** Address put in ICE candidates, when kiosks reach the server through another one (0.0.0.0 binds, NAT). */
  announcedIp: string | undefined;
  /** Address pipe transports bind to, reachable from the other SFU nodes (defaults to listenIp). */
  pipeIp?: string | undefined;
  pipeAnnouncedIp?: string | undefined;
  rtcMinPort: number;
  rtcMaxPort: number;
  /** Start high enough for the top simulcast layer of an opened tile (DESIGN §5: ~900 kbps). */
  initialAvailableOutgoingBitrate: number;
  logLevel: types.WorkerLogLevel;
}

export function defaultSfuConfig(overrides: Partial<SfuConfig> = {}): SfuConfig {
  return {
    workers: Math.max(1, os.availableParallelism()),
    listenIp: '127.0.0.1',
    announcedIp: undefined,
    rtcMinPort: 40000,
    rtcMaxPort: 49999,
    initialAvailableOutgoingBitrate: 1_200_000,
    logLevel: 'warn',
    ...overrides,
  };
}

export const MEDIA_CODECS: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];
