import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSimulcastSender, type FakeSimulcastSender } from '../../test/helpers/fake-simulcast-sender.js';
import { waitFor } from '../../test/helpers/poll.js';
import { KEY_FRAME_REQUEST_DELAY_MS } from './session-media.js';

// The worker this project builds keeps, per simulcast layer of a camera, the packets since its last key frame for
// one request window (scripts/lib/mediasoup-patches.mjs, "key frame cache"). A browser's encoder acts on one key
// frame request per 300 ms; a call view that asked just after the wall or the recorder waited for the window to
// end and then for the encoder, though a key frame had passed a moment before (issue 13). These tests play that
// encoder with hand-made VP8 packets on two layers through plain transports, and read what each viewer gets.

const LAYERS = [5551, 5552];
/** How long the worker keeps a key frame for a new viewer (the patch's KeyFrameCacheMaxAgeMs). */
const CACHE_MS = 400;

interface Seen {
  at: number;
  seq: number;
  ts: number;
  keyFrame: boolean;
}

/** A forwarded VP8 packet as vp8() builds it: 12-byte RTP header, 6-byte descriptor, then the frame tag. */
function seen(m: Buffer): Seen {
  return { at: performance.now(), seq: m.readUInt16BE(2), ts: m.readUInt32BE(4), keyFrame: (m[18]! & 0x01) === 0 };
}

describe('the built mediasoup worker gives a new viewer the key frame that just passed', () => {
  let sender: FakeSimulcastSender;
  let requests: { at: number; ssrc: number }[];

  beforeEach(async () => {
    sender = await startFakeSimulcastSender(LAYERS, KEY_FRAME_REQUEST_DELAY_MS);
    requests = sender.requests;
    // The first key frame too old to give anyone: each test makes its own.
    await new Promise((r) => setTimeout(r, CACHE_MS + 100));
  });

  afterEach(() => sender.close());

  /** A paused plain consumer of one layer, and what its sink receives. */
  async function viewer(spatialLayer: number): Promise<{ consumer: types.Consumer; got: Seen[] }> {
    const got: Seen[] = [];
    const consumer = await sender.viewer(spatialLayer, (m) => got.push(seen(m)));
    return { consumer, got };
  }

  /** The wall (layer 0) resumes and asks; the encoder answers 40 ms later with a key frame on every layer. */
  async function wallGetsKeyFrame(): Promise<number> {
    const wall = await viewer(0);
    await wall.consumer.resume();
    await waitFor('the wall layer asked for', () => requests.some((r) => r.ssrc === LAYERS[0]), { timeoutMs: 5000, intervalMs: 5 });
    const asked = requests.find((r) => r.ssrc === LAYERS[0])!.at;
    await new Promise((r) => setTimeout(r, 40));
    sender.sendKeyFrames();
    await waitFor('the wall has its picture', () => wall.got.some((p) => p.keyFrame), { timeoutMs: 5000, intervalMs: 5 });
    return asked;
  }

  it('replays it to a viewer that asks inside the window, at once, and asks the sender for nothing', async () => {
    const asked = await wallGetsKeyFrame();
    await new Promise((r) => setTimeout(r, 100));
    const call = await viewer(1);
    const resumed = performance.now();
    await call.consumer.resume();
    await waitFor('the call view has packets', () => call.got.length > 0, { timeoutMs: 5000, intervalMs: 2 });
    // At once, not at the window's end (before this patch: at least the rest of the 330 ms, then the encoder).
    expect(call.got[0]!.at - resumed).toBeLessThan(100);
    expect(call.got[0]!.keyFrame).toBe(true);
    await waitFor('live frames after the replay', () => call.got.length >= 12, { timeoutMs: 5000, intervalMs: 5 });
    const first = call.got.slice(0, 12);
    // One stream to the receiver: sequence numbers without a gap or a repeat from the replay into the live packets,
    // and timestamps that only go forward, the replayed frames before the newest 1 ms (90 ticks) apart.
    for (let i = 1; i < first.length; i++) {
      expect((first[i]!.seq - first[i - 1]!.seq) & 0xffff).toBe(1);
      expect(first[i]!.ts - first[i - 1]!.ts).toBeGreaterThan(0);
      expect(first[i]!.ts - first[i - 1]!.ts).toBeLessThanOrEqual(1800);
    }
    expect(first[1]!.ts - first[0]!.ts).toBe(90);
    // Nothing was asked for the call's layer: the replay answered it, and the window stayed the wall's.
    const until = asked + KEY_FRAME_REQUEST_DELAY_MS + 300;
    await new Promise((r) => setTimeout(r, Math.max(0, until - performance.now())));
    expect(requests.filter((r) => r.ssrc === LAYERS[1])).toEqual([]);
  });

  it('asks the sender as before when the last key frame is older than the window', async () => {
    await wallGetsKeyFrame();
    await new Promise((r) => setTimeout(r, CACHE_MS + 100));
    const call = await viewer(1);
    await call.consumer.resume();
    await waitFor('the call layer asked for', () => requests.some((r) => r.ssrc === LAYERS[1]), { timeoutMs: 5000, intervalMs: 5 });
    // The encoder has not answered: nothing to show yet.
    expect(call.got).toEqual([]);
    sender.sendKeyFrames();
    await waitFor('the call view has its picture', () => call.got.some((p) => p.keyFrame), { timeoutMs: 5000, intervalMs: 5 });
  });

  it('asks the sender instead when a packet after the key frame is missing', async () => {
    await wallGetsKeyFrame();
    // The call layer's packet after the key frame (or a later one) is lost on the way in and never repaired.
    sender.loseNext.add(LAYERS[1]!);
    await new Promise((r) => setTimeout(r, 100));
    const call = await viewer(1);
    const resumed = performance.now();
    await call.consumer.resume();
    await waitFor('the call layer asked for', () => requests.some((r) => r.ssrc === LAYERS[1]), { timeoutMs: 5000, intervalMs: 5 });
    // Nothing replayed: a viewer given a key frame with a hole after it could not decode what follows.
    expect(call.got.filter((p) => p.at < resumed + 100)).toEqual([]);
  });
});
