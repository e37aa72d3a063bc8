import dgram from 'node:dgram';

/** A recorder's port range, inclusive. */
export interface PortRange {
  min: number;
  max: number;
}

/**
 * Above Linux's default ephemeral range (32768–60999) and away from the SFU's RTC range (40000–49999): a port
 * found free by binding port 0 and letting go of it came from the range every other socket on the machine draws
 * from, and the SFU's own transports took it (or the one after it) before ffmpeg bound it — ffmpeg then exited
 * on "Address already in use" at every restart, and the track was never recorded.
 */
export const DEFAULT_RECORDER_PORTS: PortRange = { min: 61000, max: 65534 };

/** Parses "61000-65534" (RECORDER_PORTS); undefined when it holds no pair of ports starting on an even one. */
export function parsePortRange(text: string): PortRange | undefined {
  const m = /^\s*(\d{4,5})\s*-\s*(\d{4,5})\s*$/.exec(text);
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = Number(m[2]);
  // At least one pair starting on an even port (the pairs take() hands out).
  return min >= 1024 && max <= 65535 && min + (min % 2) + 1 <= max ? { min, max } : undefined;
}

/** True when a UDP socket can bind `port` on `address` now (it lets go at once). */
export async function udpBindable(port: number, address = '127.0.0.1'): Promise<boolean> {
  const sock = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => sock.once('error', reject).bind(port, address, resolve));
    return true;
  } catch {
    return false;
  } finally {
    sock.close();
  }
}

/** True when nothing on the machine holds the UDP port on loopback or on every address. */
const udpFree = async (port: number) => (await udpBindable(port, '127.0.0.1')) && (await udpBindable(port, '0.0.0.0'));

/**
 * Ports for the recorder's ffmpeg processes. ffmpeg binds the RTP port and the one after it (its RTCP socket,
 * even with rtcp-mux), so a port is handed out only when both are free, and a pair handed out is held here
 * until released: two tracks starting together never get the same pair. Other processes on the machine (a second
 * signaling node) are kept apart by probing, and by starting the search at a random place in the range.
 */
export class RecorderPorts {
  private readonly held = new Set<number>();

  constructor(private readonly range: PortRange = DEFAULT_RECORDER_PORTS) {}

  /** A free pair's first port, held until `release`; refuses when the whole range is in use. */
  async take(): Promise<number> {
    const first = this.range.min + (this.range.min % 2);
    const pairs = Math.floor((this.range.max - first + 1) / 2);
    if (pairs < 1) throw new Error('recorder port range holds no pair of ports');
    const start = Math.floor(Math.random() * pairs);
    for (let i = 0; i < pairs; i++) {
      const port = first + 2 * ((start + i) % pairs);
      if (this.held.has(port)) continue;
      // Held before the probe: a second take() running meanwhile must not probe (and hand out) the same pair.
      this.held.add(port);
      if ((await udpFree(port)) && (await udpFree(port + 1))) return port;
      this.held.delete(port);
    }
    throw new Error('no free recorder port pair in the range');
  }

  release(port: number): void {
    this.held.delete(port);
  }

  /** Ports held now (a test's check that every track gave its pair back). */
  get inUse(): number {
    return this.held.size;
  }
}
