import { z } from 'zod';

// The kiosk's check of itself before the day's first call: camera, microphone, and media to the SFU and back.
// Device facts only; nothing in it concerns any person.

export const CheckPart = z.enum(['ok', 'failed']);
/** 'silent': the microphone opens but hears nothing at all — unplugged, muted, or broken. */
export const MicrophoneCheck = z.enum(['ok', 'silent', 'failed']);
/** 'slow': media gets through, but the round trip or the connection took long enough to hurt a call. */
export const NetworkCheck = z.enum(['ok', 'slow', 'failed', 'untested']);

/** What the kiosk observed itself: frames from its camera, sound energy from its microphone, its ICE round trip. */
export const KioskCheckReport = z.object({
  camera: CheckPart,
  microphone: MicrophoneCheck,
  /** The selected ICE candidate pair's current round-trip time to the SFU, when the transport connected. */
  rttMs: z.number().min(0).max(60_000).nullable(),
  /** From creating the transport to ICE and DTLS connected. */
  connectMs: z.number().min(0).max(120_000).nullable(),
});
export type KioskCheckReport = z.infer<typeof KioskCheckReport>;

/** The result the county sees on the room's wall tile: the kiosk's report checked against what the SFU received. */
export const KioskCheckView = z.object({
  at: z.string(),
  ok: z.boolean(),
  camera: CheckPart,
  microphone: MicrophoneCheck,
  network: NetworkCheck,
  rttMs: z.number().nullable(),
});
export type KioskCheckView = z.infer<typeof KioskCheckView>;
