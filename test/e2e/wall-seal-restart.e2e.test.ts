// Topology: pinned — the restart of one server process, which loses every refusal held in memory, and a resume check
// built on the kiosk publishing again; a cluster's signaling restart leaves the media running on its SFU nodes.
// 密封事项 and the video wall across a restart (issue 16): a call whose matter was filed sealed left the wall; the server
// stops and starts again on the same data while the call goes on, the kiosk publishes its camera again, and the
// call still stays off the wall (the restarted server finds the sealed matter of the session it picks up).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { hasTileVideo, oneAnsweredOneRinging, openConsole, openKiosk, screenOf, tileState, waitForScreen } from '../helpers/apps.js';
import { framesRising, launchBrowser, videoTrackId } from '../helpers/browser.js';
import { petitionBody } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('a sealed call stays off the wall after a restart', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.cleanup();
    // The restarted server first: the first owns (and drops) the data they share.
    for (const s of servers.reverse()) await s.stop();
  });

  it('filed sealed from the call, the server restarted: the call resumes, a console opening the wall gets the other room and not this one', async () => {
    const env = { RECONNECT_GRACE_S: '60', RECORDING: 'off' };
    const first = await startTestServer({ env });
    servers.push(first);
    const answering = await openConsole(browser, first.url, 'officer1', 'officer1-demo');
    const kiosk = await openKiosk(browser, first.url, first.demoSecrets().kiosks['xingsha']!);
    const other = await openKiosk(browser, first.url, first.demoSecrets().kiosks['langli']!);
    for (const k of [kiosk, other]) await waitForScreen(k, 'idle');
    await waitFor(
      'both kiosks online',
      async () => (await tileState(answering, 'xingsha')) === 'online' && (await tileState(answering, 'langli')) === 'online',
    );
    // langli keeps calling throughout: the wall has a tile to show, before the restart and after it.
    await oneAnsweredOneRinging(other, kiosk, answering, 'xingsha');

    const rooms = await api<{ rooms: { code: string; sessionId: string | null }[] }>(first.url, 'GET', '/api/rooms', {
      token: await loginToken(first.url, 'supervisor', 'supervisor-demo'),
    });
    const sessionId = rooms.body.rooms.find((r) => r.code === 'xingsha')!.sessionId!;
    const watching = await openConsole(browser, first.url, 'officer2', 'officer2-demo');
    await watching.bringToFront();
    await framesRising(watching, 'tile-video-xingsha', waitFor, 10, 30_000);
    const filed = await api<{ sealed: boolean }>(first.url, 'POST', '/api/petitions', {
      token: await loginToken(first.url, 'officer1', 'officer1-demo'),
      body: petitionBody('xingsha', null, { sessionId, sealed: true, narrative: '反映县纪委监委某领导干预案件办理' }),
    });
    expect(filed.status).toBe(200);
    expect(filed.body.sealed).toBe(true);
    await waitFor('the sealed call’s tile gone from the wall', async () => !(await hasTileVideo(watching, 'xingsha')));
    await watching.close();

    // Stopped and started again on the same data, the call still on.
    const before = await videoTrackId(answering, 'remote-video');
    first.proc.kill('SIGTERM');
    await waitFor('server gone', () => first.proc.exitCode !== null || first.proc.signalCode !== null, { timeoutMs: 20_000 });
    const second = await startTestServer({ reuse: { dataDir: first.dataDir, databaseUrl: first.databaseUrl, port: first.port }, env });
    servers.push(second);
    // The kiosk published its camera again: the console shows a new track of it, frames rising.
    await answering.bringToFront();
    await waitFor('a new video track of the kiosk', async () => ((await videoTrackId(answering, 'remote-video')) ?? before) !== before, { timeoutMs: 90_000 });
    await framesRising(answering, 'remote-video', waitFor, 10, 30_000);
    expect(await screenOf(kiosk)).toBe('in_call');

    // A console opening the wall now: langli's camera plays, xingsha's is not there.
    const later = await openConsole(browser, second.url, 'officer2', 'officer2-demo');
    await later.bringToFront();
    await framesRising(later, 'tile-video-langli', waitFor, 10, 30_000);
    expect(await hasTileVideo(later, 'xingsha')).toBe(false);
    // Its room shows as in a private call (sessions/sealed-room.ts), as any call an officer made private looks.
    expect(await tileState(later, 'xingsha')).toBe('private');
  }, 240_000);
});
