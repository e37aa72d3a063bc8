import type { RtpCapabilities } from '@vj/shared';

/**
 * Header extensions that exist only to feed a sender's bandwidth estimation. A consumer that carries one of
 * them (with its transport-cc or goog-remb feedback) makes mediasoup run congestion control, a pacer and a
 * prober on its transport, all waiting for feedback that a plain-RTP sink (ffmpeg, a UDP socket) never sends.
 */
const CONGESTION_EXTENSIONS = new Set([
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
]);
/** Feedback a plain sink never gives: bandwidth estimates, and NACK (so no retransmission buffer is kept for it). */
const SINK_NEVER_SENDS = new Set(['transport-cc', 'goog-remb']);

/**
 * The capabilities a plain-RTP sink consumes with: the router's codecs without RTX, without congestion-control
 * feedback and extensions, and without generic NACK. PLI/FIR may stay: they cost nothing unless the sink sends
 * one, and the recorder asks for keyframes through the SFU API anyway.
 */
export function plainSinkCapabilities(router: RtpCapabilities): RtpCapabilities {
  return {
    ...router,
    codecs: (router.codecs ?? [])
      .filter((c) => !/\/rtx$/i.test(c.mimeType))
      .map((c) => ({
        ...c,
        rtcpFeedback: (c.rtcpFeedback ?? []).filter((fb) => !SINK_NEVER_SENDS.has(fb.type) && !(fb.type === 'nack' && !fb.parameter)),
      })),
    headerExtensions: (router.headerExtensions ?? []).filter((h) => !CONGESTION_EXTENSIONS.has(h.uri)),
  };
}
