import type { LinkLevel, LinkReport } from '@vj/shared';

/** How often the SFU samples every participant's link. */
export const LINK_SAMPLE_MS = 2000;
/** A better grade must hold this many samples in a row before it is reported: a lucky second is not recovery. */
export const RECOVER_SAMPLES = 2;
/**
 * An unchanged grade is reported again after this many samples (30 s): a signaling node that took a session over,
 * or restarted, learns the line's state without waiting for it to change.
 */
export const REPEAT_SAMPLES = 15;

/**
 * Where "fair" and "poor" begin. Loss is the share of packets the network dropped before retransmission repaired
 * them: at 3 % a call still holds but the picture stutters; from 10 % video freezes for seconds at a time and
 * speech breaks up. A round trip over 250 ms makes people talk over each other, over 500 ms a conversation is
 * hard; audio jitter over 40 ms already costs the jitter buffer delay, over 80 ms it drops speech.
 */
const FAIR = { lossPct: 3, rttMs: 250, jitterMs: 40 };
const POOR = { lossPct: 10, rttMs: 500, jitterMs: 80 };
/**
 * Loss on what the participant sends beyond which video cannot hold even with retransmission: through the relay
 * of bench/network.ts a direct call still kept 20 fps at 15 % loss both ways, so only well past that is the
 * picture given up for the sake of the voice.
 */
export const UPLINK_POOR_LOSS_PCT = 25;

export interface LinkSample {
  lossPct: number;
  /** Loss on what the participant sends (the worse of the two directions is `lossPct`). */
  upLossPct: number;
  rttMs: number | null;
  jitterMs: number | null;
}

export function levelOf(s: LinkSample): LinkLevel {
  const over = (t: typeof FAIR) => s.lossPct >= t.lossPct || (s.rttMs ?? 0) >= t.rttMs || (s.jitterMs ?? 0) >= t.jitterMs;
  return over(POOR) ? 'poor' : over(FAIR) ? 'fair' : 'good';
}

const RANK: Record<LinkLevel, number> = { good: 0, fair: 1, poor: 2 };

/**
 * The grade of one link over time. A worse sample is reported at once (an officer should learn of trouble
 * within one sample); a better one only after RECOVER_SAMPLES in a row, so a link hovering at a threshold does
 * not flicker the badge.
 */
export class LinkGrade {
  private level: LinkLevel | undefined;
  private uplinkPoor = false;
  private betterRun = 0;
  private upBetterRun = 0;
  private sinceReport = 0;

  /** The report to send when the grade changed with this sample (or is due again); undefined otherwise. */
  update(sample: LinkSample): LinkReport | undefined {
    const now = levelOf(sample);
    const upPoor = sample.upLossPct >= UPLINK_POOR_LOSS_PCT;
    let changed = false;
    // The uplink flag follows the same rule as the grade: set at once, cleared after RECOVER_SAMPLES.
    if (upPoor) this.upBetterRun = 0;
    if (upPoor && !this.uplinkPoor) [this.uplinkPoor, changed] = [true, true];
    else if (!upPoor && this.uplinkPoor && ++this.upBetterRun >= RECOVER_SAMPLES) [this.uplinkPoor, this.upBetterRun, changed] = [false, 0, true];
    if (this.level === undefined || RANK[now] > RANK[this.level]) [this.level, this.betterRun, changed] = [now, 0, true];
    else if (RANK[now] === RANK[this.level]) this.betterRun = 0;
    else if (++this.betterRun >= RECOVER_SAMPLES) [this.level, this.betterRun, changed] = [now, 0, true];
    if (!changed && ++this.sinceReport < REPEAT_SAMPLES) return undefined;
    this.sinceReport = 0;
    return {
      level: this.level,
      lossPct: round1(sample.lossPct),
      rttMs: roundOrNull(sample.rttMs),
      jitterMs: roundOrNull(sample.jitterMs),
      uplinkPoor: this.uplinkPoor,
    };
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const roundOrNull = (n: number | null) => (n === null ? null : Math.round(n));

/** The fields of a mediasoup RTP stream stat this module reads (producer: inbound-rtp, consumer: outbound-rtp). */
export interface StreamStat {
  type: string;
  ssrc: number;
  kind: string;
  mimeType: string;
  /** Loss in the last RTCP receiver-report interval, 0–255 (RFC 3550), counted before any retransmission. */
  fractionLost: number;
  packetCount: number;
  roundTripTime?: number;
  /** Inter-arrival jitter in RTP timestamp units (inbound streams only). */
  jitter?: number;
}

/**
 * Turns one participant's stream stats into a sample: `received` are the streams the SFU receives from them,
 * `sent` the streams it sends them (their receiver reports carry loss and round-trip time). Each stream's loss
 * counts in proportion to the packets it carried since the last sample (`seen` keeps the counts between samples),
 * so a 100 kbps simulcast layer with one lost packet does not outvote the main stream. Undefined when nothing
 * flowed in either direction: an idle link has no grade.
 */
export function sampleOf(received: StreamStat[], sent: StreamStat[], seen: Map<string, number>): LinkSample | undefined {
  const lossOf = (streams: StreamStat[], dir: string): number | undefined => {
    let weight = 0;
    let lost = 0;
    for (const s of streams) {
      const key = `${dir}:${s.ssrc}`;
      const packets = Math.max(0, s.packetCount - (seen.get(key) ?? 0));
      seen.set(key, s.packetCount);
      weight += packets;
      lost += packets * (s.fractionLost / 256);
    }
    return weight > 0 ? (lost / weight) * 100 : undefined;
  };
  const up = lossOf(
    received.filter((s) => s.type === 'inbound-rtp'),
    'in',
  );
  const down = lossOf(
    sent.filter((s) => s.type === 'outbound-rtp'),
    'out',
  );
  if (up === undefined && down === undefined) return undefined;
  // A consumer's stats also carry its source producer's inbound stream (the other party's): only our outbound counts.
  const rtts = sent
    .filter((s) => s.type === 'outbound-rtp')
    .map((s) => s.roundTripTime ?? 0)
    .filter((r) => r > 0);
  const inbound = received.filter((s) => s.type === 'inbound-rtp' && s.jitter !== undefined);
  const audio = inbound.find((s) => s.kind === 'audio') ?? inbound[0];
  const clockRate = audio?.mimeType.toLowerCase() === 'audio/opus' ? 48_000 : 90_000;
  return {
    lossPct: Math.max(up ?? 0, down ?? 0),
    upLossPct: up ?? 0,
    rttMs: rtts.length ? Math.min(...rtts) : null,
    jitterMs: audio ? ((audio.jitter ?? 0) * 1000) / clockRate : null,
  };
}
