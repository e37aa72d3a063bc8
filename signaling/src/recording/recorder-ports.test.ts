import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePortRange, RecorderPorts } from './recorder-ports.js';

const sockets: dgram.Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function occupy(port: number): Promise<void> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => sock.once('error', reject).bind(port, '127.0.0.1', resolve));
  sockets.push(sock);
}

describe('recorder ports', () => {
  it('reads a range and refuses what is not one', () => {
    expect(parsePortRange('61000-65534')).toEqual({ min: 61000, max: 65534 });
    expect(parsePortRange(' 62000 - 62009 ')).toEqual({ min: 62000, max: 62009 });
    expect(parsePortRange('61000-61001')).toEqual({ min: 61000, max: 61001 });
    for (const bad of ['', '61000', '65534-61000', '100-2000', '61000-70000', 'a-b', '61001-61002']) expect(parsePortRange(bad)).toBeUndefined();
  });

  it('hands out even ports whose pair is free, never the same pair twice, until released', async () => {
    const ports = new RecorderPorts({ min: 63100, max: 63109 });
    const taken = await Promise.all([1, 2, 3, 4, 5].map(() => ports.take()));
    expect(new Set(taken).size).toBe(5);
    for (const p of taken) {
      expect(p % 2).toBe(0);
      expect(p).toBeGreaterThanOrEqual(63100);
      expect(p + 1).toBeLessThanOrEqual(63109);
    }
    await expect(ports.take()).rejects.toThrow(/no free recorder port/);
    ports.release(taken[2]!);
    expect(await ports.take()).toBe(taken[2]);
    expect(ports.inUse).toBe(5);
  });

  it('skips a pair when another process holds either of its ports', async () => {
    const ports = new RecorderPorts({ min: 63120, max: 63125 });
    await occupy(63120);
    await occupy(63123);
    expect(await ports.take()).toBe(63124);
    await expect(ports.take()).rejects.toThrow(/no free recorder port/);
  });
});
