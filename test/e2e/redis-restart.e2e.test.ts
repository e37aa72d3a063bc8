// Topology: pinned — starts the cluster it is about itself, on a Redis it restarts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { kioskCallsConsole, openConsole } from '../helpers/apps.js';
import { framesRising, launchBrowser, videoTrackId } from '../helpers/browser.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { waitFor } from '../helpers/poll.js';
import { presentedFrames, logPresentedFrames } from '../helpers/presented-frames.js';
import { restartableRedis } from '../helpers/services.js';

// Redis restarts (killed, back empty) in the middle of a cross-node call on 2 signaling + 2 SFU nodes. A private
// redis-server on its own port, so the machine's Redis (CI's) is left alone.

let redis: Awaited<ReturnType<typeof restartableRedis>>;
let cluster: TestCluster;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  redis = await restartableRedis();
  cluster = await startTestCluster({ redis });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.cleanup();
  await cluster?.stop();
});

/** The longest time in [from, to] (page clock) with no new frame on screen. */
const longestGap = (frames: number[], from: number, to: number) =>
  [from, ...frames, to].reduce((m, t, i, all) => (i === 0 ? 0 : Math.max(m, t - all[i - 1]!)), 0);

type Rooms = { rooms: { code: string; sessionId: string | null; state: string }[] };

describe('Redis restart during a live call', () => {
  it('media keeps flowing, signaling recovers by itself; the gap and the recovery time are reported', async () => {
    const [n0, n1] = cluster.signaling;
    const room = 'changlong';
    const consolePage = await openConsole(browser, n1!.url, 'officer1', 'officer1-demo');
    const kiosk = await kioskCallsConsole(browser, n0!.url, cluster.demoSecrets().kiosks[room]!, consolePage, room);
    const token = await loginToken(cluster.url, 'supervisor', 'supervisor-demo');
    const sessionId = (await api<Rooms>(n0!.url, 'GET', '/api/rooms', { token })).body.rooms.find((r) => r.code === room)!.sessionId!;

    // What the officer sees, timed in the page (presented frames, compositor clock), so a busy test process cannot
    // stretch a gap the viewer never saw. The same-run baseline: the longest gap over 3 s with Redis up. Media never
    // passes through Redis, so a gap across the restart longer than the machine's own would be the restart's.
    await framesRising(consolePage, 'remote-video', waitFor);
    await logPresentedFrames(consolePage, 'remote-video');
    const pageNow = () => consolePage.evaluate(() => performance.now());
    const trackBefore = await videoTrackId(consolePage, 'remote-video');
    const baselineFrom = await pageNow();
    await new Promise((r) => setTimeout(r, 3000));
    const killedAtPage = await pageNow();
    const baseline = longestGap(await presentedFrames(consolePage, baselineFrom, killedAtPage), baselineFrom, killedAtPage);
    const killedAt = Date.now();
    await redis.kill();
    await waitFor('a moment without Redis', () => Date.now() - killedAt > 1000, { intervalMs: 50 });
    await redis.start();
    const backAt = Date.now();
    // Signaling has recovered when node 0 shows the live session again (presence written back) and node 1
    // reaches the session's owner over Redis (the media view is served by the owner).
    await waitFor(
      'presence written back',
      async () => (await api<Rooms>(n0!.url, 'GET', '/api/rooms', { token })).body.rooms.find((r) => r.code === room)?.state === 'in_session',
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    await waitFor('cross-node request served', async () => (await api(n1!.url, 'GET', `/api/sessions/${sessionId}/media`, { token })).status === 200, {
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    const recoveredMs = Date.now() - backAt;
    await framesRising(consolePage, 'remote-video', waitFor);
    const endPage = await pageNow();
    const gap = longestGap(await presentedFrames(consolePage, killedAtPage, endPage), killedAtPage, endPage);
    const resubscribed = (await videoTrackId(consolePage, 'remote-video')) !== trackBefore;
    console.log(
      `[redis-restart] Redis down ${backAt - killedAt} ms; longest gap between frames on the console's call view ${Math.round(gap)} ms ` +
        `(with Redis up, same run: ${Math.round(baseline)} ms); signaling recovered ${recoveredMs} ms after Redis was back; ` +
        `the call view ${resubscribed ? 'subscribed again (new track)' : 'kept its track'}`,
    );
    expect(gap).toBeLessThan(Math.max(1000, 2 * baseline));

    // The session still works end to end through Redis: hang up from the console (node 1, owner node 0).
    await consolePage.$eval('[data-testid=hangup-button]', (el) => (el as HTMLButtonElement).click());
    await waitFor(
      'session ended',
      async () => (await api<Rooms>(n0!.url, 'GET', '/api/rooms', { token })).body.rooms.find((r) => r.code === room)?.sessionId === null,
      { timeoutMs: 20_000 },
    );
    for (const p of [consolePage, kiosk]) await p.close();
    const left = await waitFor(
      'SFU empty but for the wall',
      async () => {
        const d = (await api<{ routers: number; transports: number; producers: number; consumers: number }>(n0!.url, 'GET', '/api/admin/sfu', { token })).body;
        return d.routers <= 1 && d.transports === 0 && d.producers === 0 && d.consumers === 0 ? d : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(left.routers).toBeLessThanOrEqual(1);
  });
});
