import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSimulcastSender, type FakeSimulcastSender } from '../../test/helpers/fake-simulcast-sender.js';
import { waitFor } from '../../test/helpers/poll.js';
import { KEY_FRAME_REQUEST_DELAY_MS } from './session-media.js';

// The worker this project builds spaces key frame requests per producer, not per layer
// (scripts/lib/mediasoup-patches.mjs). A browser's simulcast encoder acts on one request per 300 ms for all its
// layers and answers it with a key frame on every layer; unpatched 3.12 sent a request for another layer at once,
// the encoder ignored it, and the worker asked again only a second later: the officer's first picture waited for
// it whenever the wall or the recorder had asked just before (issue 13). These tests play that encoder with
// hand-made VP8 packets on two simulcast layers through plain transports, and read the requests the worker sends.

const LAYERS = [3331, 3332];

describe('the built mediasoup worker spaces key frame requests per producer', () => {
  let sender: FakeSimulcastSender;
  let forwarded: number[];
  let requests: { at: number; ssrc: number }[];
  /** The wall's and the call view's consumers of the last wallThenCall. */
  let wallConsumer: types.Consumer | undefined;
  let callConsumer: types.Consumer | undefined;

  beforeEach(async () => {
    sender = await startFakeSimulcastSender(LAYERS, KEY_FRAME_REQUEST_DELAY_MS);
    requests = sender.requests;
    forwarded = [];
    // The first key frame too old for the worker's key frame cache to give a new viewer (worker-keyframe-cache.test.ts):
    // these tests are about viewers that must ask the sender.
    await new Promise((r) => setTimeout(r, 500));
  });

  afterEach(() => sender.close());

  /** A paused plain consumer of one layer, as the wall's (layer 0) or the call view's (layer 1). */
  const consumer = (spatialLayer: number) => sender.viewer(spatialLayer, () => forwarded.push(spatialLayer));

  /**
   * The wall (layer 0) resumes and asks; `times` of its requests seen, the call (layer 1) resumes 60 ms after the
   * last. Returns when that last request for the wall's layer went out.
   */
  async function wallThenCall(times: number): Promise<number> {
    const wall = await consumer(0);
    const call = await consumer(1);
    await wall.resume();
    await waitFor(`the wall layer asked for ${times}×`, () => requests.filter((r) => r.ssrc === LAYERS[0]).length >= times, {
      timeoutMs: 5000,
      intervalMs: 5,
    });
    const at = requests.filter((r) => r.ssrc === LAYERS[0])[times - 1]!.at;
    await new Promise((r) => setTimeout(r, 60));
    await call.resume();
    wallConsumer = wall;
    callConsumer = call;
    return at;
  }

  it('holds a request for another layer until the window closes, then sends it', async () => {
    const first = await wallThenCall(1);
    // The encoder ignores it inside its own 300 ms; the worker must not spend it there, nor wait a whole second.
    await waitFor('the call layer asked for', () => requests.some((r) => r.ssrc === LAYERS[1]), { timeoutMs: 5000, intervalMs: 5 });
    const second = requests.find((r) => r.ssrc === LAYERS[1])!.at;
    expect(second - first).toBeGreaterThanOrEqual(KEY_FRAME_REQUEST_DELAY_MS - 30);
    expect(second - first).toBeLessThan(KEY_FRAME_REQUEST_DELAY_MS + 300);
  });

  it('counts a repeated request (the worker asks again when the window closes without a key frame) as opening the window', async () => {
    // The encoder does not answer: the worker asks again for the wall's layer when the window closes.
    const repeat = await wallThenCall(2);
    await waitFor('the call layer asked for', () => requests.some((r) => r.ssrc === LAYERS[1]), { timeoutMs: 5000, intervalMs: 5 });
    expect(requests.find((r) => r.ssrc === LAYERS[1])!.at - repeat).toBeGreaterThanOrEqual(KEY_FRAME_REQUEST_DELAY_MS - 30);
  });

  it('sends a request the sender did not answer once more when the window closes, and only once', async () => {
    // The encoder ignores both the wall's request and the call's (it saw the second inside its own 300 ms). The call
    // view cannot ask again: a consumer without a picture yet drops its browser's PLIs.
    await wallThenCall(1);
    await waitFor('the call layer asked for', () => requests.some((r) => r.ssrc === LAYERS[1]), { timeoutMs: 5000, intervalMs: 5 });
    const sent = requests.find((r) => r.ssrc === LAYERS[1])!.at;
    const calls = () => requests.filter((r) => r.ssrc === LAYERS[1]);
    await waitFor('the call layer asked for again', () => calls().length >= 2, { timeoutMs: 5000, intervalMs: 5 });
    // At the window's end (the sender takes it then), not after 3.12's 1 s wait, and not straight away.
    expect(calls()[1]!.at - sent).toBeGreaterThanOrEqual(KEY_FRAME_REQUEST_DELAY_MS / 2);
    expect(calls()[1]!.at - sent).toBeLessThan(KEY_FRAME_REQUEST_DELAY_MS + 250);
    // One retry per request: nothing more until the worker's own 1 s timer, which asks again only if asked.
    await new Promise((r) => setTimeout(r, Math.max(0, sent + 900 - performance.now())));
    expect(calls().filter((r) => r.at < sent + 900)).toHaveLength(2);
  });

  it('sends two layers still waiting for the same window end together, neither a second later', async () => {
    // Nothing answered: the wall's layer and the call's both still wait, and both viewers ask again in one window.
    const first = await wallThenCall(1);
    await waitFor('the call layer asked for', () => requests.some((r) => r.ssrc === LAYERS[1]), { timeoutMs: 5000, intervalMs: 5 });
    const sent = requests.find((r) => r.ssrc === LAYERS[1])!.at;
    // Past the burst allowance of the window that request opened: both wait for its end.
    await new Promise((r) => setTimeout(r, 30));
    await wallConsumer!.requestKeyFrame();
    await callConsumer!.requestKeyFrame();
    const after = (ssrc: number) => requests.filter((r) => r.ssrc === ssrc && r.at > sent + 20);
    await waitFor('both layers asked for again', () => after(LAYERS[0]!).length > 0 && after(LAYERS[1]!).length > 0, { timeoutMs: 5000, intervalMs: 5 });
    // Whichever goes first opens the window and the other goes with it, within the burst allowance.
    const [wallAgain, callAgain] = [after(LAYERS[0]!)[0]!.at, after(LAYERS[1]!)[0]!.at];
    expect(Math.abs(wallAgain - callAgain)).toBeLessThan(50);
    expect(callAgain - sent).toBeLessThan(KEY_FRAME_REQUEST_DELAY_MS + 250);
    expect(wallAgain - first).toBeLessThan(2 * KEY_FRAME_REQUEST_DELAY_MS + 250);
  });

  it('lets a key frame on that layer answer a request still waiting, and forwards it', async () => {
    const first = await wallThenCall(1);
    // The encoder answers the first request as a browser does: a key frame on every layer.
    await new Promise((r) => setTimeout(r, 40));
    sender.sendKeyFrames();
    await waitFor('the call layer forwarded', () => forwarded.includes(1), { timeoutMs: 5000, intervalMs: 5 });
    // Past the window (and well short of the worker's 1 s retry): nothing more was asked for that layer.
    const until = first + KEY_FRAME_REQUEST_DELAY_MS + 300;
    await new Promise((r) => setTimeout(r, Math.max(0, until - performance.now())));
    expect(requests.filter((r) => r.ssrc === LAYERS[1])).toEqual([]);
  });
});
