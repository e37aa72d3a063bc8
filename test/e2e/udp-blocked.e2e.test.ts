// A township firewall that lets no UDP through. The kiosk page never learns the SFU's UDP candidates (they are
// taken out of every remote description and candidate it is given, which is what ICE sees when every UDP packet
// is dropped: no UDP pair ever works), so ICE must fall back to the SFU's TCP candidates (mediasoup's transports
// listen on TCP as well as UDP). Chromium's own switch for this (--force-webrtc-ip-handling-policy=
// disable_non_proxied_udp) is not applied to loopback connections, so it cannot stand in here. The call must
// still connect and the officer must see and hear the villager; the test reads which protocol each of the
// kiosk's connections really selected, and how long the picture took, beside a kiosk on an open network.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAndAnswer, openConsole, openKiosk, tileState, waitForScreen } from '../helpers/apps.js';
import { elementStats, launchBrowser, newInstrumentedPage, selectedPairs } from '../helpers/browser.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The transport protocol of the candidate pair each of the page's live connections selected. */
async function selectedProtocols(page: Page): Promise<string[]> {
  return (await selectedPairs(page)).map((p) => p.local.protocol);
}

describe('a kiosk behind a firewall that blocks UDP', () => {
  let server: TestServer;
  let open: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    server = await startTestServer();
    open = await launchBrowser();
  });
  afterAll(async () => {
    await open?.cleanup();
    await server?.stop();
  });

  /** A kiosk page that never sees a UDP candidate of the SFU. */
  async function kioskWithoutUdp(room: string): Promise<Page> {
    const page = await newInstrumentedPage(open);
    await page.evaluateOnNewDocument(() => {
      const udp = /^a=candidate:\S+ \d+ udp /im;
      const proto = RTCPeerConnection.prototype;
      const setRemote = proto.setRemoteDescription as (this: RTCPeerConnection, d?: RTCSessionDescriptionInit) => Promise<void>;
      proto.setRemoteDescription = function (this: RTCPeerConnection, d?: RTCSessionDescriptionInit) {
        const sdp = d?.sdp
          ?.split('\r\n')
          .filter((l) => !udp.test(l))
          .join('\r\n');
        return setRemote.call(this, d && { type: d.type, ...(sdp === undefined ? {} : { sdp }) });
      } as typeof proto.setRemoteDescription;
      const addCandidate = proto.addIceCandidate as (this: RTCPeerConnection, c?: RTCIceCandidateInit | null) => Promise<void>;
      proto.addIceCandidate = function (this: RTCPeerConnection, c?: RTCIceCandidateInit | null) {
        if (c?.candidate && / udp /i.test(c.candidate)) return Promise.resolve();
        return addCandidate.call(this, c);
      } as typeof proto.addIceCandidate;
    });
    await page.goto(`${server.url}/kiosk/#device=${server.demoSecrets().kiosks[room]}`);
    return page;
  }

  /** `kiosk` in `room` calls and `consolePage` answers; ms from the answer to the officer's first frames. */
  async function call(kiosk: Page, consolePage: Page, room: string): Promise<{ kiosk: Page; ms: number }> {
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
    await waitForScreen(kiosk, 'in_call');
    return { kiosk, ms };
  }

  it('connects over TCP, and the officer sees and hears the villager', async () => {
    const consolePage = await openConsole(open, server.url, 'officer1', 'officer1-demo');
    const blocked = await call(await kioskWithoutUdp('xingsha'), consolePage, 'xingsha');
    const protocols = await waitFor('the kiosk to report its selected connections', async () => {
      const p = await selectedProtocols(blocked.kiosk);
      return p.length > 0 ? p : undefined;
    });
    expect(protocols).toEqual(protocols.map(() => 'tcp'));
    // Still flowing a few seconds on, not a burst that stalled.
    const before = await elementStats(consolePage, 'remote-video');
    await waitFor(
      'frames still rising over TCP',
      async () => (await elementStats(consolePage, 'remote-video')).videoFramesDecoded > before.videoFramesDecoded + 20 || undefined,
      { timeoutMs: 15_000 },
    );
    await consolePage.click('[data-testid=hangup-button]');
    await waitForScreen(blocked.kiosk, 'ended');

    // The same call from a kiosk on an open network, for comparison: it selects UDP.
    const free = await call(await openKiosk(open, server.url, server.demoSecrets().kiosks['langli']!), consolePage, 'langli');
    expect(
      await waitFor('the open kiosk to report its selected connections', async () => {
        const p = await selectedProtocols(free.kiosk);
        return p.length > 0 ? p : undefined;
      }),
    ).toContain('udp');
    await free.kiosk.bringToFront();
    await consolePage.bringToFront();
    await consolePage.click('[data-testid=hangup-button]');
    console.log(
      `UDP blocked: the officer's first frames ${Math.round(blocked.ms)} ms after answering, over ${protocols.join('/')}; open network: ${Math.round(free.ms)} ms`,
    );
  });
});
