// Time to first frame of a call: from the officer's click on "answer" to the first frame the call view itself
// (<video data-testid=remote-video>) presents, over N calls (after a first one, counted apart in every arm), each
// answered while the kiosk is already live on the wall. The console page also holds the wall's connection, which
// is already decoding that kiosk; only the call view's own element counts (its requestVideoFrameCallback), so a
// wall frame can never stand in for it.
// Same-run baselines: a direct RTCPeerConnection between two pages, and a bare mediasoup + mediasoup-client pair.
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { openConsole, openKiosk, screenOf, waitForScreen } from '../test/helpers/apps.js';
import { elementStats, launchBrowser } from '../test/helpers/browser.js';
import { waitFor } from '../test/helpers/poll.js';
import { startTestServer, type TestServer } from '../test/helpers/server.js';
import { percentile, printTable, type Row } from './stats.js';
import { bareMediasoupBaseline, directBaseline } from './ttff-baselines.js';
import { armClickTime, armFirstFrame, armPhases, clickTime, firstFrameAt, phasesSince } from './ttff-page.js';

// Diagnostics, not for the figures: BENCH_TTFF_PHASES=1 prints where each call's time went (ttff-page.ts armPhases;
// it polls getStats in the page); BENCH_TTFF_RECORDING=off runs our server without its recorder, and
// BENCH_TTFF_ANSWER_AFTER_MS=n answers n ms after the kiosk is live on the wall, not at once: the wall tile's and the
// recorder's key frame requests share the camera's request window with the call view's (session-media.ts
// KEY_FRAME_REQUEST_DELAY_MS).
const PHASES = process.env['BENCH_TTFF_PHASES'] === '1';
const RECORDING_OFF = process.env['BENCH_TTFF_RECORDING'] === 'off';
const ANSWER_AFTER_MS = Number(process.env['BENCH_TTFF_ANSWER_AFTER_MS'] ?? 0);

const ROOM = 'huanghua';
const ANSWER = `[data-testid=answer-${ROOM}]`;

/**
 * The console takes no mouse press on an answer button that moved in the last 600 ms (CallQueue.tsx, MOVED_GUARD_MS:
 * an officer aiming at one room's 接听 could press another's) and says so under the queue's title. An officer
 * presses a button that sits still, and presses again when told; so does this. Once, a press right after the last
 * call's view closed was refused and the benchmark waited 20 s for a call nobody had answered.
 *
 * `trackMoves` notes, every frame in the page, when the button last moved (a button that has sat still since it
 * was found is pressed at once, as before); `whenStill` waits until that is `stillMs` ago.
 */
async function trackMoves(page: Page, selector: string): Promise<void> {
  await page.evaluate((sel) => {
    type Moved = { at: number; pos: { x: number; y: number } | null };
    const w = window as unknown as { __vjMoved?: Moved; __vjMovesGen?: number };
    // One watcher at a time: the one armed for an earlier call stops.
    const gen = (w.__vjMovesGen = (w.__vjMovesGen ?? 0) + 1);
    // Where the button sits, as the console's guard reckons it: in the content of the page and of every box around
    // it, so scrolling is not a move.
    const where = () => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      let [x, y] = [r.left, r.top];
      for (let box = el.parentElement; box; box = box.parentElement) [x, y] = [x + box.scrollLeft, y + box.scrollTop];
      return { x, y };
    };
    // Where it is now has not moved (as the console's guard sees a button it has not seen before).
    w.__vjMoved = { at: -Infinity, pos: where() };
    const tick = () => {
      if (w.__vjMovesGen !== gen) return;
      const pos = where();
      const was = w.__vjMoved!.pos;
      // The guard's own threshold: more than a pixel either way.
      if (!pos || !was || Math.abs(pos.x - was.x) > 1 || Math.abs(pos.y - was.y) > 1) w.__vjMoved = { at: performance.now(), pos };
      // Gone (the call answered, or no longer waiting): nothing more to watch, and nothing runs on while the call's first frame is timed.
      if (pos) requestAnimationFrame(tick);
    };
    tick();
  }, selector);
}

/** Resolves once the button has sat still for `stillMs` and no refusal is on show; false if it is gone or never settles. */
async function whenStill(page: Page, stillMs = 700): Promise<boolean> {
  return waitFor(
    'answer button still',
    async () => {
      const m = await page.evaluate((ms) => {
        const moved = (window as unknown as { __vjMoved: { at: number; pos: unknown } }).__vjMoved;
        return moved.pos === null ? 'gone' : performance.now() - moved.at >= ms ? 'still' : 'moving';
      }, stillMs);
      if (m === 'gone') return 'gone';
      // And no refusal still on show (it stays 2.5 s): else the next press's own refusal could not be told from it.
      return m === 'still' && !(await refusalShown(page)) ? 'still' : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 20 },
  ).then(
    (m) => m === 'still',
    () => false,
  );
}

const refusalShown = (page: Page) => page.$eval('[data-testid=queue-moved]', (el) => (el.textContent ?? '') !== '').catch(() => false);

/**
 * Presses 接听 until the console takes the press: the time of the press it took, or undefined when the call cannot be
 * answered any more (the kiosk stopped waiting, or the button never settled): that call is not counted.
 */
async function pressTaken(page: Page, kiosk: Page, answer: ElementHandle, selector: string): Promise<number | undefined> {
  for (let press = 0; press < 4; press++) {
    if (!(await whenStill(page)) || (await screenOf(kiosk)) !== 'waiting') return undefined;
    await armClickTime(page, selector);
    await answer.click();
    // A press that missed the button (it moved between puppeteer's measuring and the press) is never stamped.
    const at = await Promise.race([clickTime(page), new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
    // The refusal is a state change of the press's own handler: on screen within a frame or two.
    await new Promise((r) => setTimeout(r, 150));
    if (at !== undefined && !(await refusalShown(page))) return at;
    console.log(`[ttff] the press of 接听 was ${at === undefined ? 'not on the button' : 'refused (the queue had moved)'}; pressed again`);
  }
  throw new Error('the console refused every press of 接听 (its queue kept moving)');
}

async function ours(browser: Browser, server: TestServer, calls: number): Promise<number[]> {
  const consolePage = await openConsole(browser, server.url, 'officer1', 'officer1-demo');
  const kiosk = await openKiosk(browser, server.url, server.demoSecrets().kiosks[ROOM]!);
  const times: number[] = [];
  let lastCallAt = 0;
  for (let attempt = 0; times.length < calls; attempt++) {
    if (attempt >= calls * 2) throw new Error(`only ${times.length} of ${calls} calls could be answered`);
    await kiosk.bringToFront();
    await waitForScreen(kiosk, 'idle', 30_000);
    // The server lets a kiosk start 6 calls in 10 s (handlers.ts CALL_START_LIMITS): on a quiet machine a cycle
    // here takes under that, and the 7th call was refused. One call every 2 s stays inside it.
    await new Promise((r) => setTimeout(r, Math.max(0, lastCallAt + 2_000 - Date.now())));
    lastCallAt = Date.now();
    await kiosk.click('[data-testid=call-button]');
    await waitForScreen(kiosk, 'waiting', 30_000);
    // In --headless=new only the front tab renders (and so presents frames): the console is it from here on.
    await consolePage.bringToFront();
    await consolePage.waitForSelector(`${ANSWER}:not([disabled])`, { timeout: 20_000 });
    await trackMoves(consolePage, ANSWER);
    // Answered as an officer would: the calling kiosk already live on the wall.
    await waitFor('kiosk live on the wall', async () => (await elementStats(consolePage, `tile-video-${ROOM}`)).videoFramesDecoded > 0, { timeoutMs: 20_000 });
    await waitFor('previous call view gone', async () => (await consolePage.$('[data-testid=remote-video]')) === null, { timeoutMs: 20_000 });
    if (ANSWER_AFTER_MS > 0) await new Promise((r) => setTimeout(r, ANSWER_AFTER_MS));
    await armFirstFrame(consolePage, '[data-testid=remote-video]');
    // On a loaded machine the kiosk may have given up waiting meanwhile: then this call is not counted.
    const answer = await consolePage.$(`${ANSWER}:not([disabled])`);
    if (!answer || (await screenOf(kiosk)) !== 'waiting') {
      console.log(`[ttff] call ${attempt + 1}: the kiosk stopped waiting before the answer; not counted`);
      await kiosk.bringToFront();
      await kiosk.click('[data-testid=home-button]').catch(() => undefined);
      continue;
    }
    if (PHASES) await armPhases(consolePage);
    const clickedAt = await pressTaken(consolePage, kiosk, answer, ANSWER);
    if (clickedAt === undefined) {
      console.log(`[ttff] call ${attempt + 1}: could not be answered (the kiosk stopped waiting, or the button never settled); not counted`);
      await kiosk.bringToFront();
      await kiosk.click('[data-testid=home-button]').catch(() => undefined);
      continue;
    }
    times.push((await firstFrameAt(consolePage)) - clickedAt);
    console.log(`[ttff] call ${times.length}: ${times.at(-1)!.toFixed(0)} ms${PHASES ? ` (${await phasesSince(consolePage, clickedAt)})` : ''}`);
    await consolePage.waitForSelector('[data-testid=hangup-button]', { timeout: 20_000 });
    await consolePage.click('[data-testid=hangup-button]');
    await waitForScreen(kiosk, 'ended', 30_000);
    await kiosk.bringToFront();
    await kiosk.click('[data-testid=home-button]');
  }
  return times;
}

const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');

export async function runTtff(calls = Number(process.env['BENCH_CALLS'] ?? 16)): Promise<Record<string, number>> {
  // Our server first: its start is the slowest step on a loaded machine, and it idles while the baselines run.
  const server = await startTestServer({ embedded: true, ...(RECORDING_OFF ? { env: { RECORDING: 'off' } } : {}) });
  const browser = await launchBrowser().catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  try {
    // Each arm's first call warms its pages, its code paths and (ours) the server's: counted apart, printed beside.
    const [directWarm, ...direct] = await directBaseline(browser, calls + 1);
    const [bareWarm, ...bare] = await bareMediasoupBaseline(browser, calls + 1);
    const [oursWarm, ...o] = await ours(browser, server, calls + 1);
    console.log(`ttff samples (ms) ours:           ${fmt(o)}`);
    console.log(`ttff samples (ms) direct P2P:     ${fmt(direct)}`);
    console.log(`ttff samples (ms) bare mediasoup: ${fmt(bare)}`);
    console.log(`ttff first call of each, not counted (ms): ours ${fmt([oursWarm!])}, direct P2P ${fmt([directWarm!])}, bare mediasoup ${fmt([bareWarm!])}`);
    const rows: Row[] = [
      { metric: 'p50 vs direct P2P', ours: percentile(o, 50), baseline: percentile(direct, 50), unit: 'ms' },
      { metric: 'p95 vs direct P2P', ours: percentile(o, 95), baseline: percentile(direct, 95), unit: 'ms' },
      { metric: 'p50 vs bare mediasoup', ours: percentile(o, 50), baseline: percentile(bare, 50), unit: 'ms' },
      { metric: 'p95 vs bare mediasoup', ours: percentile(o, 95), baseline: percentile(bare, 95), unit: 'ms' },
    ];
    printTable(
      `time to first frame of the call view, ${calls} calls each after a first one not counted`,
      rows,
      'ours: console "answer" click → first frame presented by <video data-testid=remote-video> (its own requestVideoFrameCallback), kiosk already live on the wall;\n' +
        'direct P2P: negotiation start → first frame, two pages, one RTCPeerConnection; bare mediasoup: receiver start → first frame, same worker and simulcast, no app.',
    );
    return {
      p50: percentile(o, 50),
      p95: percentile(o, 95),
      directP50: percentile(direct, 50),
      directP95: percentile(direct, 95),
      bareP50: percentile(bare, 50),
      bareP95: percentile(bare, 95),
      p95VsDirect: percentile(o, 95) / percentile(direct, 95),
    };
  } finally {
    await browser.cleanup();
    await server.stop();
  }
}
