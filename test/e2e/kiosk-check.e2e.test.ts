// Each kiosk checks its camera, microphone and media path to the SFU before the day's first call, and the county
// sees the result on the room's wall tile, so a broken room is known before a villager arrives. Three kiosks: a
// healthy one, one whose camera gives nothing, and one behind a firewall that drops every UDP packet and whose
// TCP path is gone too (the relay, with every candidate it cannot relay removed).
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole, openKiosk, waitForScreen } from '../helpers/apps.js';
import { launchBrowser, newInstrumentedPage } from '../helpers/browser.js';
import { checkScreenAtAllSizes } from '../helpers/layout.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { UdpRelay, attachRelay } from '../helpers/udp-relay.js';

const state = (page: Page, testId: string) => page.$eval(`[data-testid="${testId}"]`, (el) => el.getAttribute('data-state')).catch(() => null);
const title = (page: Page, testId: string) => page.$eval(`[data-testid="${testId}"]`, (el) => el.getAttribute('title')).catch(() => null);

describe('the kiosk’s daily check of itself', () => {
  let server: TestServer;
  let open: Awaited<ReturnType<typeof launchBrowser>>;
  const relay = new UdpRelay({ seed: 5 });
  beforeAll(async () => {
    server = await startTestServer({ env: { KIOSK_SELF_CHECK: 'on' } });
    open = await launchBrowser();
  });
  afterAll(async () => {
    await open?.cleanup();
    await server?.stop();
    await relay.close();
  });

  it('passes a healthy kiosk, fails a dead camera and a blocked network, and shows each on the wall', async () => {
    const consolePage = await openConsole(open, server.url, 'officer1', 'officer1-demo');
    const kiosks = server.demoSecrets().kiosks;

    // Healthy: checked on connecting, shown on the idle screen and on the tile.
    const t0 = performance.now();
    const healthy = await openKiosk(open, server.url, kiosks['xingsha']!);
    await waitForScreen(healthy, 'idle');
    await waitFor('the healthy kiosk’s check to pass', async () => (await state(healthy, 'device-check')) === 'ok' || undefined, { timeoutMs: 30_000 });
    const okMs = performance.now() - t0;
    await waitFor('the wall tile to show the pass', async () => (await state(consolePage, 'tile-check-xingsha')) === 'ok' || undefined);
    expect(await title(consolePage, 'tile-check-xingsha')).toContain('摄像头正常');

    // A camera that opens but gives nothing: the track is there and ends at once.
    const deadCamera = await newInstrumentedPage(open);
    await deadCamera.evaluateOnNewDocument(() => {
      const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (c?: MediaStreamConstraints) => {
        const s = await real(c);
        for (const t of s.getVideoTracks()) t.stop();
        return s;
      };
    });
    await deadCamera.goto(`${server.url}/kiosk/#device=${kiosks['langli']}`);
    await waitFor('the dead camera’s check to fail', async () => (await state(deadCamera, 'device-check')) === 'failed' || undefined, { timeoutMs: 30_000 });
    expect(await deadCamera.$eval('[data-testid=device-check]', (el) => el.textContent)).toContain('摄像头');
    // The idle screen with its check line, passed and failed, holds at every size, its text at body size (it was 18 px).
    const problems: string[] = [];
    for (const [page, screen] of [
      [healthy, 'idle-check-passed'],
      [deadCamera, 'idle-check-failed'],
    ] as const) {
      await page.bringToFront();
      problems.push(...(await checkScreenAtAllSizes(page, 'kiosk', screen)));
    }
    expect(problems).toEqual([]);
    await waitFor('the wall tile to show the failure', async () => (await state(consolePage, 'tile-check-langli')) === 'failed' || undefined);
    expect(await title(consolePage, 'tile-check-langli')).toContain('摄像头无画面');
    await consolePage.waitForSelector('[data-testid=alert-kiosk_check_failed-langli]', { timeout: 15_000 });

    // No way through: every UDP packet dropped and no TCP candidate left. The devices work; the network does not.
    relay.set('both', { blockAll: true });
    const blocked = await newInstrumentedPage(open);
    await attachRelay(blocked, relay, { dropUnrelayed: true });
    const t1 = performance.now();
    await blocked.goto(`${server.url}/kiosk/#device=${kiosks['quantang']}`);
    await waitFor('the blocked kiosk’s check to fail', async () => (await state(blocked, 'device-check')) === 'failed' || undefined, { timeoutMs: 40_000 });
    const blockedMs = performance.now() - t1;
    expect(await blocked.$eval('[data-testid=device-check]', (el) => el.textContent)).toContain('网络');
    expect(relay.counters('up').droppedBy.blocked).toBeGreaterThan(0);
    await waitFor(
      'the wall tile to show the network failure',
      async () => (await title(consolePage, 'tile-check-quantang'))?.includes('音视频无法送达') || undefined,
    );
    console.log(`device check: healthy kiosk passed ${Math.round(okMs)} ms after opening; blocked network failed after ${Math.round(blockedMs)} ms`);
  });
});
