import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPresence } from '../../signaling/src/presence/local-presence.js';
import type { Presence } from '../../signaling/src/presence/presence.js';
import { RedisPresence } from '../../signaling/src/presence/redis-presence.js';
import { testRedis, uniqueName } from '../helpers/services.js';

let redis: Awaited<ReturnType<typeof testRedis>>;
const clients: Redis[] = [];

beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

const impls: { name: string; make: () => Presence }[] = [
  { name: 'LocalPresence', make: () => new LocalPresence() },
  {
    name: 'RedisPresence',
    make: () => {
      const c = new Redis(redis.url);
      clients.push(c);
      return new RedisPresence(c, `${uniqueName('presence')}:`);
    },
  },
];

// One contract, both implementations: the rest of the code cannot tell which one it was given.
describe.each(impls)('$name', ({ make }) => {
  it('tracks kiosks online and offline, and lets only the owning socket mark a kiosk offline', async () => {
    const p = make();
    expect((await p.get(['a']))[0]).toMatchObject({ code: 'a', kioskOnline: false, session: null });
    await p.kioskConnected('a', 's1', 'device-1');
    await p.kioskConnected('a', 's2', 'device-1'); // a quick reconnect: the new socket owns the room now
    expect(await p.kiosk('a')).toEqual({ socketId: 's2', deviceId: 'device-1' });
    expect(await p.kioskDisconnected('a', 's1')).toBe(false);
    expect((await p.get(['a']))[0]!.kioskOnline).toBe(true);
    expect(await p.kioskDisconnected('a', 's2')).toBe(true);
    expect(await p.kiosk('a')).toBeNull();
    const [a] = await p.get(['a']);
    expect(a!.kioskOnline).toBe(false);
    expect(a!.kioskSince).not.toBeNull();
    await p.close();
  });

  it('holds the session shown on the wall, per room', async () => {
    const p = make();
    const s = {
      id: '0b7f7c35-8f0c-4a8e-9d5e-2d3f1c1a0001',
      state: 'calling' as const,
      kind: 'county_call' as const,
      private: false,
      since: new Date().toISOString(),
      answeredBy: null,
    };
    await p.setSession('b', s);
    const [b, c] = await p.get(['b', 'c']);
    expect(b!.session).toEqual(s);
    expect(c!.session).toBeNull();
    await p.setSession('b', null);
    expect((await p.get(['b']))[0]!.session).toBeNull();
    await p.close();
  });

  it('answers an empty list for no rooms', async () => {
    const p = make();
    expect(await p.get([])).toEqual([]);
    await p.close();
  });
});
