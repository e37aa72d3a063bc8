// The impairment relay on real loopback sockets: a "page" socket sends through the relay to a "target" socket,
// which can echo back. Loss decisions use a fixed seed; timing checks are bounds with wide margins and every
// wait polls, so a busy two-core machine slows these tests down without failing them.
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/poll.js';
import { UdpRelay, type Address } from '../helpers/udp-relay.js';

interface Received {
  seq: number;
  at: number;
  bytes: number;
}

interface Endpoint {
  socket: dgram.Socket;
  address: Address;
  received: Received[];
}

const open: (dgram.Socket | UdpRelay)[] = [];

afterEach(async () => {
  for (const x of open.splice(0)) {
    if (x instanceof UdpRelay) await x.close();
    else x.close();
  }
});

async function endpoint(opts: { echo?: boolean } = {}): Promise<Endpoint> {
  const socket = dgram.createSocket('udp4');
  open.push(socket);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  socket.setRecvBufferSize(1 << 20);
  const received: Received[] = [];
  socket.on('message', (msg, from) => {
    received.push({ seq: msg.readUInt32BE(4), at: performance.now(), bytes: msg.length });
    if (opts.echo) socket.send(msg, from.port, from.address);
  });
  return { socket, address: { address: '127.0.0.1', port: socket.address().port }, received };
}

async function relayTo(target: Endpoint, seed = 1): Promise<{ relay: UdpRelay; via: Address }> {
  const relay = new UdpRelay({ seed });
  open.push(relay);
  return { relay, via: await relay.listen(target.address) };
}

/** A packet whose first byte says what it is (0x80 RTP, 0x00 STUN, 0x16 DTLS) and whose bytes 4–7 are `seq`. */
function packet(seq: number, size = 200, first = 0x80): Buffer {
  const b = Buffer.alloc(size);
  b[0] = first;
  b.writeUInt32BE(seq, 4);
  return b;
}

/** Sends `count` packets in small batches, so neither the kernel nor the relay has to absorb one huge burst. */
async function pump(from: Endpoint, to: Address, count: number, opts: { size?: number; first?: number; batch?: number; start?: number } = {}): Promise<void> {
  const batch = opts.batch ?? 25;
  for (let i = 0; i < count; i++) {
    await new Promise<void>((r) => from.socket.send(packet((opts.start ?? 0) + i, opts.size, opts.first), to.port, to.address, () => r()));
    if ((i + 1) % batch === 0) await new Promise((r) => setTimeout(r, 2));
  }
}

/** Waits until the relay has settled every packet it took in (forwarded or dropped) and `ep` got the forwarded ones. */
async function settled(relay: UdpRelay, direction: 'up' | 'down', sent: number, ep: Endpoint): Promise<void> {
  await waitFor(`relay ${direction} to take in all ${sent} packets`, () => relay.counters(direction).packetsIn >= sent || undefined, { timeoutMs: 30_000 });
  await waitFor(
    `relay ${direction} to settle them`,
    () => {
      const c = relay.counters(direction);
      return c.packetsForwarded + c.packetsDropped === c.packetsIn || undefined;
    },
    { timeoutMs: 30_000 },
  );
  await waitFor('the forwarded packets to arrive', () => ep.received.length >= relay.counters(direction).packetsForwarded || undefined, { timeoutMs: 30_000 });
}

describe('UdpRelay', () => {
  it('forwards both ways unharmed by default, the reply coming back from the address the page sent to', async () => {
    const target = await endpoint({ echo: true });
    const page = await endpoint();
    const { relay, via } = await relayTo(target);
    const froms: number[] = [];
    page.socket.on('message', (_m, from) => froms.push(from.port));
    await pump(page, via, 100);
    await settled(relay, 'up', 100, target);
    await settled(relay, 'down', 100, page);
    expect(target.received.map((r) => r.seq)).toEqual([...Array(100).keys()]);
    expect(page.received).toHaveLength(100);
    expect(new Set(froms)).toEqual(new Set([via.port]));
    expect(relay.counters('up')).toMatchObject({ packetsIn: 100, packetsForwarded: 100, packetsDropped: 0, mediaPacketsIn: 100, bytesIn: 20_000 });
    // The same target gets the same listener; another source gets its own upstream socket, the same listener.
    expect(await relay.listen(target.address)).toEqual(via);
    const other = await endpoint();
    await pump(other, via, 5);
    await waitFor('the second source answered', () => other.received.length === 5 || undefined);
  });

  it('drops the set share of media packets at random, and counts them', async () => {
    const target = await endpoint();
    const page = await endpoint();
    const { relay, via } = await relayTo(target, 42);
    relay.set('up', { loss: 0.2 });
    const n = 3000;
    await pump(page, via, n);
    await settled(relay, 'up', n, target);
    const c = relay.counters('up');
    expect(c.droppedBy.loss).toBe(c.packetsDropped);
    expect(c.packetsDropped / n).toBeGreaterThan(0.16);
    expect(c.packetsDropped / n).toBeLessThan(0.24);
    expect(target.received).toHaveLength(n - c.packetsDropped);
    expect(c.packetsForwarded).toBe(n - c.packetsDropped);
  });

  it('loses in bursts of the set mean length (Gilbert–Elliott)', async () => {
    const target = await endpoint();
    const page = await endpoint();
    const { relay, via } = await relayTo(target, 7);
    relay.set('up', { burst: { enter: 0.05, meanLength: 5 } });
    const n = 4000;
    await pump(page, via, n);
    await settled(relay, 'up', n, target);
    const got = new Set(target.received.map((r) => r.seq));
    const runs: number[] = [];
    let run = 0;
    for (let i = 0; i < n; i++) {
      if (!got.has(i)) run++;
      else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
    const mean = runs.reduce((a, b) => a + b, 0) / runs.length;
    // Mean burst 5; stationary loss p / (p + 1/len) = 0.05 / 0.25 = 20 %.
    expect(mean).toBeGreaterThan(3.5);
    expect(mean).toBeLessThan(7);
    expect(relay.counters('up').droppedBy.burst / n).toBeGreaterThan(0.13);
    expect(relay.counters('up').droppedBy.burst / n).toBeLessThan(0.28);
  });

  it('lets STUN and DTLS through at 100 % loss, and only media is lost', async () => {
    const target = await endpoint();
    const page = await endpoint();
    const { relay, via } = await relayTo(target);
    relay.set('both', { loss: 1 });
    await pump(page, via, 50, { first: 0x00 }); // STUN binding request
    await pump(page, via, 50, { first: 0x16, start: 50 }); // DTLS handshake
    await pump(page, via, 50, { first: 0x80, start: 100 }); // RTP
    await pump(page, via, 50, { first: 0x81, start: 150 }); // RTCP (V=2, one report block)
    await settled(relay, 'up', 200, target);
    expect(target.received.map((r) => r.seq).sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
    expect(relay.counters('up')).toMatchObject({
      packetsIn: 200,
      mediaPacketsIn: 100,
      packetsDropped: 100,
      droppedBy: { loss: 100, burst: 0, queue: 0, blocked: 0 },
    });
  });

  it('blockAll drops everything, STUN included, until it is lifted', async () => {
    const target = await endpoint({ echo: true });
    const page = await endpoint();
    const { relay, via } = await relayTo(target);
    relay.set('up', { blockAll: true });
    await pump(page, via, 20, { first: 0x00 });
    await pump(page, via, 20, { start: 20 });
    await settled(relay, 'up', 40, target);
    expect(target.received).toHaveLength(0);
    expect(relay.counters('up').droppedBy.blocked).toBe(40);
    relay.clear();
    await pump(page, via, 10, { first: 0x00, start: 40 });
    await waitFor('the page answered again', () => page.received.length === 10 || undefined);
  });

  it('keeps the two directions apart', async () => {
    const target = await endpoint({ echo: true });
    const page = await endpoint();
    const { relay, via } = await relayTo(target);
    relay.set('down', { loss: 1 });
    await pump(page, via, 100);
    await settled(relay, 'up', 100, target);
    await settled(relay, 'down', 100, page);
    expect(target.received).toHaveLength(100);
    expect(page.received).toHaveLength(0);
    expect(relay.counters('up').packetsDropped).toBe(0);
    expect(relay.counters('down').packetsDropped).toBe(100);
    expect(relay.impairment('up').loss).toBe(0);

    relay.set('down', { loss: 0 });
    relay.set('up', { loss: 1 });
    await pump(page, via, 100, { start: 100 });
    await settled(relay, 'up', 200, target);
    expect(target.received).toHaveLength(100);
    expect(relay.counters('up').packetsDropped).toBe(100);
    expect(relay.counters('down').packetsIn).toBe(100);
  });

  it('adds the set delay to media one way, and with jitter keeps order unless reordering is asked for', async () => {
    const target = await endpoint();
    const page = await endpoint();
    const { relay, via } = await relayTo(target);
    relay.set('up', { delayMs: 200 });
    const sentAt: number[] = [];
    for (let i = 0; i < 10; i++) {
      sentAt.push(performance.now());
      await pump(page, via, 1, { start: i });
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor('delayed packets', () => target.received.length === 10 || undefined, { timeoutMs: 20_000 });
    const delays = target.received.map((r) => r.at - sentAt[r.seq]!);
    // A lower bound is safe on any machine; the upper one only catches a delay that is not applied once but many times.
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(195);
    expect(Math.min(...delays)).toBeLessThan(2000);

    relay.set('up', { delayMs: 50, jitterMs: 40 });
    await pump(page, via, 300, { start: 100, batch: 5 });
    await settled(relay, 'up', 310, target);
    const inOrder = target.received.slice(10).map((r) => r.seq);
    expect(inOrder).toEqual([...inOrder].sort((a, b) => a - b));

    relay.set('up', { reorder: true });
    await pump(page, via, 300, { start: 1000, batch: 5 });
    await settled(relay, 'up', 610, target);
    const mixed = target.received.slice(310).map((r) => r.seq);
    expect(mixed).toHaveLength(300);
    expect(mixed).not.toEqual([...mixed].sort((a, b) => a - b));
  });

  it('caps the bandwidth: a queued burst leaves no faster than the rate, and an overflowing queue drops', async () => {
    const target = await endpoint();
    const page = await endpoint();
    const { relay, via } = await relayTo(target);
    // 400 kbit/s = 50 bytes/ms. 100 packets of 1000 bytes, a queue long enough for them all: ~2 s to drain.
    relay.set('up', { rateKbps: 400, queueMs: 10_000 });
    const t0 = performance.now();
    await pump(page, via, 100, { size: 1000, batch: 10 });
    await settled(relay, 'up', 100, target);
    const took = target.received.at(-1)!.at - t0;
    expect(relay.counters('up').packetsDropped).toBe(0);
    // (100 000 bytes − a 3000-byte bucket) at 50 bytes/ms is 1940 ms: it cannot be faster, whatever the load.
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(20_000);

    // A short queue: 250 ms at 100 kbit/s is 3125 bytes; a burst of 100 kB mostly overflows it.
    relay.set('up', { rateKbps: 100, queueMs: 250 });
    await pump(page, via, 100, { size: 1000, batch: 10, start: 100 });
    await settled(relay, 'up', 200, target);
    const c = relay.counters('up');
    expect(c.droppedBy.queue).toBeGreaterThan(50);
    expect(c.packetsForwarded).toBe(200 - c.droppedBy.queue);

    // Lifting the cap flushes what waits and lets a burst straight through.
    relay.set('up', { rateKbps: null });
    const t1 = performance.now();
    await pump(page, via, 50, { size: 1000, batch: 10, start: 200 });
    await settled(relay, 'up', 250, target);
    expect(relay.counters('up').droppedBy.queue).toBe(c.droppedBy.queue);
    expect(target.received.at(-1)!.at - t1).toBeLessThan(1900);
  });

  it('rewrites UDP host candidates to its own address and leaves or drops the rest', async () => {
    const relay = new UdpRelay();
    open.push(relay);
    const host = await relay.rewriteCandidate('a=candidate:udpcandidate 1 udp 1076302079 127.0.0.1 40000 typ host generation 0');
    const [, , , , address, port] = host!.split(' ');
    expect(address).toBe('127.0.0.1');
    expect(Number(port)).not.toBe(40000);
    expect(await relay.isRelayPort(Number(port))).toBe(true);
    expect((await relay.targets())[0]!.target).toEqual({ address: '127.0.0.1', port: 40000 });
    // Trickled form (no a= prefix), same target: the same listener.
    expect(await relay.rewriteCandidate('candidate:1 1 UDP 2122260223 127.0.0.1 40000 typ host')).toBe(
      `candidate:1 1 UDP 2122260223 127.0.0.1 ${port} typ host`,
    );
    const tcp = 'a=candidate:tcpcandidate 1 tcp 1076302079 127.0.0.1 40001 typ host tcptype passive';
    const mdns = 'candidate:2 1 udp 2122260223 0c8a3c1e-aaaa-bbbb-cccc-123456789abc.local 50000 typ host';
    expect(await relay.rewriteCandidate(tcp)).toBe(tcp);
    expect(await relay.rewriteCandidate(mdns, { dropUnrelayed: true })).toBeNull();
    expect(relay.unrelayed).toEqual([tcp, mdns]);
  });

  it('closes twice without complaint', async () => {
    const target = await endpoint();
    const { relay } = await relayTo(target);
    await relay.close();
    await relay.close();
    await expect(relay.listen(target.address)).rejects.toThrow(/closed/);
  });
});
