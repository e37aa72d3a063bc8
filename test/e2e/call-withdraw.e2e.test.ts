// 保密与回避 in a live call (issue 16), on the screens: a supervisor watching a call is taken out of it when the officer
// who answered files a sealed matter from it. The supervisor's console leaves the call view and says so in one neutral
// sentence (nothing about a sealed matter); the villager and the officer carry on, and the kiosk shows nothing new.
import { describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { callAndAnswer, openConsole, openKiosk, screenOf, tileState, waitForScreen } from '../helpers/apps.js';
import { framesRising } from '../helpers/browser.js';
import { useServerAndBrowser } from '../helpers/e2e.js';
import { petitionBody } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';

describe('a watcher taken out of a call whose matter is sealed', () => {
  const env = useServerAndBrowser();

  it('the supervisor’s console leaves the call with the neutral message; the call goes on for the kiosk and the officer', async () => {
    const server = env.server();
    const browser = env.browser();
    const answering = await openConsole(browser, server.url, 'officer1', 'officer1-demo');
    const watching = await openConsole(browser, server.url, 'supervisor', 'supervisor-demo');
    const kiosk = await openKiosk(browser, server.url, server.demoSecrets().kiosks['xingsha']!);
    await waitForScreen(kiosk, 'idle');
    await waitFor('the kiosk online', async () => (await tileState(answering, 'xingsha')) === 'online');
    await kiosk.bringToFront();
    await callAndAnswer(kiosk, answering, 'xingsha');
    await kiosk.bringToFront();
    await waitForScreen(kiosk, 'in_call', 30_000);

    // The supervisor opens the room on the wall and monitors the call.
    await watching.bringToFront();
    await waitFor('the call on the supervisor’s wall', async () => (await tileState(watching, 'xingsha')) === 'in_session');
    await watching.click('[data-testid=tile-xingsha]');
    await watching.waitForSelector('[data-testid=watch-monitor]');
    await watching.click('[data-testid=watch-monitor]');
    await watching.waitForSelector('[data-testid=session-panel]');
    await framesRising(watching, 'remote-video', waitFor, 10, 30_000);

    // The answering officer files the villager's matter, sealed, from the call.
    const rooms = await api<{ rooms: { code: string; sessionId: string | null }[] }>(server.url, 'GET', '/api/rooms', {
      token: await loginToken(server.url, 'officer1', 'officer1-demo'),
    });
    const sessionId = rooms.body.rooms.find((r) => r.code === 'xingsha')!.sessionId!;
    const body = petitionBody('xingsha', null, { sessionId, sealed: true });
    const filed = await api<{ sealed: boolean }>(server.url, 'POST', '/api/petitions', {
      token: await loginToken(server.url, 'officer1', 'officer1-demo'),
      body,
    });
    expect(filed.status).toBe(200);
    expect(filed.body.sealed).toBe(true);

    // The supervisor's call view goes, with the one neutral message.
    await waitFor('the supervisor’s call view gone', async () => (await watching.$('[data-testid=session-panel]')) === null);
    const notice = await watching.$eval('[data-testid=notice]', (el) => el.textContent);
    expect(notice).toBe('您已退出该通话（按保密与回避规定）。');
    expect(notice).not.toMatch(/密封|保密事项/);

    // The call goes on, both ways; the kiosk is still in it.
    expect(await screenOf(kiosk)).toBe('in_call');
    await answering.bringToFront();
    expect(await answering.$('[data-testid=session-panel]')).not.toBeNull();
    await framesRising(answering, 'remote-video', waitFor);
    await kiosk.bringToFront();
    await framesRising(kiosk, 'remote-video', waitFor);
    expect(await screenOf(kiosk)).toBe('in_call');
  }, 180_000);
});
