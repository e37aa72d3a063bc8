import { describe, expect, it } from 'vitest';
import { LinkGrade, levelOf, sampleOf, type StreamStat } from './link-quality.js';

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
  it('grades loss, round trip and jitter against the thresholds', () => {
    expect(levelOf({ lossPct: 0, rttMs: 20, jitterMs: 5 })).toBe('good');
    expect(levelOf({ lossPct: 5, rttMs: 20, jitterMs: 5 })).toBe('fair');
    expect(levelOf({ lossPct: 15, rttMs: null, jitterMs: null })).toBe('poor');
    expect(levelOf({ lossPct: 0, rttMs: 300, jitterMs: null })).toBe('fair');
    expect(levelOf({ lossPct: 0, rttMs: 600, jitterMs: null })).toBe('poor');
    expect(levelOf({ lossPct: 0, rttMs: null, jitterMs: 90 })).toBe('poor');
  });

  it('reports a worse grade at once and a better one only after it held', () => {
    const g = new LinkGrade();
    expect(g.update({ lossPct: 0, rttMs: null, jitterMs: null })?.level).toBe('good');
    expect(g.update({ lossPct: 0, rttMs: null, jitterMs: null })).toBeUndefined();
    expect(g.update({ lossPct: 20, rttMs: 40, jitterMs: 3 })).toEqual({ level: 'poor', lossPct: 20, rttMs: 40, jitterMs: 3 });
    expect(g.update({ lossPct: 0, rttMs: null, jitterMs: null })).toBeUndefined();
    // A relapse restarts the count.
    expect(g.update({ lossPct: 20, rttMs: null, jitterMs: null })).toBeUndefined();
    expect(g.update({ lossPct: 4, rttMs: null, jitterMs: null })).toBeUndefined();
    expect(g.update({ lossPct: 4, rttMs: null, jitterMs: null })?.level).toBe('fair');
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
