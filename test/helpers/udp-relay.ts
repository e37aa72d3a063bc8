// A userspace UDP relay for impairing one Chromium page's WebRTC traffic on loopback (this kernel has no netem).
//
// Per target — the ip:port of a remote ICE UDP candidate — the relay listens on a socket of its own (127.0.0.1,
// random port). A packet arriving there from a source is sent on to the target from an upstream socket kept for
// that source; what the target sends back to that upstream socket is returned to the source from the listening
// socket. The page is told the listening address instead of the target's (attachRelay rewrites every remote UDP
// host candidate it is given), so every packet of a flow crosses the relay both ways, whichever pair ICE selects.
//
// Each direction is a link with its own impairments, settable while running: 'up' is from the page toward the
// target, 'down' is back to the page. See Impairment for what a link can do.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Page } from 'puppeteer-core';
import { selectedPairs } from './browser.js';

export type Direction = 'up' | 'down';

export interface Impairment {
  /** Independent random loss of media packets, 0–1. */
  loss: number;
  /**
   * Burst loss, Gilbert–Elliott style: each media packet in the good state enters the bad state with probability
   * `enter`; every packet in the bad state is lost, and the state lasts `meanLength` packets on average
   * (geometric). Applied before the random loss.
   */
  burst: { enter: number; meanLength: number } | null;
  /** Fixed one-way delay added to media packets, ms. */
  delayMs: number;
  /** Each media packet's delay varies uniformly within ±jitterMs (never below zero). */
  jitterMs: number;
  /** With jitter, let a later packet overtake an earlier one. Off: a packet never leaves before the one ahead. */
  reorder: boolean;
  /** Bandwidth cap for media in kbit/s (token bucket), null for none. */
  rateKbps: number | null;
  /** The cap's queue, in ms of traffic at the capped rate; a media packet that would overflow it is dropped. */
  queueMs: number;
  /** Drop every packet, media or not: a firewall that lets no UDP through. */
  blockAll: boolean;
}

export const NO_IMPAIRMENT: Readonly<Impairment> = Object.freeze({
  loss: 0,
  burst: null,
  delayMs: 0,
  jitterMs: 0,
  reorder: false,
  rateKbps: null,
  queueMs: 250,
  blockAll: false,
});

export type DropReason = 'blocked' | 'loss' | 'burst' | 'queue';

export interface LinkCounters {
  packetsIn: number;
  bytesIn: number;
  /** Of the packets in, those that were RTP or RTCP (the ones impairments apply to). */
  mediaPacketsIn: number;
  packetsForwarded: number;
  bytesForwarded: number;
  mediaPacketsForwarded: number;
  mediaBytesForwarded: number;
  packetsDropped: number;
  bytesDropped: number;
  droppedBy: Record<DropReason, number>;
}

export interface Address {
  address: string;
  port: number;
}

/** RTP and RTCP start with version 2: first byte 128–191 (RFC 7983 demultiplexing). */
export function isRtpOrRtcp(packet: Buffer): boolean {
  const b = packet[0];
  return b !== undefined && b >= 128 && b <= 191;
}

/** A small seeded PRNG (mulberry32), so a test can make the relay's coin flips repeatable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function zeroCounters(): LinkCounters {
  return {
    packetsIn: 0,
    bytesIn: 0,
    mediaPacketsIn: 0,
    packetsForwarded: 0,
    bytesForwarded: 0,
    mediaPacketsForwarded: 0,
    mediaBytesForwarded: 0,
    packetsDropped: 0,
    bytesDropped: 0,
    droppedBy: { blocked: 0, loss: 0, burst: 0, queue: 0 },
  };
}

/** The counters of `after` minus those of `before`: what happened in between. */
export function countersDelta(after: LinkCounters, before: LinkCounters): LinkCounters {
  const out = zeroCounters();
  for (const k of Object.keys(out) as (keyof LinkCounters)[]) {
    if (k === 'droppedBy') continue;
    out[k] = after[k] - before[k];
  }
  for (const r of Object.keys(out.droppedBy) as DropReason[]) out.droppedBy[r] = after.droppedBy[r] - before.droppedBy[r];
  return out;
}

interface Queued {
  packet: Buffer;
  send: (packet: Buffer) => void;
}

/**
 * One direction of the relay: blocking, loss, burst loss, then the bandwidth cap's queue, then delay and jitter.
 * The state (burst state, token bucket, delay line) belongs to the direction, shared by all its flows, as a
 * real access link's would be.
 */
class Link {
  impairment: Impairment = { ...NO_IMPAIRMENT };
  counters = zeroCounters();
  private bad = false;
  // Token bucket of the cap.
  private tokens = 0;
  private tokensAt = 0;
  private readonly capQueue: Queued[] = [];
  private capQueueBytes = 0;
  private capTimer: NodeJS.Timeout | undefined;
  // Delay line, ordered by due time.
  private readonly line: (Queued & { due: number })[] = [];
  private lineTimer: NodeJS.Timeout | undefined;
  private lastDue = 0;
  private closed = false;

  constructor(private readonly random: () => number) {}

  set(patch: Partial<Impairment>): void {
    const hadCap = this.impairment.rateKbps;
    // A key given as undefined keeps its value, as one not given does.
    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<Impairment>;
    this.impairment = { ...this.impairment, ...given };
    if (!this.impairment.burst) this.bad = false;
    if (hadCap === null && this.impairment.rateKbps !== null) {
      this.tokens = this.bucketBytes();
      this.tokensAt = performance.now();
    }
    // A changed or removed cap takes effect for what already waits.
    this.drainCap();
  }

  push(packet: Buffer, send: (packet: Buffer) => void): void {
    if (this.closed) return;
    const c = this.counters;
    c.packetsIn++;
    c.bytesIn += packet.length;
    const imp = this.impairment;
    if (imp.blockAll) return this.drop(packet, 'blocked');
    // Only RTP and RTCP are impaired. STUN (ICE checks and consent freshness) and DTLS pass untouched, however
    // lossy the link: a lost consent check can make Chromium declare the connection failed and tear the call
    // down, and a lost DTLS handshake packet costs a retransmission timer of a second or more before any media
    // flows. Impairing them would measure ICE and DTLS timers, not how well the media survives loss, which is
    // what the benchmarks report. (A real lossy link drops those too; blockAll is the only way to stop them.)
    if (!isRtpOrRtcp(packet)) return this.forward(packet, send, false);
    c.mediaPacketsIn++;
    if (imp.burst) {
      if (!this.bad && this.random() < imp.burst.enter) this.bad = true;
      if (this.bad) {
        if (this.random() < 1 / Math.max(1, imp.burst.meanLength)) this.bad = false;
        return this.drop(packet, 'burst');
      }
    }
    if (imp.loss > 0 && this.random() < imp.loss) return this.drop(packet, 'loss');
    if (imp.rateKbps === null) return this.delay({ packet, send });
    if (this.capQueueBytes + packet.length > this.queueBytes()) return this.drop(packet, 'queue');
    this.capQueue.push({ packet, send });
    this.capQueueBytes += packet.length;
    this.drainCap();
  }

  private bytesPerMs(): number {
    return ((this.impairment.rateKbps ?? 0) * 1000) / 8 / 1000;
  }

  /** How many bytes may leave back to back after an idle spell: 20 ms at the rate, at least two full packets. */
  private bucketBytes(): number {
    return Math.max(3000, this.bytesPerMs() * 20);
  }

  private queueBytes(): number {
    return Math.max(3000, this.bytesPerMs() * this.impairment.queueMs);
  }

  private drainCap(): void {
    if (this.capTimer) clearTimeout(this.capTimer);
    this.capTimer = undefined;
    if (this.closed) return;
    const now = performance.now();
    if (this.impairment.rateKbps === null) {
      for (const q of this.capQueue.splice(0)) this.delay(q);
      this.capQueueBytes = 0;
      return;
    }
    this.tokens = Math.min(this.bucketBytes(), this.tokens + (now - this.tokensAt) * this.bytesPerMs());
    this.tokensAt = now;
    while (this.capQueue.length > 0 && this.tokens >= this.capQueue[0]!.packet.length) {
      const q = this.capQueue.shift()!;
      this.tokens -= q.packet.length;
      this.capQueueBytes -= q.packet.length;
      this.delay(q);
    }
    const head = this.capQueue[0];
    if (head) this.capTimer = setTimeout(() => this.drainCap(), Math.max(1, Math.ceil((head.packet.length - this.tokens) / this.bytesPerMs())));
  }

  private delay(q: Queued): void {
    const { delayMs, jitterMs, reorder } = this.impairment;
    if (delayMs <= 0 && jitterMs <= 0 && this.line.length === 0) return this.forward(q.packet, q.send, true);
    let due = performance.now() + Math.max(0, delayMs + (jitterMs > 0 ? (this.random() * 2 - 1) * jitterMs : 0));
    if (!reorder) due = Math.max(due, this.lastDue);
    this.lastDue = Math.max(this.lastDue, due);
    // Insert in due order (binary search; without reordering this is always the end).
    let lo = 0;
    let hi = this.line.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.line[mid]!.due <= due) lo = mid + 1;
      else hi = mid;
    }
    this.line.splice(lo, 0, { ...q, due });
    if (lo === 0) this.armLine();
  }

  private armLine(): void {
    if (this.lineTimer) clearTimeout(this.lineTimer);
    this.lineTimer = undefined;
    const head = this.line[0];
    if (!head || this.closed) return;
    this.lineTimer = setTimeout(
      () => {
        this.lineTimer = undefined;
        const now = performance.now();
        while (this.line.length > 0 && this.line[0]!.due <= now + 0.5) {
          const q = this.line.shift()!;
          this.forward(q.packet, q.send, true);
        }
        this.armLine();
      },
      Math.max(0, head.due - performance.now()),
    );
  }

  private forward(packet: Buffer, send: (packet: Buffer) => void, media: boolean): void {
    const c = this.counters;
    c.packetsForwarded++;
    c.bytesForwarded += packet.length;
    if (media) {
      c.mediaPacketsForwarded++;
      c.mediaBytesForwarded += packet.length;
    }
    try {
      send(packet);
    } catch {
      // The socket closed under us (the relay is closing): the packet is gone either way.
    }
  }

  private drop(packet: Buffer, reason: DropReason): void {
    this.counters.packetsDropped++;
    this.counters.bytesDropped += packet.length;
    this.counters.droppedBy[reason]++;
  }

  close(): void {
    this.closed = true;
    if (this.capTimer) clearTimeout(this.capTimer);
    if (this.lineTimer) clearTimeout(this.lineTimer);
    this.capQueue.length = 0;
    this.line.length = 0;
  }
}

interface Listener {
  target: Address;
  socket: dgram.Socket;
  relayed: Address;
  /** Per source (the page's address:port), the socket that talks to the target for it. */
  upstreams: Map<string, dgram.Socket>;
}

/** A key frame arrives as a burst of packets: give the relay's sockets room for it (as far as the kernel allows). */
function roomy(socket: dgram.Socket): void {
  try {
    socket.setRecvBufferSize(4 << 20);
    socket.setSendBufferSize(4 << 20);
  } catch {
    // Closed meanwhile: nothing to size.
  }
}

function bind(socket: dgram.Socket, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      socket.off('error', reject);
      roomy(socket);
      resolve();
    });
  });
}

export class UdpRelay {
  private readonly links: Record<Direction, Link>;
  private readonly listeners = new Map<string, Promise<Listener>>();
  private readonly sockets = new Set<dgram.Socket>();
  private closed = false;

  /** Candidates the page hook was given and left as they were (not UDP host candidates with an IP address). */
  readonly unrelayed: string[] = [];

  /** `seed` makes loss decisions repeatable; `host` is where the relay listens (a loopback address). */
  constructor(opts: { seed?: number; host?: string } = {}) {
    const random = prng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.host = opts.host ?? '127.0.0.1';
    this.links = { up: new Link(random), down: new Link(random) };
  }

  readonly host: string;

  /** The relay's listening address for `target`, opened on first use (concurrent calls share one listener). */
  async listen(target: Address): Promise<Address> {
    if (this.closed) throw new Error('relay closed');
    const key = `${target.address}|${target.port}`;
    let l = this.listeners.get(key);
    if (!l) {
      l = this.open(target);
      this.listeners.set(key, l);
    }
    return (await l).relayed;
  }

  private async open(target: Address): Promise<Listener> {
    const socket = dgram.createSocket('udp4');
    this.sockets.add(socket);
    socket.on('error', () => {});
    await bind(socket, this.host);
    const listener: Listener = { target, socket, relayed: { address: this.host, port: socket.address().port }, upstreams: new Map() };
    socket.on('message', (msg, from) => {
      if (this.closed) return;
      const key = `${from.address}|${from.port}`;
      let upstream = listener.upstreams.get(key);
      if (!upstream) {
        const up = dgram.createSocket(net.isIPv6(target.address) ? 'udp6' : 'udp4');
        this.sockets.add(up);
        up.on('error', () => {});
        // Sends made while the bind is pending are queued by node:dgram.
        up.bind(0, net.isIPv6(target.address) ? '::1' : this.host, () => roomy(up));
        up.on('message', (reply, src) => {
          if (this.closed || src.port !== target.port) return;
          this.links.down.push(reply, (p) => socket.send(p, from.port, from.address));
        });
        listener.upstreams.set(key, up);
        upstream = up;
      }
      const up = upstream;
      this.links.up.push(msg, (p) => up.send(p, target.port, target.address));
    });
    return listener;
  }

  /** Changes the impairments of one direction or both; what is not named keeps its current value. */
  set(direction: Direction | 'both', patch: Partial<Impairment>): void {
    for (const d of direction === 'both' ? (['up', 'down'] as const) : [direction]) this.links[d].set(patch);
  }

  /** Back to a perfect link both ways. */
  clear(): void {
    this.set('both', NO_IMPAIRMENT);
  }

  impairment(direction: Direction): Impairment {
    return { ...this.links[direction].impairment };
  }

  /** A snapshot of one direction's counters since the start. */
  counters(direction: Direction): LinkCounters {
    const c = this.links[direction].counters;
    return { ...c, droppedBy: { ...c.droppedBy } };
  }

  /** Every target opened so far and the relay address that stands for it. */
  async targets(): Promise<{ target: Address; relayed: Address }[]> {
    return (await Promise.all(this.listeners.values())).map((l) => ({ target: l.target, relayed: l.relayed }));
  }

  /** Whether `port` is one of the relay's listening ports (to check which pair ICE selected). */
  async isRelayPort(port: number): Promise<boolean> {
    return (await this.targets()).some((t) => t.relayed.port === port);
  }

  /**
   * The candidate (with or without its `a=` prefix) as the page should see it: a UDP host candidate with an IP
   * address gets the relay's address for it; any other is returned unchanged and noted in `unrelayed`, or, with
   * `dropUnrelayed`, removed (null), so that nothing can reach the target around the relay.
   */
  async rewriteCandidate(line: string, opts: { dropUnrelayed?: boolean } = {}): Promise<string | null> {
    const prefix = line.startsWith('a=') ? 'a=' : '';
    const f = line.slice(prefix.length).split(' ');
    // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …
    const [, , transport, , address, port, typ, type] = f;
    const relayable =
      transport?.toLowerCase() === 'udp' && typ === 'typ' && type === 'host' && address !== undefined && net.isIP(address) !== 0 && Number(port) > 0;
    if (!relayable) {
      this.unrelayed.push(line);
      return opts.dropUnrelayed ? null : line;
    }
    const relayed = await this.listen({ address, port: Number(port) });
    f[4] = relayed.address;
    f[5] = String(relayed.port);
    return prefix + f.join(' ');
  }

  /** Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.links.up.close();
    this.links.down.close();
    await Promise.allSettled(this.listeners.values());
    await Promise.all(
      [...this.sockets].map(
        (s) =>
          new Promise<void>((r) => {
            try {
              s.close(() => r());
            } catch {
              r(); // never bound, or already closed
            }
          }),
      ),
    );
    this.sockets.clear();
  }
}

/**
 * Puts `relay` between `page` and its WebRTC peers. Call before the page navigates: it wraps
 * RTCPeerConnection.prototype.setRemoteDescription and addIceCandidate so every remote UDP host candidate (in
 * the SDP's a=candidate lines and in trickled candidates) is replaced by the relay's address for it, which the
 * relay opens on demand through an exposed function. `dropUnrelayed` also removes every other remote candidate
 * (TCP, IPv6 link-local names, mDNS): use it where a path around the relay must be impossible (a direct call
 * between two pages); leave it off for the SFU, whose TCP candidates are the fallback when UDP is blocked.
 */
export async function attachRelay(page: Page, relay: UdpRelay, opts: { dropUnrelayed?: boolean } = {}): Promise<void> {
  const dropUnrelayed = opts.dropUnrelayed ?? false;
  await page.exposeFunction('__vjRelayCandidate', (line: string) => relay.rewriteCandidate(line, { dropUnrelayed }));
  await page.evaluateOnNewDocument('globalThis.__name ??= (f) => f;');
  await page.evaluateOnNewDocument(() => {
    // Looked up at each call: the exposed function is installed by a script of its own.
    const rewrite = (line: string) => (window as unknown as { __vjRelayCandidate: (line: string) => Promise<string | null> }).__vjRelayCandidate(line);
    const rewriteSdp = async (sdp: string): Promise<string> => {
      const lines = sdp.split('\r\n');
      const out: string[] = [];
      for (const l of lines) {
        if (!l.startsWith('a=candidate:')) {
          out.push(l);
          continue;
        }
        const r = await rewrite(l);
        if (r !== null) out.push(r);
      }
      return out.join('\r\n');
    };
    const proto = RTCPeerConnection.prototype;
    const setRemote = proto.setRemoteDescription as (this: RTCPeerConnection, d?: RTCSessionDescriptionInit) => Promise<void>;
    proto.setRemoteDescription = async function (this: RTCPeerConnection, d?: RTCSessionDescriptionInit) {
      if (!d?.sdp) return setRemote.call(this, d);
      return setRemote.call(this, { type: d.type, sdp: await rewriteSdp(d.sdp) });
    } as typeof proto.setRemoteDescription;
    const addCandidate = proto.addIceCandidate as (this: RTCPeerConnection, c?: RTCIceCandidateInit | null) => Promise<void>;
    proto.addIceCandidate = async function (this: RTCPeerConnection, c?: RTCIceCandidateInit | null) {
      if (!c?.candidate) return addCandidate.call(this, c);
      const r = await rewrite(c.candidate);
      if (r === null) return undefined;
      return addCandidate.call(this, {
        candidate: r,
        sdpMid: c.sdpMid ?? null,
        sdpMLineIndex: c.sdpMLineIndex ?? null,
        usernameFragment: c.usernameFragment ?? null,
      });
    } as typeof proto.addIceCandidate;
  });
}

/**
 * The remote address of the candidate pair each of the page's live connections selected (pages made with
 * newInstrumentedPage), to check that the relay is really on the path.
 */
export async function selectedRemotes(page: Page): Promise<{ protocol: string; address: string; port: number }[]> {
  return (await selectedPairs(page)).map(({ remote }) => ({ protocol: remote.protocol, address: remote.address, port: remote.port }));
}
