// A township line that turns bad in the middle of a call, and recovers. The kiosk reaches the SFU through a
// userspace relay that drops media packets both ways (15 %, then 35 %); the SFU grades the villager's line from what it measures,
// and the officer sees the grade on the room's wall tile and in the call view. A line too poor for video for a
// few seconds switches the call to sound only: the kiosk stops sending its camera (the officer's picture stays
// on the last frame, with a notice), speech goes on, and the picture comes back once the line has recovered.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAndAnswer, openConsole, tileState, waitForScreen } from '../helpers/apps.js';
import { elementStats, launchBrowser, newInstrumentedPage } from '../helpers/browser.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { UdpRelay, attachRelay, selectedRemotes } from '../helpers/udp-relay.js';
import { SOUND_ONLY_AFTER_MS } from '../../signaling/src/sessions/link-watch.js';

/** The server's log lines, and in the cluster topology its SFU nodes' too: the SFU decides which layer is sent. */
const logLines = (server: TestServer) => [...server.logs, ...((server as Partial<{ sfu: { logs: string[] }[] }>).sfu ?? []).flatMap((n) => n.logs)];

const attr = (page: Page, testId: string, name: string) => page.$eval(`[data-testid="${testId}"]`, (el, n) => el.getAttribute(n), name).catch(() => null);

describe('the villager’s line, graded and shown', () => {
  let server: TestServer;
  let open: Awaited<ReturnType<typeof launchBrowser>>;
  const relay = new UdpRelay({ seed: 19 });
  beforeAll(async () => {
    server = await startTestServer();
    open = await launchBrowser();
  });
  afterAll(async () => {
    await open?.cleanup();
    await server?.stop();
    await relay.close();
  });

  it('turns poor on the wall and in the call view under loss, falls back to sound only, and comes back', async () => {
    const room = 'xingsha';
    const consolePage = await openConsole(open, server.url, 'officer1', 'officer1-demo');
    const kiosk = await newInstrumentedPage(open);
    await attachRelay(kiosk, relay);
    await kiosk.goto(`${server.url}/kiosk/#device=${server.demoSecrets().kiosks[room]}`);
    await waitForScreen(kiosk, 'idle');
    await waitFor('console shows the kiosk online', async () => (await tileState(consolePage, room)) === 'online');
    await callAndAnswer(kiosk, consolePage, room);
    await waitForScreen(kiosk, 'in_call');
    const remotes = await waitFor('the kiosk to select its connections', async () => {
      const r = await selectedRemotes(kiosk);
      return r.length > 0 ? r : undefined;
    });
    expect(await Promise.all(remotes.map((r) => relay.isRelayPort(r.port)))).toEqual(remotes.map(() => true));

    // A clean line grades good, on the tile and in the call view.
    await waitFor('the call view grades the line good', async () => (await attr(consolePage, 'call-link', 'data-level')) === 'good' || undefined, {
      timeoutMs: 20_000,
    });
    await waitFor('the wall tile grades the line good', async () => (await attr(consolePage, `tile-link-${room}`, 'data-level')) === 'good' || undefined);

    // 15 % of media lost both ways: poor on the badge, but the picture holds (a direct call keeps 20 fps at 15 %):
    // it goes on moving past the time a sound-only switch would have taken.
    const lossAt = performance.now();
    relay.set('both', { loss: 0.15 });
    await waitFor('the call view grades the line poor', async () => (await attr(consolePage, 'call-link', 'data-level')) === 'poor' || undefined, {
      timeoutMs: 20_000,
    });
    const poorMs = performance.now() - lossAt;
    await waitFor('the wall tile grades the line poor', async () => (await attr(consolePage, `tile-link-${room}`, 'data-level')) === 'poor' || undefined);
    expect(await attr(kiosk, 'line-banner', 'data-state')).toBe('poor');
    expect(relay.counters('up').droppedBy.loss).toBeGreaterThan(0);
    expect(relay.counters('down').droppedBy.loss).toBeGreaterThan(0);
    const held = await elementStats(consolePage, 'remote-video');
    const heldAt = performance.now();
    await waitFor(
      'the picture still moving at 15 % loss, past the sound-only delay',
      async () => {
        if ((await consolePage.$('[data-testid=sound-only]')) !== null) throw new Error('switched to sound only at 15 % loss');
        const s = await elementStats(consolePage, 'remote-video');
        return (performance.now() - heldAt > SOUND_ONLY_AFTER_MS + 3000 && s.videoFramesDecoded > held.videoFramesDecoded + 30) || undefined;
      },
      { timeoutMs: 30_000 },
    );

    // On a lossy uplink the SFU forwards the layer below the kiosk's top one, which the browser keeps sending
    // while it stops and restarts the top one as its estimate swings: the call view shows the smaller picture.
    await waitFor('the SFU to hold back the kiosk’s top layer', () => logLines(server).some((l) => l.includes('top video layer held back')) || undefined);
    await waitFor(
      'the call view to show a layer below the top',
      async () => {
        const w = (await elementStats(consolePage, 'remote-video')).videoFrameWidth;
        return (w > 0 && w <= 640) || undefined;
      },
      { timeoutMs: 20_000 },
    );

    // 35 %: what the kiosk sends cannot carry video. Held that long, sound only; the kiosk says so, the officer's
    // picture stops while the sound goes on.
    const heavyAt = performance.now();
    relay.set('both', { loss: 0.35 });
    await waitFor('the officer is told the call is sound only', async () => (await consolePage.$('[data-testid=sound-only]')) !== null || undefined, {
      timeoutMs: 30_000,
    });
    const soundOnlyMs = performance.now() - heavyAt;
    await waitFor('the kiosk says the picture is paused', async () => (await attr(kiosk, 'line-banner', 'data-state')) === 'sound_only' || undefined);
    // Frames already in flight may still land: wait for the count to settle, then check it stays put while audio flows.
    const frozen = await waitFor(
      'the officer’s picture to stop',
      async () => {
        const a = await elementStats(consolePage, 'remote-video');
        await new Promise((r) => setTimeout(r, 1500));
        const b = await elementStats(consolePage, 'remote-video');
        return b.videoFramesDecoded === a.videoFramesDecoded ? b : undefined;
      },
      { timeoutMs: 20_000 },
    );
    await waitFor(
      'the villager’s voice still reaching the officer',
      async () => (await elementStats(consolePage, 'remote-video')).audioPacketsReceived > frozen.audioPacketsReceived + 50 || undefined,
      { timeoutMs: 15_000 },
    );

    // The line recovers: the grade comes back, then the picture.
    const clearAt = performance.now();
    relay.clear();
    await waitFor('the call view grades the line better again', async () => (await attr(consolePage, 'call-link', 'data-level')) !== 'poor' || undefined, {
      timeoutMs: 30_000,
    });
    const betterMs = performance.now() - clearAt;
    await waitFor('the sound-only notice to go', async () => (await consolePage.$('[data-testid=sound-only]')) === null || undefined, { timeoutMs: 30_000 });
    await waitFor(
      'the officer’s picture moving again',
      async () => (await elementStats(consolePage, 'remote-video')).videoFramesDecoded > frozen.videoFramesDecoded + 20 || undefined,
      { timeoutMs: 20_000 },
    );
    const videoBackMs = performance.now() - clearAt;
    await waitFor('the kiosk banner to go', async () => (await kiosk.$('[data-testid=line-banner]')) === null || undefined);
    await waitFor('the wall tile no longer poor', async () => (await attr(consolePage, `tile-link-${room}`, 'data-level')) !== 'poor' || undefined);

    // Twenty clean seconds later the top layer is forwarded again, and the call view shows the full picture.
    await waitFor('the SFU to forward the top layer again', () => logLines(server).some((l) => l.includes('top video layer forwarded again')) || undefined, {
      timeoutMs: 60_000,
    });
    await waitFor('the call view back at the top layer', async () => (await elementStats(consolePage, 'remote-video')).videoFrameWidth > 640 || undefined, {
      timeoutMs: 60_000,
    });
    const topBackMs = performance.now() - clearAt;

    await consolePage.click('[data-testid=hangup-button]');
    await waitForScreen(kiosk, 'ended');
    // The badge belongs to a live session: an idle room shows none.
    await waitFor('the tile badge gone with the session', async () => (await consolePage.$(`[data-testid=tile-link-${room}]`)) === null || undefined);
    console.log(
      `line quality: poor shown ${Math.round(poorMs)} ms after 15 % loss began, video held; sound only ${Math.round(soundOnlyMs)} ms after 35 % loss began; ` +
        `after recovery, grade better in ${Math.round(betterMs)} ms, video back in ${Math.round(videoBackMs)} ms, top layer back in ${Math.round(topBackMs)} ms`,
    );
  });
});
