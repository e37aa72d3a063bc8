// 密封事项 and the video wall (issue 16): a matter taken in a live call is sealed while the call is still on the wall
// every county officer watches. The call leaves the wall for everyone, a console opened afterwards never gets it,
// and the call between the villager and the answering officer goes on.
import { describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { hasTileVideo, oneAnsweredOneRinging, openConsole, openKiosk, screenOf, tileState, waitForScreen } from '../helpers/apps.js';
import { elementStats, framesRising } from '../helpers/browser.js';
import { useServerAndBrowser } from '../helpers/e2e.js';
import { petitionBody } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';

const t0 = Date.now();
/** Where a slow run spent its time. */
const step = (what: string) => console.log(`wall-seal: ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);

describe('a matter sealed during its call leaves the video wall', () => {
  const env = useServerAndBrowser();

  it('the second officer’s wall drops the room’s tile, a console opened later never shows it, and the call itself goes on', async () => {
    const server = env.server();
    const browser = env.browser();
    const answering = await openConsole(browser, server.url, 'officer1', 'officer1-demo');
    const watching = await openConsole(browser, server.url, 'officer2', 'officer2-demo');
    // Two rooms call: xingsha is answered (its matter gets sealed), langli keeps calling and stays on the wall,
    // so "gone" below is about the sealing and not about a wall that shows nothing.
    const kiosk = await openKiosk(browser, server.url, server.demoSecrets().kiosks['xingsha']!);
    const other = await openKiosk(browser, server.url, server.demoSecrets().kiosks['langli']!);
    for (const k of [kiosk, other]) await waitForScreen(k, 'idle');
    for (const c of [answering, watching]) {
      await waitFor('both kiosks online', async () => (await tileState(c, 'xingsha')) === 'online' && (await tileState(c, 'langli')) === 'online');
    }
    // A kiosk is a screen of its own, always in front: a background tab never finishes puppeteer's click.
    await oneAnsweredOneRinging(other, kiosk, answering, 'xingsha');
    step('langli calling, xingsha answered');

    // Both rooms are live on the other officer's wall.
    await watching.bringToFront();
    for (const room of ['xingsha', 'langli']) await framesRising(watching, `tile-video-${room}`, waitFor, 10, 30_000);
    step('both on the wall');

    // The answering officer files the villager's matter from the call; the office's supervisor seals it.
    const rooms = await api<{ rooms: { code: string; sessionId: string | null }[] }>(server.url, 'GET', '/api/rooms', {
      token: await loginToken(server.url, 'supervisor', 'supervisor-demo'),
    });
    const sessionId = rooms.body.rooms.find((r) => r.code === 'xingsha')!.sessionId!;
    const body = petitionBody('xingsha', null, { sessionId, narrative: '反映县纪委监委某领导干预案件办理' });
    const filed = await api(server.url, 'POST', '/api/petitions', { token: await loginToken(server.url, 'officer1', 'officer1-demo'), body });
    expect(filed.status).toBe(200);
    // Still on the wall while the matter is open.
    expect(await hasTileVideo(watching, 'xingsha')).toBe(true);
    const sealed = await api(server.url, 'POST', `/api/petitions/${body.id}/seal`, {
      token: await loginToken(server.url, 'supervisor', 'supervisor-demo'),
      body: { reason: '核实发现反映的是县纪委监委领导班子成员' },
    });
    expect(sealed.status).toBe(200);
    step('sealed');

    // Gone from the other officer's wall; the other room plays on.
    await waitFor('the sealed call’s tile gone from the wall', async () => !(await hasTileVideo(watching, 'xingsha')));
    await framesRising(watching, 'tile-video-langli', waitFor);
    expect(await hasTileVideo(watching, 'xingsha')).toBe(false);

    step('tile gone');
    // A console that opens the wall afterwards gets langli's tile and never xingsha's.
    const later = await openConsole(browser, server.url, 'supervisor', 'supervisor-demo');
    await later.bringToFront();
    await framesRising(later, 'tile-video-langli', waitFor, 10, 30_000);
    expect(await hasTileVideo(later, 'xingsha')).toBe(false);
    // Its room shows as in a private call (sessions/sealed-room.ts), as any call an officer made private looks.
    expect(await tileState(later, 'xingsha')).toBe('private');

    step('a later console never gets it');
    // The call itself goes on, both ways.
    expect(await screenOf(kiosk)).toBe('in_call');
    await answering.bringToFront();
    const onConsole = await framesRising(answering, 'remote-video', waitFor);
    expect(onConsole.audioPacketsReceived).toBeGreaterThan(0);
    await kiosk.bringToFront();
    await framesRising(kiosk, 'remote-video', waitFor);
    // Nor does the answering officer's own wall (beside the call) bring it back.
    expect(await hasTileVideo(answering, 'xingsha')).toBe(false);
    expect((await elementStats(watching, 'tile-video-langli')).videoFramesDecoded).toBeGreaterThan(0);
  }, 180_000);
});
