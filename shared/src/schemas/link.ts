import { z } from 'zod';

// How well one participant's network carries the call, as the SFU sees it. The SFU grades each participant's
// link from what it measures itself (loss on what it receives, loss and round-trip time its receivers report,
// jitter of the audio it receives), so a badge cannot be faked or hidden by the client.

export const LINK_LEVELS = ['good', 'fair', 'poor'] as const;
export const LinkLevel = z.enum(LINK_LEVELS);
export type LinkLevel = z.infer<typeof LinkLevel>;

export const LinkReport = z.object({
  level: LinkLevel,
  /** Packets lost on the worse direction of the link, before retransmission repaired them (0–100). */
  lossPct: z.number().min(0).max(100),
  /** Round-trip time to the participant, when the SFU has sent it media and heard a report back. */
  rttMs: z.number().min(0).nullable(),
  /** Inter-arrival jitter of the participant's audio as received by the SFU. */
  jitterMs: z.number().min(0).nullable(),
  /**
   * What the participant sends is losing so much that video cannot hold: the one trouble that sending less
   * (sound only) can relieve. A long round trip or loss on the way to the participant is not helped by it.
   */
  uplinkPoor: z.boolean(),
});
export type LinkReport = z.infer<typeof LinkReport>;
