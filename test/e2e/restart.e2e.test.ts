// Topology: pinned — a restart of the one process (SIGTERM, SIGINT, SIGKILL) and what a call does across it; a
// cluster node's death, with another node taking the call over, is cluster.e2e's.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { audioLog, installAudioProbeNow } from '../helpers/audio-probe.js';
import { callAndAnswer, consoleAndIdleKiosk, screenOf, tileState, waitForScreen } from '../helpers/apps.js';
import { framesRising, launchBrowser, videoTrackId } from '../helpers/browser.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

type SessionBody = { state: string; endReason: string | null; timeline: { events: { kind: string; details: Record<string, unknown> }[] } };

/**
 * The README's own stop (Ctrl+C, SIGTERM) and a crash (kill -9) during a call, with the one-process server
 * started again on the same data: the call comes back on both screens, or, when the server stays away past the
 * grace period, ends visibly on both, and the record never shows a hang-up nobody made.
 */
describe('a call across a stop and restart of the server', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const servers: TestServer[] = [];
  const timings: string[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    if (timings.length) console.log(`restart resume times:\n${timings.join('\n')}`);
    // VJ_SHOW_SERVER_LOGS=1: what the servers warned about, for a failure on a busy machine.
    if (process.env['VJ_SHOW_SERVER_LOGS'])
      for (const s of servers)
        console.log(
          s.logs.filter((l) => /"level":"(warn|error)"|session ended|event refused|stopping|socket connected|listening|reconnected/.test(l)).join('\n'),
        );
    await browser?.cleanup();
    // Restarted servers first: the first of each pair owns (and drops) the data they share.
    for (const s of servers.reverse()) await s.stop();
  });

  /** A server, a console and a kiosk in a call with media flowing both ways; returns the session id. */
  async function callInProgress(env: Record<string, string>, room: string) {
    const first = await startTestServer({ env });
    servers.push(first);
    const { consolePage, kiosk } = await consoleAndIdleKiosk(browser, first.url, first.demoSecrets().kiosks[room]!, room);
    await callAndAnswer(kiosk, consolePage, room);
    await waitForScreen(kiosk, 'in_call');
    await consolePage.bringToFront();
    await framesRising(consolePage, 'remote-video', waitFor);
    await framesRising(kiosk, 'remote-video', waitFor);
    const token = await loginToken(first.url, 'supervisor', 'supervisor-demo');
    const rooms = await api<{ rooms: { code: string; sessionId: string | null }[] }>(first.url, 'GET', '/api/rooms', { token });
    const sessionId = rooms.body.rooms.find((r) => r.code === room)!.sessionId!;
    return { first, consolePage, kiosk, sessionId };
  }

  /** Stops the server the way given and waits until the process is gone. */
  async function stopServer(server: TestServer, how: 'SIGTERM' | 'SIGINT' | 'SIGKILL'): Promise<void> {
    server.proc.kill(how);
    await waitFor(`server gone after ${how}`, () => server.proc.exitCode !== null || server.proc.signalCode !== null, { timeoutMs: 20_000 });
  }

  function restart(first: TestServer, env: Record<string, string>): Promise<TestServer> {
    return startTestServer({ reuse: { dataDir: first.dataDir, databaseUrl: first.databaseUrl, port: first.port }, env }).then((s) => {
      servers.push(s);
      return s;
    });
  }

  // One login per server: polling with a fresh login each time would run into the login limit.
  const tokens = new Map<TestServer, Promise<string>>();
  async function session(server: TestServer, sessionId: string): Promise<SessionBody> {
    if (!tokens.has(server)) tokens.set(server, loginToken(server.url, 'supervisor', 'supervisor-demo'));
    const token = await tokens.get(server)!;
    return (await api<SessionBody>(server.url, 'GET', `/api/sessions/${sessionId}`, { token })).body;
  }

  /** Live video again on the <video> each user looks at: a new track (the media was rebuilt) whose frames rise. */
  async function resumedOn(page: Page, before: string | null, who: string): Promise<void> {
    await page.bringToFront();
    await waitFor(
      `${who}: a new video track`,
      async () => {
        const id = await videoTrackId(page, 'remote-video');
        return id !== null && id !== before;
      },
      { timeoutMs: 90_000 },
    );
    await framesRising(page, 'remote-video', waitFor, 10, 30_000);
  }

  const cases = [
    { how: 'SIGTERM', downMs: 2_000, room: 'xingsha' },
    { how: 'SIGINT', downMs: 6_000, room: 'langli' },
    { how: 'SIGKILL', downMs: 6_000, room: 'jinjing' },
  ] as const;

  for (const c of cases) {
    it(`${c.how}, started again ${c.downMs / 1000} s later: the call resumes on both screens, and no false hang-up is recorded`, async () => {
      const env = { RECONNECT_GRACE_S: '60' };
      const { first, consolePage, kiosk, sessionId } = await callInProgress(env, c.room);
      const [kioskTrack, consoleTrack] = [await videoTrackId(kiosk, 'remote-video'), await videoTrackId(consolePage, 'remote-video')];

      const t0 = Date.now();
      await stopServer(first, c.how);
      // The kiosk keeps the call and says so; it is not sent back to the start.
      await waitFor('kiosk shows the reconnect overlay', async () => (await kiosk.$('[data-testid=reconnecting]')) !== null);
      expect(await screenOf(kiosk)).toBe('in_call');
      await waitFor(`${c.downMs} ms down`, () => Date.now() - t0 >= c.downMs, { timeoutMs: c.downMs + 5_000 });
      const second = await restart(first, env);
      const up = Date.now();

      await resumedOn(consolePage, consoleTrack, 'console');
      const consoleAt = Date.now();
      await resumedOn(kiosk, kioskTrack, 'kiosk');
      const kioskAt = Date.now();
      expect(await kiosk.$('[data-testid=reconnecting]')).toBeNull();
      expect(await screenOf(kiosk)).toBe('in_call');
      const s = (n: number) => `${(n / 1000).toFixed(1)} s`;
      timings.push(
        `  ${c.how.padEnd(7)} down ${s(up - t0)} (incl. start-up): console live ${s(consoleAt - up)} and kiosk live ${s(kioskAt - up)} after the server was ready; ${s(Math.max(consoleAt, kioskAt) - t0)} from the stop (ready at ${new Date(up).toISOString()})`,
      );

      // The record: still the same open session, every drop on its timeline, no end of any kind.
      const during = await session(second, sessionId);
      expect(during.state).toBe('active');
      expect(during.endReason).toBeNull();
      const kinds = during.timeline.events.map((e) => e.kind);
      expect(kinds).not.toContain('ended');
      expect(kinds.filter((k) => k === 'reconnected').length).toBeGreaterThanOrEqual(2);
      if (c.how !== 'SIGKILL')
        expect(during.timeline.events.some((e) => e.kind === 'disconnected' && e.details['cause'] === 'server_stop' && e.details['signal'] === c.how)).toBe(
          true,
        );

      // The officer ends the call as usual, and that is what the record says.
      await consolePage.bringToFront();
      await consolePage.click('[data-testid=hangup-button]');
      await waitForScreen(kiosk, 'ended');
      const after = await waitFor('session ended', async () => {
        const b = await session(second, sessionId);
        return b.state === 'ended' ? b : undefined;
      });
      expect(after.endReason).toBe('officer_hangup');
      await kiosk.close();
      await consolePage.close();
    }, 300_000);
  }

  it('started again after the grace period: both screens end the call within seconds, and the room is free again', async () => {
    const env = { RECONNECT_GRACE_S: '5' };
    const room = 'chunhua';
    const { first, consolePage, kiosk, sessionId } = await callInProgress(env, room);
    await installAudioProbeNow(kiosk);
    const t0 = Date.now();
    await stopServer(first, 'SIGKILL');

    // Neither screen can reach the server: each gives the call up after the grace period, and says why.
    const kioskEnded = await waitFor('kiosk ends the call', async () => ((await screenOf(kiosk)) === 'ended' ? Date.now() : undefined), { timeoutMs: 30_000 });
    expect(await kiosk.$eval('[data-testid=ended-note]', (el) => el.textContent)).toContain('连接中断');
    // …aloud as well, with no server to fetch the words from: they were loaded while it answered. The note and the
    // end together take several seconds to say.
    const atEnd = await audioLog(kiosk);
    await waitFor("the lost call's end said aloud", async () => (await audioLog(kiosk)).loudMs - atEnd.loudMs >= 2000, { timeoutMs: 20_000 });
    await consolePage.bringToFront();
    const consoleEnded = await waitFor(
      'console ends the call',
      async () => ((await consolePage.$('[data-testid=session-panel]')) === null ? Date.now() : undefined),
      { timeoutMs: 30_000 },
    );
    expect(await consolePage.$eval('[data-testid=notice]', (el) => el.textContent)).toContain('连接中断');
    // Not before the grace period (5 s): a shorter outage would have been resumed.
    expect(kioskEnded - t0).toBeGreaterThanOrEqual(4_500);
    expect(consoleEnded - t0).toBeGreaterThanOrEqual(4_500);
    expect(Math.max(kioskEnded, consoleEnded) - t0).toBeLessThan(15_000);

    await waitFor('7 s down', () => Date.now() - t0 >= 7_000, { timeoutMs: 12_000 });
    const second = await restart(first, env);
    const up = Date.now();
    // The kiosk tells the server it gave the call up: the room is free at once, not after another grace period.
    const ended = await waitFor(
      'session closed on the server',
      async () => {
        const b = await session(second, sessionId);
        return b.state === 'ended' ? b : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const closedAt = Date.now();
    expect(ended.endReason).toBe('server_restart');
    await waitFor('console shows the room online again', async () => (await tileState(consolePage, room)) === 'online', { timeoutMs: 20_000 });
    expect(await consolePage.$('[data-testid=session-panel]')).toBeNull();
    timings.push(
      `  past grace (5 s): kiosk ended ${((kioskEnded - t0) / 1000).toFixed(1)} s and console ${((consoleEnded - t0) / 1000).toFixed(1)} s after the kill; session closed ${((closedAt - up) / 1000).toFixed(1)} s after the restart was ready`,
    );
    await kiosk.close();
    await consolePage.close();
  }, 300_000);

  it('a kiosk that does not come back: the server ends the call after the grace period and the console shows it within seconds', async () => {
    // Long enough that the console is surely back within it on a loaded machine (a stop and start can take 10 s).
    const env = { RECONNECT_GRACE_S: '20' };
    const room = 'huanghua';
    const { first, consolePage, kiosk, sessionId } = await callInProgress(env, room);
    await stopServer(first, 'SIGTERM');
    await kiosk.close(); // the kiosk is switched off while the server is down
    const second = await restart(first, env);
    await consolePage.bringToFront();
    const ended = await waitFor(
      'server ends the session',
      async () => {
        const b = await session(second, sessionId);
        return b.state === 'ended' ? b : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const decided = Date.now();
    expect(ended.endReason).toBe('kiosk_disconnected');
    await waitFor('console shows the end', async () => (await consolePage.$('[data-testid=session-panel]')) === null, { timeoutMs: 10_000 });
    timings.push(`  kiosk gone: console showed the server's end ${((Date.now() - decided) / 1000).toFixed(1)} s after the record said so`);
    expect(await consolePage.$eval('[data-testid=notice]', (el) => el.textContent)).toBe('接待室终端网络中断');
    await consolePage.close();
  }, 300_000);
});
