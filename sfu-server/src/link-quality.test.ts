import { describe, expect, it } from 'vitest';
import { LinkGrade, REPEAT_SAMPLES, levelOf, sampleOf, type StreamStat } from './link-quality.js';

const inbound = (ssrc: number, kind: 'audio' | 'video', packetCount: number, fractionLost: number, jitter = 0): StreamStat => ({
  type: 'inbound-rtp',
  ssrc,
  kind,
  mimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8',
  packetCount,
  fractionLost,
  jitter,
});
const outbound = (ssrc: number, packetCount: number, fractionLost: number, roundTripTime?: number): StreamStat => ({
  type: 'outbound-rtp',
  ssrc,
  kind: 'video',
  mimeType: 'video/VP8',
  packetCount,
  fractionLost,
  ...(roundTripTime === undefined ? {} : { roundTripTime }),
});

describe('link grades', () => {
  const sample = (lossPct: number, rttMs: number | null = null, jitterMs: number | null = null, upLossPct = lossPct) => ({
    lossPct,
    upLossPct,
    rttMs,
    jitterMs,
  });

  it('grades loss, round trip and jitter against the thresholds', () => {
    expect(levelOf(sample(0, 20, 5))).toBe('good');
    expect(levelOf(sample(5, 20, 5))).toBe('fair');
    expect(levelOf(sample(15))).toBe('poor');
    expect(levelOf(sample(0, 300))).toBe('fair');
    expect(levelOf(sample(0, 600))).toBe('poor');
    expect(levelOf(sample(0, null, 90))).toBe('poor');
  });

  it('reports a worse grade at once and a better one only after it held', () => {
    const g = new LinkGrade();
    expect(g.update(sample(0))?.level).toBe('good');
    expect(g.update(sample(0))).toBeUndefined();
    expect(g.update(sample(30, 40, 3))).toEqual({ level: 'poor', lossPct: 30, rttMs: 40, jitterMs: 3, uplinkPoor: true });
    expect(g.update(sample(0))).toBeUndefined();
    // A relapse restarts the count.
    expect(g.update(sample(30))).toBeUndefined();
    expect(g.update(sample(4))).toBeUndefined();
    expect(g.update(sample(4))).toMatchObject({ level: 'fair', uplinkPoor: false });
  });

  it('marks the uplink poor only for loss on what the participant sends', () => {
    const g = new LinkGrade();
    // A long round trip, or loss on the way to the participant: poor, but sending less would not help.
    expect(g.update(sample(0, 700))).toMatchObject({ level: 'poor', uplinkPoor: false });
    expect(g.update(sample(25, 700, null, 0))).toBeUndefined();
    expect(g.update(sample(25, 700, null, 12))).toBeUndefined();
    expect(g.update(sample(30, 700, null, 30))).toMatchObject({ level: 'poor', uplinkPoor: true });
  });

  it('repeats an unchanged grade every REPEAT_SAMPLES samples', () => {
    const g = new LinkGrade();
    expect(g.update(sample(30))?.level).toBe('poor');
    const repeats = Array.from({ length: REPEAT_SAMPLES * 2 }, () => g.update(sample(30))).filter((r) => r !== undefined);
    expect(repeats).toHaveLength(2);
    expect(repeats[0]).toMatchObject({ level: 'poor', uplinkPoor: true });
  });
});

describe('link samples from mediasoup stats', () => {
  it('weights each stream by the packets it carried since the last sample', () => {
    const seen = new Map<string, number>();
    // First sample: the main stream carried 1,000 packets at 0 %, a small layer 10 packets at 50 %.
    const first = sampleOf([inbound(1, 'video', 1000, 0), inbound(2, 'video', 10, 128)], [], seen)!;
    expect(first.lossPct).toBeCloseTo((10 * 0.5 * 100) / 1010, 5);
    // Second sample: only what flowed since counts.
    const second = sampleOf([inbound(1, 'video', 1100, 26), inbound(2, 'video', 10, 128)], [], seen)!;
    expect(second.lossPct).toBeCloseTo((26 / 256) * 100, 5);
  });

  it('takes the worse direction, the smallest round trip and the audio jitter in milliseconds', () => {
    const s = sampleOf([inbound(1, 'audio', 500, 0, 480), inbound(2, 'video', 900, 0, 9000)], [outbound(3, 800, 39, 120), outbound(4, 100, 0, 80)], new Map())!;
    expect(s.lossPct).toBeCloseTo(((800 * 39) / 256 / 900) * 100, 5);
    expect(s.rttMs).toBe(80);
    expect(s.jitterMs).toBe(10);
  });

  it('gives no sample for a link that carried nothing', () => {
    const seen = new Map<string, number>();
    expect(sampleOf([inbound(1, 'audio', 0, 0)], [], seen)).toBeUndefined();
    sampleOf([inbound(1, 'audio', 50, 0)], [], seen);
    expect(sampleOf([inbound(1, 'audio', 50, 200)], [], seen)).toBeUndefined();
  });
});
