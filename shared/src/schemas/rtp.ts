import { z } from 'zod';

// Structural schemas for the mediasoup RTP/DTLS/ICE objects that cross the wire. They bound sizes and types;
// mediasoup itself still checks the semantics (a codec the router lacks, a bad fingerprint, ...).

const Token = z.string().min(1).max(256);
const ParamValue = z.union([z.string().max(512), z.number().finite()]);
const Params = z.record(z.string().max(64), ParamValue).refine((o) => Object.keys(o).length <= 32, 'too many parameters');
const PayloadType = z.number().int().min(0).max(127);
const Ssrc = z.number().int().min(0).max(0xffffffff);

export const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

const RtcpFeedback = z.object({ type: Token, parameter: z.string().max(64).optional() });

export const RtpCodecParameters = z.object({
  mimeType: Token,
  payloadType: PayloadType,
  clockRate: z.number().int().positive(),
  channels: z.number().int().min(1).max(8).optional(),
  parameters: Params.optional(),
  rtcpFeedback: z.array(RtcpFeedback).max(32).optional(),
});

export const RtpEncodingParameters = z.object({
  ssrc: Ssrc.optional(),
  rid: z.string().max(32).optional(),
  codecPayloadType: PayloadType.optional(),
  rtx: z.object({ ssrc: Ssrc }).optional(),
  dtx: z.boolean().optional(),
  scalabilityMode: z.string().max(32).optional(),
  scaleResolutionDownBy: z.number().positive().max(64).optional(),
  maxBitrate: z.number().int().positive().optional(),
  maxFramerate: z.number().positive().max(240).optional(),
  adaptivePtime: z.boolean().optional(),
  priority: z.enum(['very-low', 'low', 'medium', 'high']).optional(),
  networkPriority: z.enum(['very-low', 'low', 'medium', 'high']).optional(),
  active: z.boolean().optional(),
});

export const RtpParameters = z.object({
  mid: z.string().max(32).optional(),
  codecs: z.array(RtpCodecParameters).min(1).max(16),
  headerExtensions: z
    .array(z.object({ uri: Token, id: z.number().int().min(1).max(255), encrypt: z.boolean().optional(), parameters: Params.optional() }))
    .max(32)
    .optional(),
  encodings: z.array(RtpEncodingParameters).max(8).optional(),
  rtcp: z.object({ cname: z.string().max(256).optional(), reducedSize: z.boolean().optional(), mux: z.boolean().optional() }).optional(),
});
export type RtpParameters = z.infer<typeof RtpParameters>;

export const RtpCapabilities = z.object({
  codecs: z
    .array(
      z.object({
        kind: MediaKind,
        mimeType: Token,
        preferredPayloadType: PayloadType.optional(),
        clockRate: z.number().int().positive(),
        channels: z.number().int().min(1).max(8).optional(),
        parameters: Params.optional(),
        rtcpFeedback: z.array(RtcpFeedback).max(32).optional(),
      }),
    )
    .max(64)
    .optional(),
  headerExtensions: z
    .array(
      z.object({
        kind: MediaKind,
        uri: Token,
        preferredId: z.number().int().min(1).max(255),
        preferredEncrypt: z.boolean().optional(),
        direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
      }),
    )
    .max(64)
    .optional(),
});
export type RtpCapabilities = z.infer<typeof RtpCapabilities>;

export const DtlsParameters = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.object({ algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']), value: z.string().max(200) }))
    .min(1)
    .max(8),
});
export type DtlsParameters = z.infer<typeof DtlsParameters>;

export const IceParameters = z.object({
  usernameFragment: Token,
  password: Token,
  iceLite: z.boolean().optional(),
});

export const IceCandidate = z.object({
  foundation: Token,
  priority: z.number().int().nonnegative(),
  ip: z.string().max(64),
  address: z.string().max(64).optional(),
  protocol: z.enum(['udp', 'tcp']),
  port: z.number().int().min(1).max(65535),
  type: z.enum(['host', 'srflx', 'prflx', 'relay']),
  tcpType: z.enum(['active', 'passive', 'so']).optional(),
});

export const TransportOptions = z.object({
  id: z.uuid(),
  iceParameters: IceParameters,
  iceCandidates: z.array(IceCandidate).max(16),
  dtlsParameters: DtlsParameters,
});
export type TransportOptions = z.infer<typeof TransportOptions>;

/** What a track is; the console lays tiles out by it and recording will label per-track audio by it. */
export const TrackSource = z.enum(['camera', 'microphone']);
export type TrackSource = z.infer<typeof TrackSource>;
