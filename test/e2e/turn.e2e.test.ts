// A township firewall that lets nothing through but TCP to the county's TURN relay (Debian's coturn). The kiosk
// page may use relay candidates only (every RTCPeerConnection it makes is forced to iceTransportPolicy 'relay'):
// its own host addresses never pair with the SFU, so the one way to the SFU is kiosk → TCP → coturn → UDP → SFU,
// as behind a firewall that allows only TCP to the relay. The SFU's own candidates stay in the kiosk's remote
// description: the relay must know where to send, and mediasoup (ICE-lite) never calls out, so a kiosk without
// them could not connect even through TURN. The relay gets its credentials only from the server's
// rtc:createTransport answers, so the call proves the whole chain: configuration → fresh credentials →
// mediasoup-client → Chromium → coturn's allocation → the SFU. The test reads the kiosk's selected candidate pairs,
// the relay's log, and how long the officer waited for the picture.
import { createHmac, randomBytes } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAndAnswer, openConsole, tileState, waitForScreen } from '../helpers/apps.js';
import { elementStats, forceRelayOnly, launchBrowser, newInstrumentedPage, selectedPairs } from '../helpers/browser.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { allocate, gatherRelay } from '../helpers/turn-client.js';
import { startTurnServer, type TurnServer } from '../helpers/turn-server.js';

interface SelectedPair {
  localType: string;
  relayProtocol: string;
  localProtocol: string;
  remoteType: string;
  remoteProtocol: string;
}

/** The candidate pair each of the page's live connections selected, and the TURN usernames it was given. */
async function selectedPairsAndUsers(page: Page): Promise<{ pairs: SelectedPair[]; usernames: string[] }> {
  const pairs = (await selectedPairs(page)).map(({ local, remote }) => ({
    localType: local.type,
    relayProtocol: local.relayProtocol,
    localProtocol: local.protocol,
    remoteType: remote.type,
    remoteProtocol: remote.protocol,
  }));
  const usernames = await page.evaluate(() =>
    ((window as unknown as { __vjPcs?: RTCPeerConnection[] }).__vjPcs ?? [])
      .filter((pc) => pc.connectionState === 'connected')
      .flatMap((pc) => (pc.getConfiguration().iceServers ?? []).flatMap((s) => (s.username ? [s.username] : []))),
  );
  return { pairs, usernames };
}

describe('a kiosk that reaches the county only through the TURN relay over TCP', () => {
  const secret = randomBytes(36).toString('base64');
  let turn: TurnServer;
  let server: TestServer;
  let open: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    turn = await startTurnServer(secret);
    server = await startTestServer({ env: { TURN_URLS: turn.url, TURN_SECRET: secret } });
    open = await launchBrowser();
  });
  afterAll(async () => {
    await open?.cleanup();
    await server?.stop();
    await turn?.stop();
  });

  /** A kiosk page whose connections may use relay candidates only. */
  async function relayOnlyKiosk(room: string): Promise<Page> {
    const page = await newInstrumentedPage(open);
    await forceRelayOnly(page);
    await page.goto(`${server.url}/kiosk/#device=${server.demoSecrets().kiosks[room]}`);
    return page;
  }

  /** `kiosk` in `room` calls and `consolePage` answers; ms from the answer to the officer's first frames. */
  async function call(kiosk: Page, consolePage: Page, room: string): Promise<number> {
    await waitForScreen(kiosk, 'idle');
    await waitFor('console shows the kiosk online', async () => (await tileState(consolePage, room)) === 'online');
    await callAndAnswer(kiosk, consolePage, room);
    const answered = performance.now();
    await waitFor(
      'the officer sees and hears the villager',
      async () => {
        const s = await elementStats(consolePage, 'remote-video');
        return (s.videoFramesDecoded > 5 && s.audioPacketsReceived > 10) || undefined;
      },
      { timeoutMs: 30_000 },
    );
    const ms = performance.now() - answered;
    await kiosk.bringToFront();
    await waitForScreen(kiosk, 'in_call');
    await consolePage.bringToFront();
    return ms;
  }

  it('connects through coturn over TCP, the officer sees and hears the villager, and a short drop reconnects with fresh credentials', async () => {
    const consolePage = await openConsole(open, server.url, 'officer1', 'officer1-demo');
    const kiosk = await relayOnlyKiosk('xingsha');
    const allocationsBefore = turn.allocations();
    const ms = await call(kiosk, consolePage, 'xingsha');

    // Both of the kiosk's transports (camera out, officer in) run over a relay reached over TCP.
    const { pairs, usernames } = await waitFor('the kiosk to report both selected connections', async () => {
      const s = await selectedPairsAndUsers(kiosk);
      return s.pairs.length >= 2 ? s : undefined;
    });
    for (const p of pairs) expect(p).toEqual({ localType: 'relay', relayProtocol: 'tcp', localProtocol: 'udp', remoteType: 'host', remoteProtocol: 'udp' });
    // coturn allocated for the credentials the server gave this kiosk, and they name no one.
    expect(turn.allocations()).toBeGreaterThan(allocationsBefore);
    expect(usernames.length).toBeGreaterThanOrEqual(2);
    for (const u of usernames) expect(u).toMatch(/^\d+:[A-Za-z0-9_-]{22}$/);
    expect(usernames.some((u) => turn.log().includes(`user <${u}>: incoming packet ALLOCATE processed, success`))).toBe(true);
    // Still flowing a few seconds on, through the relay.
    const before = await elementStats(consolePage, 'remote-video');
    await waitFor(
      'frames still rising through the relay',
      async () => (await elementStats(consolePage, 'remote-video')).videoFramesDecoded > before.videoFramesDecoded + 20 || undefined,
      { timeoutMs: 15_000 },
    );

    // A short drop: the kiosk restarts ICE with the fresh credentials that come with the new ICE parameters, and
    // coturn allocates again for them.
    const cdp = await kiosk.createCDPSession();
    await cdp.send('Network.enable');
    const cut = Date.now();
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: 0, uploadThroughput: 0 });
    await waitFor('about 5 s offline', () => Date.now() - cut > 5000, { timeoutMs: 8000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await kiosk.bringToFront();
    await waitFor(
      'kiosk back in the call',
      async () => (await kiosk.$('[data-testid=reconnecting]')) === null && (await kiosk.$('[data-testid=in-call]')) !== null,
      { timeoutMs: 30_000 },
    );
    const restarted = await waitFor(
      'the kiosk to connect through the relay with new credentials',
      async () => {
        const s = await selectedPairsAndUsers(kiosk);
        const fresh = s.usernames.filter((u) => !usernames.includes(u));
        return s.pairs.length >= 2 && fresh.length >= 2 && fresh.some((u) => turn.log().includes(`user <${u}>: incoming packet ALLOCATE processed, success`))
          ? s
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
    for (const p of restarted.pairs) expect(p).toMatchObject({ localType: 'relay', relayProtocol: 'tcp' });
    await consolePage.bringToFront();
    const resumed = await elementStats(consolePage, 'remote-video');
    await waitFor(
      'frames rising again after the restart',
      async () => (await elementStats(consolePage, 'remote-video')).videoFramesDecoded > resumed.videoFramesDecoded + 20 || undefined,
      { timeoutMs: 20_000 },
    );
    await consolePage.click('[data-testid=hangup-button]');
    await waitForScreen(kiosk, 'ended');
    const allocations = turn.allocations() - allocationsBefore;

    // A kiosk on an open network, same server and relay: ICE prefers the direct path, so TURN costs it nothing.
    const free = await newInstrumentedPage(open);
    await free.goto(`${server.url}/kiosk/#device=${server.demoSecrets().kiosks['langli']}`);
    const freeMs = await call(free, consolePage, 'langli');
    const direct = await waitFor('the open kiosk to report its selected connections', async () => {
      const s = await selectedPairsAndUsers(free);
      return s.pairs.length >= 2 ? s.pairs : undefined;
    });
    for (const p of direct) expect(p.localType).toBe('host');
    await consolePage.click('[data-testid=hangup-button]');
    console.log(
      `TURN over TCP: the officer's first frames ${Math.round(ms)} ms after answering (kiosk pairs ${pairs.map((p) => `${p.localType}/${p.relayProtocol}→${p.remoteType}/${p.remoteProtocol}`).join(', ')}; ${allocations} allocations); open network on the same server: ${Math.round(freeMs)} ms, direct ${direct.map((p) => `${p.localType}/${p.localProtocol}`).join(', ')}`,
    );
  });

  it('refuses an expired or wrong credential: coturn answers 401, and a relay-only connection gets no relay', async () => {
    const now = Math.floor(Date.now() / 1000);
    const password = (username: string, key = secret) => createHmac('sha1', key).update(username).digest('base64');
    const expired = `${now - 60}:${randomBytes(16).toString('base64url')}`;
    const fresh = `${now + 600}:${randomBytes(16).toString('base64url')}`;
    expect(await allocate(turn.port, expired, password(expired))).toMatchObject({ status: 401 });
    expect(await allocate(turn.port, fresh, password(fresh, randomBytes(36).toString('base64')))).toMatchObject({ status: 401 });
    expect(await allocate(turn.port, fresh, password(fresh))).toMatchObject({ status: 200 }); // the same request, signed right

    // Chromium given the expired credential: no relay candidate, so a relay-only connection has nothing to try.
    const page = await newInstrumentedPage(open);
    await page.goto(`${server.url}/api/health`);
    const gathered = await gatherRelay(page, turn.url, expired, password(expired));
    expect(gathered.state).toBe('complete');
    expect(gathered.types).not.toContain('relay');
    expect(gathered.errors).toContain(401);
    await page.close();
  });
});
