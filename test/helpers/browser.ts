import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Debian's Chromium with a fake camera and microphone (DESIGN §5); nothing is downloaded. */
export async function launchBrowser(opts: { trustCa?: string } = {}): Promise<Browser & { cleanup(): Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-chromium-'));
  const home = opts.trustCa ? trustingHome(userDataDir, opts.trustCa) : undefined;
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir,
    ...(home ? { env: { ...process.env, HOME: home } } : {}),
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      '--disable-renderer-backgrounding',
      '--disable-background-timer-throttling',
      '--disable-backgrounding-occluded-windows',
    ],
  });
  return Object.assign(browser, {
    cleanup: async () => {
      await browser.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  });
}

/**
 * A home directory whose NSS database (where Chromium on Linux keeps the certificates a user trusts) trusts the CA
 * in `caFile` for TLS servers, as a county's kiosk PCs trust its intranet CA. Inside `dir`, removed with it.
 */
function trustingHome(dir: string, caFile: string): string {
  const home = path.join(dir, 'home');
  const db = path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(db, { recursive: true });
  for (const args of [
    ['-N', '--empty-password'],
    ['-A', '-t', 'C,,', '-n', 'test-ca', '-i', caFile],
  ]) {
    const r = spawnSync('certutil', ['-d', `sql:${db}`, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`certutil ${args[0]} failed (is libnss3-tools installed?): ${r.stderr || r.error?.message}`);
  }
  return home;
}

/**
 * Makes every RTCPeerConnection the page creates use relay candidates only, as behind a firewall that lets nothing
 * out but TCP to the county's TURN relay. Call before the page loads.
 */
export async function forceRelayOnly(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const Recorded = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Recorded {
      constructor(config?: RTCConfiguration) {
        super({ ...config, iceTransportPolicy: 'relay' });
      }
    } as typeof RTCPeerConnection;
  });
}

/**
 * Records every RTCPeerConnection a page creates, so a test can read getStats without any hook in the app.
 */
export async function newInstrumentedPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  if (process.env['VJ_SHOW_BROWSER_LOGS']) page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
  // tsx (esbuild keepNames) wraps named functions in __name(); functions serialised into the page need it too.
  await page.evaluateOnNewDocument('globalThis.__name = (f) => f;');
  await page.evaluateOnNewDocument(() => {
    const Orig = window.RTCPeerConnection;
    const list: RTCPeerConnection[] = [];
    (window as unknown as { __vjPcs: RTCPeerConnection[] }).__vjPcs = list;
    window.RTCPeerConnection = class extends Orig {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        list.push(this);
      }
    } as typeof RTCPeerConnection;
  });
  return page;
}

export interface MediaStats {
  peerConnections: number;
  videoFramesDecoded: number;
  videoPacketsReceived: number;
  videoFrameWidth: number;
  audioPacketsReceived: number;
  videoPacketsSent: number;
  audioPacketsSent: number;
}

/** Sums inbound/outbound RTP stats over the page's live peer connections. */
export async function mediaStats(page: Page): Promise<MediaStats> {
  return page.evaluate(async () => {
    const out = {
      peerConnections: 0,
      videoFramesDecoded: 0,
      videoPacketsReceived: 0,
      videoFrameWidth: 0,
      audioPacketsReceived: 0,
      videoPacketsSent: 0,
      audioPacketsSent: 0,
    };
    for (const pc of (window as unknown as { __vjPcs: RTCPeerConnection[] }).__vjPcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      // getStats on a connection that closes meanwhile (mediasoup-client's capability probe) may never settle.
      const report = await Promise.race([pc.getStats(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]);
      if (!report || (pc.connectionState as string) === 'closed') continue;
      out.peerConnections += 1;
      report.forEach((r: Record<string, unknown>) => {
        const n = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : 0);
        if (r['type'] === 'inbound-rtp' && r['kind'] === 'video') {
          out.videoFramesDecoded += n('framesDecoded');
          out.videoPacketsReceived += n('packetsReceived');
          out.videoFrameWidth = Math.max(out.videoFrameWidth, n('frameWidth'));
        } else if (r['type'] === 'inbound-rtp' && r['kind'] === 'audio') {
          out.audioPacketsReceived += n('packetsReceived');
        } else if (r['type'] === 'outbound-rtp' && r['kind'] === 'video') {
          out.videoPacketsSent += n('packetsSent');
        } else if (r['type'] === 'outbound-rtp' && r['kind'] === 'audio') {
          out.audioPacketsSent += n('packetsSent');
        }
      });
    }
    return out;
  });
}

/** Waits until decoded video frames and audio packets are arriving and still rising. */
export async function expectMediaFlowing(
  page: Page,
  waitFor: <T>(what: string, f: () => Promise<T>, o?: { timeoutMs?: number }) => Promise<NonNullable<T>>,
  who: string,
): Promise<MediaStats> {
  const first = await waitFor(
    `${who}: first decoded frames and audio`,
    async () => {
      const s = await mediaStats(page);
      return s.videoFramesDecoded > 5 && s.audioPacketsReceived > 10 ? s : undefined;
    },
    { timeoutMs: 20_000 },
  );
  return waitFor(
    `${who}: frames still rising`,
    async () => {
      const s = await mediaStats(page);
      return s.videoFramesDecoded > first.videoFramesDecoded + 10 && s.audioPacketsReceived > first.audioPacketsReceived + 10 ? s : undefined;
    },
    { timeoutMs: 10_000 },
  );
}

export interface ElementStats {
  found: boolean;
  videoFramesDecoded: number;
  videoFrameWidth: number;
  audioPacketsReceived: number;
}

/**
 * getStats for exactly the tracks a <video data-testid=…> element shows, matched by track id, so the call
 * view, the wall tiles and the staff screen can be told apart on one page.
 */
export async function elementStats(page: Page, testId: string): Promise<ElementStats> {
  return page.evaluate(async (id) => {
    const out = { found: false, videoFramesDecoded: 0, videoFrameWidth: 0, audioPacketsReceived: 0 };
    const el = document.querySelector(`[data-testid="${id}"]`) as HTMLVideoElement | null;
    const stream = el?.srcObject as MediaStream | null | undefined;
    if (!stream) return out;
    const ids = new Set(stream.getTracks().map((t) => t.id));
    for (const pc of (window as unknown as { __vjPcs: RTCPeerConnection[] }).__vjPcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      const report = await Promise.race([pc.getStats(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]);
      report?.forEach((r: Record<string, unknown>) => {
        if (r['type'] !== 'inbound-rtp' || !ids.has(r['trackIdentifier'] as string)) return;
        out.found = true;
        const n = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : 0);
        if (r['kind'] === 'video') {
          out.videoFramesDecoded += n('framesDecoded');
          out.videoFrameWidth = Math.max(out.videoFrameWidth, n('frameWidth'));
        } else out.audioPacketsReceived += n('packetsReceived');
      });
    }
    return out;
  }, testId);
}

/** Polls until the element's decoded frames rise by `by` and returns the last stats. */
export async function framesRising(
  page: Page,
  testId: string,
  wait: <T>(what: string, f: () => Promise<T>, o?: { timeoutMs?: number }) => Promise<NonNullable<T>>,
  by = 10,
  timeoutMs = 20_000,
): Promise<ElementStats> {
  const first = await wait(
    `${testId}: decoding`,
    async () => {
      const s = await elementStats(page, testId);
      return s.videoFramesDecoded > 0 ? s : undefined;
    },
    { timeoutMs },
  ).catch(async (err: Error) => {
    // Say what the page had, so a failure here can be told apart: no element, no track, no RTP, no decode.
    const diag = await page.evaluate((id) => {
      const el = document.querySelector(`[data-testid="${id}"]`) as HTMLVideoElement | null;
      const s = el?.srcObject as MediaStream | null | undefined;
      const pcs = (window as unknown as { __vjPcs: RTCPeerConnection[] }).__vjPcs ?? [];
      return {
        element: Boolean(el),
        tracks: s?.getTracks().map((t) => `${t.kind}:${t.readyState}`) ?? [],
        pcs: pcs.map((p) => `${p.connectionState}/${p.iceConnectionState}`),
        notice: document.querySelector('[data-testid=notice]')?.textContent ?? null,
      };
    }, testId);
    throw new Error(`${err.message}; page: ${JSON.stringify(diag)}; all pcs: ${JSON.stringify(await mediaStats(page))}`);
  });
  return wait(
    `${testId}: frames rising`,
    async () => {
      const s = await elementStats(page, testId);
      return s.videoFramesDecoded >= first.videoFramesDecoded + by ? s : undefined;
    },
    { timeoutMs },
  );
}

/** The id of the video track a <video data-testid=…> element shows: a rebuilt session shows a new one. */
export async function videoTrackId(page: Page, testId: string): Promise<string | null> {
  return page.evaluate((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`) as HTMLVideoElement | null;
    const stream = el?.srcObject as MediaStream | null | undefined;
    return stream?.getVideoTracks().find((t) => t.readyState === 'live')?.id ?? null;
  }, testId);
}

export interface CandidateView {
  type: string;
  protocol: string;
  /** For a relay candidate: how the page reaches its TURN server (udp, tcp, tls). */
  relayProtocol: string;
  address: string;
  port: number;
}

/**
 * The candidate pair each of the page's live connections selected (pages made with newInstrumentedPage): which
 * path ICE really took — TCP behind a UDP-blocking firewall, the TURN relay, or the test's own UDP relay. A
 * connection whose stats do not answer within a second (a loaded machine) is left out of this look.
 */
export async function selectedPairs(page: Page): Promise<{ local: CandidateView; remote: CandidateView }[]> {
  return page.evaluate(async () => {
    const out: { local: CandidateView; remote: CandidateView }[] = [];
    const view = (c: Record<string, unknown>): CandidateView => ({
      type: String(c['candidateType']),
      protocol: String(c['protocol']),
      relayProtocol: String(c['relayProtocol']),
      address: String(c['address'] ?? c['ip']),
      port: Number(c['port']),
    });
    for (const pc of (window as unknown as { __vjPcs?: RTCPeerConnection[] }).__vjPcs ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const report = await Promise.race([pc.getStats(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]);
      if (!report) continue;
      const byId = new Map<string, Record<string, unknown>>();
      report.forEach((r: Record<string, unknown>) => byId.set(r['id'] as string, r));
      for (const r of byId.values()) {
        if (r['type'] !== 'transport' || typeof r['selectedCandidatePairId'] !== 'string') continue;
        const pair = byId.get(r['selectedCandidatePairId']);
        const local = pair && byId.get(pair['localCandidateId'] as string);
        const remote = pair && byId.get(pair['remoteCandidateId'] as string);
        if (local && remote) out.push({ local: view(local), remote: view(remote) });
      }
    }
    return out;
  });
}
