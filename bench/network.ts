// Calls on an impaired network (issue 19): what the officer's call view shows while the kiosk's UDP crosses a
// lossy or capped link, beside a direct RTCPeerConnection between two pages through the same relay, same run.
//
// Product: a real server, a console, and a kiosk page whose WebRTC traffic to the SFU goes through a UdpRelay
// (test/helpers/udp-relay.ts); one call is kept up while the relay's impairment changes row by row, and the
// console's <video data-testid=remote-video> receivers are read (decoded fps, freeze time, audio concealment).
// Baseline: a sender page (same fake camera and microphone, same capture constraints as the kiosk) and a
// receiver page, one RTCPeerConnection, the sender's traffic through its own relay. 'up' is kiosk → SFU, or
// sender → receiver; 'down' is the way back. Each row settles before its window; the relay's counters must show
// the impairment happened, or the benchmark throws.
import os from 'node:os';
import type { Browser, Page } from 'puppeteer-core';
import { callAndAnswer, openConsole, screenOf, tileState, waitForScreen } from '../test/helpers/apps.js';
import { framesRising, launchBrowser, newInstrumentedPage } from '../test/helpers/browser.js';
import { waitFor } from '../test/helpers/poll.js';
import { startTestServer, type TestServer } from '../test/helpers/server.js';
import { attachRelay, countersDelta, selectedRemotes, UdpRelay, type Direction, type Impairment, type LinkCounters } from '../test/helpers/udp-relay.js';
import { logPresentedFrames, presentedFrames } from '../test/helpers/presented-frames.js';
import { pageServer, waitGathered } from './ttff-baselines.js';
import { elementReceiverStats, frozenSeen, senderCodecs, sendingSummary, type ReceiverSample, type SenderCodecs } from './network-stats.js';

const SECONDS = Number(process.env['NETWORK_BENCH_SECONDS'] ?? 20);
const SETTLE_SECONDS = Number(process.env['NETWORK_BENCH_SETTLE_SECONDS'] ?? 6);
/** Before each row, on a clean line, how long the call may take to show moving video again. */
const RECOVER_SECONDS = 45;
/** After a call is placed, before the first row. */
const WARMUP_SECONDS = 10;
const ROOM = 'xingsha';
const VIEW = 'remote-video';

interface Condition {
  key: string;
  label: string;
  up: Partial<Impairment>;
  down: Partial<Impairment>;
}

const ALL_CONDITIONS: Condition[] = [
  { key: 'clean', label: '0 %', up: {}, down: {} },
  { key: 'up5', label: '5 % up (kiosk→SFU)', up: { loss: 0.05 }, down: {} },
  { key: 'up15', label: '15 % up', up: { loss: 0.15 }, down: {} },
  { key: 'both5', label: '5 % both ways', up: { loss: 0.05 }, down: { loss: 0.05 } },
  { key: 'both15', label: '15 % both ways', up: { loss: 0.15 }, down: { loss: 0.15 } },
  { key: 'cap300', label: '300 kbit/s cap, uplink', up: { rateKbps: 300 }, down: {} },
];
/** NETWORK_BENCH_ROWS=clean,both5 measures only those rows (for a quick look at one condition); all by default. */
const ROWS = process.env['NETWORK_BENCH_ROWS']
  ?.split(',')
  .map((k) => k.trim())
  .filter(Boolean);
const CONDITIONS = ROWS ? ALL_CONDITIONS.filter((c) => ROWS.includes(c.key)) : ALL_CONDITIONS;
if (CONDITIONS.length === 0) throw new Error(`NETWORK_BENCH_ROWS names no row; the rows are ${ALL_CONDITIONS.map((c) => c.key).join(', ')}`);

/**
 * The gain of one repair mechanism, same run: NETWORK_BENCH_WITHOUT=fec (Opus in-band FEC) measures the product
 * twice, first with the kiosk's browser told the mechanism is off, then as shipped, and prints them side by side
 * instead of the direct baseline. Only the kiosk's leg is relayed, so the kiosk is the only sender whose repair the
 * impairment reaches. (Removing the `nack` feedback line the same way did not stop the kiosk's retransmissions: the
 * call view still lost 0.0 % at 15 % up, so NACK/RTX has no switch here.)
 */
const WITHOUT_MECHANISMS = { fec: 'Opus in-band FEC' } as const;
type Mechanism = keyof typeof WITHOUT_MECHANISMS;
const WITHOUT = process.env['NETWORK_BENCH_WITHOUT']?.trim() as Mechanism | undefined;
if (WITHOUT !== undefined && !(WITHOUT in WITHOUT_MECHANISMS)) throw new Error(`NETWORK_BENCH_WITHOUT is one of ${Object.keys(WITHOUT_MECHANISMS).join(', ')}`);

interface LinkSummary {
  packetsIn: number;
  mediaPacketsIn: number;
  mediaDropped: number;
  mediaDroppedPct: number;
  forwardedKbps: number;
}

export interface RowResult {
  condition: string;
  label: string;
  /** The call stayed up through settle and window; otherwise `notes` says what happened and figures may be NaN. */
  held: boolean;
  notes: string[];
  /** What the product showed during the window: its line badge levels, 'sound only' when it fell back to audio. */
  observed: string[];
  seconds: number;
  fps: number;
  /** totalFreezesDuration of the call view's video receiver, over the window. */
  frozenSeconds: number;
  /** Time without a new picture on screen, from presented frames (see frozenSeen): also counts a paused or stalled picture. */
  frozenSeenSeconds: number;
  freezes: number;
  /** How long, on a clean line before this row, the call took to show moving video again (NaN: it did not). */
  recoverSeconds: number;
  concealedPct: number;
  /** Of the concealed samples, the share that was silence (DTX or comfort noise), in % of samples received. */
  silentConcealedPct: number;
  /** Lost after retransmission, as the receiver counts it. */
  videoLossPct: number;
  audioLossPct: number;
  nacks: number;
  plis: number;
  keyFrames: number;
  frameWidth: number;
  /** The sending page's video streams at the end of the window (layer, width, fps, target bitrate, limit). */
  sending: string;
  /** The machine's 1-minute load average at the end of the window (2 cores): rows are measured one after another. */
  load1: number;
  relay: Record<Direction, LinkSummary>;
}

export interface SubjectResult {
  rows: RowResult[];
  sender: SenderCodecs;
  receiverCodecs: { video: string; audio: string };
  relayTargets: number;
}

interface Subject {
  name: string;
  relay: UdpRelay;
  /** The page the relay is attached to. */
  relayed: Page;
  viewer: Page;
  /** null while the call is up, else what is wrong. */
  health(): Promise<string | null>;
  /** Brings a dropped call back (the relay already cleared), or throws. */
  recover(): Promise<void>;
  /** What the product itself shows about the line right now (its quality badge, sound-only fallback). */
  observe(): Promise<string[]>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `health` and `observe` about once a second for `ms`, collecting whatever they report. */
async function watch(s: Subject, ms: number, problems: Set<string>, observed: Set<string>): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const p = await s.health().catch((err: Error) => `health check failed: ${err.message}`);
    if (p) problems.add(p);
    for (const o of await s.observe().catch(() => [])) observed.add(o);
    await pause(Math.min(1000, Math.max(0, until - performance.now())));
  }
}

function summary(c: LinkCounters, secs: number): LinkSummary {
  const mediaDropped = c.droppedBy.loss + c.droppedBy.burst + c.droppedBy.queue + c.droppedBy.blocked;
  return {
    packetsIn: c.packetsIn,
    mediaPacketsIn: c.mediaPacketsIn,
    mediaDropped,
    mediaDroppedPct: c.mediaPacketsIn > 0 ? (100 * mediaDropped) / c.mediaPacketsIn : 0,
    forwardedKbps: (c.mediaBytesForwarded * 8) / 1000 / secs,
  };
}

/** Throws unless the relay carried the call and did to it what the row says: no pretty table without the impairment. */
async function checkRelay(s: Subject, cond: Condition, d: Record<Direction, LinkCounters>, secs: number): Promise<void> {
  const where = `${s.name}, ${cond.label}`;
  for (const dir of ['up', 'down'] as const) {
    const c = d[dir];
    const imp = cond[dir];
    // At least RTCP once a second each way, on any live call.
    if (c.mediaPacketsIn < secs)
      throw new Error(`${where}: the relay saw only ${c.mediaPacketsIn} media packets ${dir} in ${secs.toFixed(0)} s; is it in the path?`);
    const loss = imp.loss ?? 0;
    if (loss > 0) {
      // Dropped, and about as many as set: within 4 standard deviations of the binomial count.
      const n = c.mediaPacketsIn;
      const k = c.droppedBy.loss;
      if (k === 0 || Math.abs(k - n * loss) > 4 * Math.sqrt(n * loss * (1 - loss)) + 2) {
        throw new Error(`${where}: relay dropped ${k} of ${n} media packets ${dir}, set ${100 * loss} %`);
      }
    } else if (imp.rateKbps === undefined && c.packetsDropped > 0) {
      throw new Error(`${where}: relay dropped ${c.packetsDropped} packets ${dir}, where nothing was set`);
    }
    if (imp.rateKbps !== undefined && imp.rateKbps !== null) {
      const kbps = (c.mediaBytesForwarded * 8) / 1000 / secs;
      if (kbps > imp.rateKbps * 1.1) throw new Error(`${where}: ${kbps.toFixed(0)} kbit/s of media left the relay ${dir}, over the ${imp.rateKbps} kbit/s cap`);
    }
  }
  // Every live connection of the relayed page must have selected a pair whose remote end is the relay.
  const remotes = await selectedRemotes(s.relayed);
  if (remotes.length === 0) throw new Error(`${where}: the relayed page has no connected transport`);
  for (const r of remotes) {
    if (r.protocol !== 'udp' || !(await s.relay.isRelayPort(r.port)))
      throw new Error(`${where}: a connection selected ${r.protocol} ${r.address}:${r.port}, not the relay`);
  }
}

/** Waits, on the clean line, until the call view decodes video again (≥ 5 fps over 2 s); seconds taken, or NaN. */
async function videoBack(s: Subject): Promise<number> {
  const t0 = performance.now();
  const samples: ReceiverSample[] = [];
  while (performance.now() - t0 < RECOVER_SECONDS * 1000) {
    samples.push(await elementReceiverStats(s.viewer, VIEW));
    const last = samples.at(-1)!;
    const earlier = samples.findLast((x) => last.at - x.at >= 2000);
    if (
      earlier &&
      last.videoTrackId === earlier.videoTrackId &&
      (last.video.framesDecoded - earlier.video.framesDecoded) / ((last.at - earlier.at) / 1000) >= 5
    )
      return (performance.now() - t0) / 1000;
    await pause(500);
  }
  return NaN;
}

async function measureRow(s: Subject, cond: Condition): Promise<RowResult> {
  const notes: string[] = [];
  const blank = (reason: string): RowResult => {
    const empty: LinkSummary = { packetsIn: 0, mediaPacketsIn: 0, mediaDropped: 0, mediaDroppedPct: 0, forwardedKbps: 0 };
    return {
      condition: cond.key,
      label: cond.label,
      held: false,
      notes: [...notes, reason],
      observed: [],
      seconds: 0,
      fps: NaN,
      frozenSeconds: NaN,
      frozenSeenSeconds: NaN,
      freezes: NaN,
      recoverSeconds: NaN,
      concealedPct: NaN,
      silentConcealedPct: NaN,
      videoLossPct: NaN,
      audioLossPct: NaN,
      nacks: NaN,
      plis: NaN,
      keyFrames: NaN,
      frameWidth: NaN,
      sending: '',
      load1: NaN,
      relay: { up: empty, down: empty },
    };
  };
  s.relay.clear();
  const before = await s.health();
  if (before) {
    notes.push(`call was down before this row (${before}); placed again`);
    try {
      await s.recover();
    } catch (err) {
      return blank(`could not place the call again: ${(err as Error).message.slice(0, 200)}`);
    }
  }
  // Each row starts from a call showing moving video, whatever the previous row left behind.
  const recoverSeconds = await videoBack(s);
  if (Number.isNaN(recoverSeconds)) notes.push(`video did not come back within ${RECOVER_SECONDS} s on a clean line before this row`);
  s.relay.set('up', cond.up);
  s.relay.set('down', cond.down);
  const settleProblems = new Set<string>();
  await watch(s, SETTLE_SECONDS * 1000, settleProblems, new Set());
  if (settleProblems.size > 0) notes.push(`while settling: ${[...settleProblems].join('; ')}`);
  const c0 = { up: s.relay.counters('up'), down: s.relay.counters('down') };
  const s0 = await elementReceiverStats(s.viewer, VIEW);
  const sent0 = await senderCodecs(s.relayed);
  const problems = new Set<string>();
  const observed = new Set<string>();
  await watch(s, SECONDS * 1000, problems, observed);
  const s1 = await elementReceiverStats(s.viewer, VIEW);
  const d = { up: countersDelta(s.relay.counters('up'), c0.up), down: countersDelta(s.relay.counters('down'), c0.down) };
  const secs = (s1.at - s0.at) / 1000;
  const frames = await presentedFrames(s.viewer, s0.at, s1.at);
  const sending = sendingSummary(await senderCodecs(s.relayed), sent0);
  const load1 = os.loadavg()[0]!;
  if (problems.size > 0) notes.push(`in the window: ${[...problems].join('; ')}`);
  if (!s0.found || !s1.found) notes.push('call view had no live video and audio at the start or end of the window');
  if (s0.videoTrackId !== s1.videoTrackId) notes.push('the call view got a new video track during the window (media rebuilt): figures mix two tracks');
  const held = settleProblems.size === 0 && problems.size === 0 && s0.found && s1.found && s0.videoTrackId === s1.videoTrackId;
  if (held) await checkRelay(s, cond, d, secs);
  const dv = (k: keyof ReceiverSample['video']) => s1.video[k] - s0.video[k];
  const da = (k: keyof ReceiverSample['audio']) => s1.audio[k] - s0.audio[k];
  const samples = da('totalSamplesReceived');
  const pct = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : NaN);
  return {
    condition: cond.key,
    label: cond.label,
    held,
    notes,
    observed: [...observed],
    seconds: secs,
    fps: dv('framesDecoded') / secs,
    frozenSeconds: dv('totalFreezesDuration'),
    frozenSeenSeconds: frozenSeen(frames, s0.at, s1.at),
    freezes: dv('freezeCount'),
    recoverSeconds,
    concealedPct: pct(da('concealedSamples'), samples),
    silentConcealedPct: pct(da('silentConcealedSamples'), samples),
    videoLossPct: pct(dv('packetsLost'), dv('packetsLost') + dv('packetsReceived')),
    audioLossPct: pct(da('packetsLost'), da('packetsLost') + da('packetsReceived')),
    nacks: dv('nackCount'),
    plis: dv('pliCount'),
    keyFrames: dv('keyFramesDecoded'),
    frameWidth: s1.frameWidth,
    sending,
    load1,
    relay: { up: summary(d.up, secs), down: summary(d.down, secs) },
  };
}

async function runSubject(s: Subject): Promise<SubjectResult> {
  // Let the new call's bandwidth estimate ramp up before the clean row.
  await pause(WARMUP_SECONDS * 1000);
  const rows: RowResult[] = [];
  for (const cond of CONDITIONS) {
    const row = await measureRow(s, cond);
    rows.push(row);
    console.log(
      `[network] ${s.name.padEnd(7)} ${cond.label.padEnd(24)} fps ${row.fps.toFixed(1)}, frozen ${row.frozenSeconds.toFixed(1)} s (seen ${row.frozenSeenSeconds.toFixed(1)} s), concealed ${row.concealedPct.toFixed(1)} %, video back after ${row.recoverSeconds.toFixed(1)} s` +
        ` | relay up: ${row.relay.up.mediaDroppedPct.toFixed(1)} % of ${row.relay.up.mediaPacketsIn} media dropped, ${row.relay.up.forwardedKbps.toFixed(0)} kbit/s;` +
        ` down: ${row.relay.down.mediaDroppedPct.toFixed(1)} % of ${row.relay.down.mediaPacketsIn}${row.observed.length ? ` | showed: ${row.observed.join(', ')}` : ''} | viewer pli ${row.plis} kf ${row.keyFrames} | sent ${row.sending}${row.notes.length ? ` | ${row.notes.join(' | ')}` : ''}`,
    );
  }
  s.relay.clear();
  const last = await elementReceiverStats(s.viewer, VIEW);
  return {
    rows,
    sender: await senderCodecs(s.relayed),
    receiverCodecs: { video: last.videoCodec, audio: last.audioCodec },
    relayTargets: (await s.relay.targets()).length,
  };
}

// ---- the product ----

/**
 * Tells the kiosk's browser Opus FEC was not agreed, by editing the answers it is given (mediasoup-client writes
 * them; the SFU's side is unchanged): given `useinbandfec=0` its encoder adds no FEC (the bench's "sending" line
 * shows the kiosk's own fmtp, so the switch is seen to have worked). FEC is the only mechanism (WITHOUT_MECHANISMS).
 */
async function switchOff(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    // The promise form only (the one mediasoup-client calls); the lib's legacy callback overload would be picked otherwise.
    const set = RTCPeerConnection.prototype.setRemoteDescription as (this: RTCPeerConnection, d: RTCSessionDescriptionInit) => Promise<void>;
    RTCPeerConnection.prototype.setRemoteDescription = function (this: RTCPeerConnection, desc?: RTCSessionDescriptionInit) {
      if (desc?.sdp) {
        return set.call(this, { type: desc.type, sdp: desc.sdp.replace(/useinbandfec=1/g, 'useinbandfec=0') });
      }
      return set.call(this, desc as RTCSessionDescriptionInit);
    } as typeof RTCPeerConnection.prototype.setRemoteDescription;
  });
}

async function productSubject(
  kioskBrowser: Browser,
  consoleBrowser: Browser,
  server: TestServer,
  relay: UdpRelay,
  without?: Mechanism,
): Promise<Subject & { close(): Promise<void> }> {
  const consolePage = await openConsole(consoleBrowser, server.url, 'officer1', 'officer1-demo');
  const kiosk = await newInstrumentedPage(kioskBrowser);
  await attachRelay(kiosk, relay);
  if (without) await switchOff(kiosk);
  await kiosk.goto(`${server.url}/kiosk/#device=${server.demoSecrets().kiosks[ROOM]}`);
  const place = async () => {
    if ((await screenOf(kiosk)) === 'ended') await kiosk.click('[data-testid=home-button]').catch(() => undefined);
    await waitForScreen(kiosk, 'idle', 60_000);
    await waitFor('console shows the kiosk online', async () => (await tileState(consolePage, ROOM)) === 'online', { timeoutMs: 30_000 });
    await callAndAnswer(kiosk, consolePage, ROOM);
    await waitForScreen(kiosk, 'in_call', 45_000);
    await framesRising(consolePage, VIEW, waitFor, 20, 30_000);
  };
  await place();
  await logPresentedFrames(consolePage, VIEW);
  const health = async () => {
    const screen = await screenOf(kiosk);
    if (screen !== 'in_call') return `kiosk screen ${screen}`;
    if (!(await consolePage.$('[data-testid=hangup-button]'))) return 'console call view gone';
    return null;
  };
  return {
    name: 'product',
    relay,
    relayed: kiosk,
    viewer: consolePage,
    health,
    observe: async () =>
      consolePage.evaluate(() => {
        const out: string[] = [];
        const badge = document.querySelector('[data-testid=call-link]')?.getAttribute('data-level');
        if (badge) out.push(`line ${badge}`);
        if (document.querySelector('[data-testid=sound-only]')) out.push('sound only');
        // The layer the SFU forwards, as the picture's width: a change mid-row is a simulcast layer switch.
        const v = document.querySelector('[data-testid=remote-video]') as HTMLVideoElement | null;
        if (v?.videoWidth) out.push(`${v.videoWidth} px`);
        return out;
      }),
    recover: async () => {
      // Give a call that is reconnecting by itself up to 30 s on a clean line, then call again.
      const back = await waitFor('the call back by itself', async () => (await health()) === null, { timeoutMs: 30_000 }).catch(() => false);
      if (back) return;
      if (await consolePage.$('[data-testid=hangup-button]')) await consolePage.click('[data-testid=hangup-button]');
      await place();
    },
    close: async () => {
      if (await consolePage.$('[data-testid=hangup-button]')) await consolePage.click('[data-testid=hangup-button]').catch(() => undefined);
      await waitForScreen(kiosk, 'ended', 15_000).catch(() => undefined);
      await kiosk.close();
      await consolePage.close();
    },
  };
}

// ---- the direct baseline ----

const PAGE = '<!doctype html><title>network baseline</title><video data-testid="remote-video" autoplay playsinline width="640" height="360"></video>';

async function directSubject(kioskBrowser: Browser, consoleBrowser: Browser, relay: UdpRelay): Promise<Subject & { close(): Promise<void> }> {
  const site = await pageServer(PAGE);
  const sender = await newInstrumentedPage(kioskBrowser);
  // Only the relay's addresses: no TCP or other candidate of the receiver may offer a way around it.
  await attachRelay(sender, relay, { dropUnrelayed: true });
  const receiver = await newInstrumentedPage(consoleBrowser);
  await sender.goto(site.origin);
  await receiver.goto(site.origin);
  const connect = async () => {
    await sender.evaluate('window.pc?.close()');
    await receiver.evaluate('window.pc?.close(); document.querySelector("video").srcObject = null');
    // The kiosk's capture constraints, VP8 first as the SFU negotiates it; Chromium's defaults otherwise
    // (one 1280×720 stream, Opus with in-band FEC, NACK/RTX, transport-cc).
    const offer = await sender.evaluate(`(async () => {
      window.stream ??= await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: { echoCancellation: true, noiseSuppression: true } });
      const pc = (window.pc = new RTCPeerConnection());
      for (const t of window.stream.getTracks()) pc.addTrack(t, window.stream);
      const caps = RTCRtpSender.getCapabilities('video').codecs;
      const vp8 = [...caps.filter((c) => c.mimeType === 'video/VP8'), ...caps.filter((c) => c.mimeType !== 'video/VP8' && /rtx|red|ulpfec|flexfec/i.test(c.mimeType))];
      try { pc.getTransceivers().find((t) => t.sender.track?.kind === 'video').setCodecPreferences(vp8); } catch (e) { console.warn('VP8 preference refused', e); }
      await pc.setLocalDescription(await pc.createOffer());
      await ${waitGathered};
      return pc.localDescription.sdp;
    })()`);
    // The receiver is given no candidate of the sender: it only answers the checks that come through the relay,
    // so it can never open a direct path the sender would then learn. Its getUserMedia (never sent) makes
    // Chromium show its host addresses instead of mDNS names, which the relay could not map.
    const stripped = (offer as string)
      .split('\r\n')
      .filter((l) => !l.startsWith('a=candidate:'))
      .join('\r\n');
    const answer = await receiver.evaluate(`(async () => {
      window.mic ??= await navigator.mediaDevices.getUserMedia({ audio: true });
      const pc = (window.pc = new RTCPeerConnection());
      const stream = new MediaStream();
      const v = document.querySelector('video');
      pc.ontrack = (e) => { stream.addTrack(e.track); v.srcObject = stream; v.play().catch(() => {}); };
      await pc.setRemoteDescription({ type: 'offer', sdp: ${JSON.stringify(stripped)} });
      await pc.setLocalDescription(await pc.createAnswer());
      await ${waitGathered};
      return pc.localDescription.sdp;
    })()`);
    await sender.evaluate(`window.pc.setRemoteDescription({ type: 'answer', sdp: ${JSON.stringify(answer)} })`);
    if ((await relay.targets()).length === 0) throw new Error(`the direct call has no candidate the relay could take: ${relay.unrelayed.join(' / ')}`);
    await framesRising(receiver, VIEW, waitFor, 20, 30_000);
  };
  await connect();
  await logPresentedFrames(receiver, VIEW);
  const health = async () => {
    const states = await Promise.all([sender, receiver].map((p) => p.evaluate('window.pc?.connectionState') as Promise<string | undefined>));
    return states.every((s) => s === 'connected') ? null : `connection ${states.join('/')}`;
  };
  return {
    name: 'P2P',
    relay,
    relayed: sender,
    viewer: receiver,
    health,
    observe: async () => [],
    recover: async () => {
      const back = await waitFor('the call back by itself', async () => (await health()) === null, { timeoutMs: 30_000 }).catch(() => false);
      if (!back) await connect();
    },
    close: async () => {
      await sender.close();
      await receiver.close();
      site.close();
    },
  };
}

// ---- the table ----

const num = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '—');

/** product / P2P, with the cases a plain division gets wrong. */
function ratio(ours: number, base: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(base)) return '—';
  if (Math.abs(ours) < 0.05 && Math.abs(base) < 0.05) return '=';
  if (Math.abs(base) < 0.05) return '∞';
  return `${(ours / base).toFixed(2)}x`;
}

function printNetworkTable(product: SubjectResult, p2p: SubjectResult, vs = { label: 'P2P', title: 'a direct RTCPeerConnection' }): void {
  const w = [24, 8, 6, 9, 6, 6, 11, 6, 6, 12, 6, 6].map((n, i) => (i > 0 && vs.label.length > n ? vs.label.length : n));
  const line = (cells: string[]) => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' '));
  console.log(
    `\n== calls through an impaired link: the console's call view vs ${vs.title}, same relay, same run (${SECONDS} s window after ${SETTLE_SECONDS} s settling) ==`,
  );
  line(['', 'fps', '', 'frozen s', '', '', 'no picture s', '', '', 'concealed %', '', '']);
  line(['condition', 'product', vs.label, 'product', vs.label, 'ratio', 'product', vs.label, 'ratio', 'product', vs.label, 'ratio']);
  for (const [i, cond] of CONDITIONS.entries()) {
    const a = product.rows[i]!;
    const b = p2p.rows[i]!;
    line([
      cond.label,
      num(a.fps),
      num(b.fps),
      num(a.frozenSeconds),
      num(b.frozenSeconds),
      ratio(a.frozenSeconds, b.frozenSeconds),
      num(a.frozenSeenSeconds),
      num(b.frozenSeenSeconds),
      ratio(a.frozenSeenSeconds, b.frozenSeenSeconds),
      num(a.concealedPct),
      num(b.concealedPct),
      ratio(a.concealedPct, b.concealedPct),
    ]);
  }
  for (const row of product.rows) if (row.observed.length) console.log(`  product, ${row.label}: the console showed ${row.observed.join(', ')}`);
  for (const [name, r] of [
    ['product', product],
    [vs.label, p2p],
  ] as const) {
    for (const row of r.rows)
      if (!row.held || row.notes.length) console.log(`  ${name}, ${row.label}: ${row.held ? '' : 'CALL NOT HELD — '}${row.notes.join('; ')}`);
  }
  console.log(
    `\ndetail (product | ${vs.label}): received width, video packets lost % (the receiver's own count: through the SFU what the SFU could not repair; P2P apparently\n  before RTX repair, so not comparable), NACKs and PLIs the receiver sent, key frames decoded, audio packets lost %, silent concealed %, video back after s, 1-min load average`,
  );
  for (const [i, cond] of CONDITIONS.entries()) {
    const f = (r: RowResult) =>
      `${num(r.frameWidth, 0)}px ${num(r.videoLossPct)}% nack ${num(r.nacks, 0)} pli ${num(r.plis, 0)} kf ${num(r.keyFrames, 0)} a-loss ${num(r.audioLossPct)}% silent ${num(r.silentConcealedPct)}% back ${num(r.recoverSeconds)}s load ${num(r.load1)}`;
    console.log(`  ${cond.label.padEnd(24)} ${f(product.rows[i]!)} | ${f(p2p.rows[i]!)}`);
  }
  console.log(
    '\nsending: each video stream or simulcast layer at the end of the window (width, fps, target bitrate, what limits it) and, over the window,\n  key frames it sent and key-frame requests (PLI/FIR) and NACKs it got from its receiver (the SFU, or the P2P receiver):',
  );
  for (const [i, cond] of CONDITIONS.entries())
    console.log(`  ${cond.label.padEnd(24)} product ${product.rows[i]!.sending} | ${vs.label} ${p2p.rows[i]!.sending}`);
  console.log('\nrelay counters per window (media dropped up / down, media kbit/s forwarded up):');
  for (const [i, cond] of CONDITIONS.entries()) {
    const f = (r: RowResult) =>
      `${num(r.relay.up.mediaDroppedPct)} % of ${r.relay.up.mediaPacketsIn} / ${num(r.relay.down.mediaDroppedPct)} % of ${r.relay.down.mediaPacketsIn}, ${num(r.relay.up.forwardedKbps, 0)} kbit/s`;
    console.log(`  ${cond.label.padEnd(24)} product ${f(product.rows[i]!)} | ${vs.label} ${f(p2p.rows[i]!)}`);
  }
  const codecs = (s: SenderCodecs) => s.streams.map((x) => `${x.kind}${x.rid ? `[${x.rid}]` : ''} ${x.codec}`).join('; ');
  console.log(
    `\nproduct: the kiosk publishes 3-layer VP8 simulcast (320/640/1280, 100/300/900 kbit/s); the SFU forwards one layer to the call view.\n` +
      `P2P: one stream, Chromium's own bitrate and resolution adaptation. Both with the kiosk's capture constraints and Chromium's fake devices.\n` +
      `up = kiosk→SFU (product) or sender→receiver (P2P); "both ways" also loses the return path (RTCP feedback and, for the product, the officer's media to the kiosk).\n` +
      `Only RTP/RTCP is impaired: STUN and DTLS pass, so the figures are about media, not ICE or DTLS timers.\n` +
      `fps: framesDecoded of the call view's video receiver / window; frozen s: its totalFreezesDuration (a freeze counts once the next frame arrives, so a picture\n` +
      `that stops, e.g. a call fallen back to sound only, adds nothing); no picture s: gaps between frames the element presented, Chromium's freeze rule, ongoing\n` +
      `stops included; concealed %: concealedSamples / totalSamplesReceived of its audio receiver. Video back: seconds on a clean line before each row until ≥ 5 fps.\n` +
      `sending (product kiosk): ${codecs(product.sender)}\nsending (${vs.label} sender): ${codecs(p2p.sender)}\n` +
      `received: product ${product.receiverCodecs.video} + ${product.receiverCodecs.audio}; ${vs.label} ${p2p.receiverCodecs.video} + ${p2p.receiverCodecs.audio}`,
  );
}

/** One subject's rows, its pages closed afterwards whatever happened. */
async function measured(opening: Promise<Subject & { close(): Promise<void> }>): Promise<SubjectResult> {
  const subject = await opening;
  try {
    return await runSubject(subject);
  } finally {
    await subject.close();
  }
}

export async function runNetworkBench(): Promise<{
  seconds: number;
  settleSeconds: number;
  product: SubjectResult;
  p2p: SubjectResult;
  ratios: Record<string, { frozen: number; frozenSeen: number; concealed: number }>;
}> {
  const server = await startTestServer({ embedded: true });
  const browsers: Awaited<ReturnType<typeof launchBrowser>>[] = [];
  const relays = [new UdpRelay(), new UdpRelay()] as const;
  try {
    // The kiosk (and the P2P sender) in one browser, the console (and the P2P receiver) in another: each page
    // is then its browser's front tab, as a kiosk screen and an officer's screen are.
    const kioskBrowser = await launchBrowser();
    browsers.push(kioskBrowser);
    const consoleBrowser = await launchBrowser();
    browsers.push(consoleBrowser);

    if (WITHOUT) {
      // The mechanism's gain: the product without it first, then as shipped, same server, browsers and relay.
      const off = await measured(productSubject(kioskBrowser, consoleBrowser, server, relays[0], WITHOUT));
      const shipped = await measured(productSubject(kioskBrowser, consoleBrowser, server, relays[0]));
      const label = `no ${WITHOUT}`;
      printNetworkTable(shipped, off, { label, title: `the same product with ${WITHOUT_MECHANISMS[WITHOUT]} switched off at the kiosk (${label}), run first` });
      return { seconds: SECONDS, settleSeconds: SETTLE_SECONDS, product: shipped, p2p: off, ratios: {} };
    }
    const product = await measured(productSubject(kioskBrowser, consoleBrowser, server, relays[0]));
    if (process.env['NETWORK_BENCH_PRODUCT_ONLY'] === '1') {
      // A quick look at the product alone (its rows were printed as they were measured): no ratio without the baseline.
      console.log('\nNETWORK_BENCH_PRODUCT_ONLY=1: no direct baseline measured, so no table or ratio.');
      return {
        seconds: SECONDS,
        settleSeconds: SETTLE_SECONDS,
        product,
        p2p: { rows: [], sender: product.sender, receiverCodecs: product.receiverCodecs, relayTargets: 0 },
        ratios: {},
      };
    }
    const p2p = await measured(directSubject(kioskBrowser, consoleBrowser, relays[1]));
    printNetworkTable(product, p2p);
    const ratios = Object.fromEntries(
      CONDITIONS.map((c, i) => {
        const [a, b] = [product.rows[i]!, p2p.rows[i]!];
        return [
          c.key,
          { frozen: a.frozenSeconds / b.frozenSeconds, frozenSeen: a.frozenSeenSeconds / b.frozenSeenSeconds, concealed: a.concealedPct / b.concealedPct },
        ];
      }),
    );
    return { seconds: SECONDS, settleSeconds: SETTLE_SECONDS, product, p2p, ratios };
  } finally {
    for (const r of relays) await r.close();
    for (const b of browsers) await b.cleanup();
    await server.stop();
  }
}
