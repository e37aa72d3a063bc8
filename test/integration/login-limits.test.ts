import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRateLimiter, LOGIN_BACKOFF, LoginBackoff, RedisRateLimiter, type RateLimiter } from '@vj/signaling';
import { normalizeUsername } from '@vj/shared';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { redisUrl, uniqueName } from '../helpers/services.js';

/** One login attempt, optionally claiming a client address through X-Forwarded-For. */
async function login(base: string, username: string, password: string, forwardedFor?: string) {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { error?: { code: string; message: string }; user?: { username: string } };
  return { status: res.status, body, retryAfter: res.headers.get('retry-after') };
}

async function statuses(n: number, attempt: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await attempt(i)).status);
  return out;
}

describe('login limits without a trusted proxy (the default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('one normalised username (NFKC + trim) finds the account and keys the limiter', async () => {
    expect(normalizeUsername('\t\u3000ｏｆｆｉｃｅｒ１ ')).toBe('officer1');
    // Full-width letters are the same account, not an unknown name.
    expect(await login(server.url, 'ｏｆｆｉｃｅｒ１', 'officer1-demo')).toMatchObject({ status: 200, body: { user: { username: 'officer1' } } });
  });

  it('padded names share the exhausted budget: no fresh password checks, and the right password is refused too', async () => {
    expect(await statuses(10, () => login(server.url, 'officer2', 'wrong-password'))).toEqual(Array(10).fill(401));
    const padded = ['\tofficer2', '\u3000officer2', ' officer2 ', 'officer2\n', '\u00a0officer2', 'ｏｆｆｉｃｅｒ２'];
    for (const name of padded) {
      const wrong = await login(server.url, name, 'wrong-password');
      expect(wrong.status, JSON.stringify(name)).toBe(429);
    }
    for (const name of padded) {
      const right = await login(server.url, name, 'officer2-demo');
      expect(right.status, JSON.stringify(name)).toBe(429);
      expect(right.body.error).toEqual({ code: 'RATE_LIMITED', message: '尝试次数过多，请稍后再试' });
      expect(Number(right.retryAfter)).toBeGreaterThan(0);
    }
  });

  it('a forged X-Forwarded-For is not a fresh budget', async () => {
    const got = await statuses(12, (i) => login(server.url, 'xff-probe', 'guess', `203.0.113.${i + 1}`));
    expect(got.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(got.slice(10)).toEqual([429, 429]);
  });
});

describe('login limits behind a trusted proxy (TRUST_PROXY=127.0.0.1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: '127.0.0.1' } });
  });
  afterAll(async () => server?.stop());

  it('honours X-Forwarded-For from the configured proxy: each client address has its own budget', async () => {
    const first = await statuses(11, () => login(server.url, 'proxied-probe', 'guess', '198.51.100.1'));
    expect(first).toEqual([...Array(10).fill(401), 429]);
    expect((await login(server.url, 'proxied-probe', 'guess', '198.51.100.2')).status).toBe(401);
    // Only the last hop, the one the proxy appended, counts: what the client put in front does not.
    expect((await login(server.url, 'proxied-probe', 'guess', '10.9.9.9, 198.51.100.1')).status).toBe(429);
  });

  it('per-account back-off holds the guessing address but lets the real user log in from a different address', async () => {
    const attacker = '198.51.100.10';
    expect(await statuses(LOGIN_BACKOFF.PAIR_FREE, () => login(server.url, 'officer2', 'wrong-password', attacker))).toEqual(
      Array(LOGIN_BACKOFF.PAIR_FREE).fill(401),
    );
    // Held: even the right password gets no check from that address.
    expect((await login(server.url, 'officer2', 'officer2-demo', attacker)).status).toBe(429);
    expect(await login(server.url, 'officer2', 'officer2-demo', '198.51.100.11')).toMatchObject({ status: 200, body: { user: { username: 'officer2' } } });
    await waitFor('the back-off logged by id only', () =>
      server.logs.some((l) => l.includes('login back-off started') && l.includes('"backoffS":60') && !l.includes('officer2')),
    );
  });

  it('an account under attack from many addresses: failing addresses are refused, a clean address still logs in', async () => {
    // 10 addresses × 3 wrong passwords = the account-wide budget, each address far under its own limits.
    const perAddress = LOGIN_BACKOFF.UNDER_ATTACK_FREE;
    const addresses = Array.from({ length: LOGIN_BACKOFF.ACCOUNT_BUDGET / perAddress }, (_, i) => `192.0.2.${i + 1}`);
    for (const a of addresses)
      expect(await statuses(perAddress, () => login(server.url, 'xingsha-staff', 'wrong-password', a))).toEqual(Array(perAddress).fill(401));
    // Before the fix nothing counted across addresses: these were 401 and 200.
    expect((await login(server.url, 'xingsha-staff', 'wrong-password', addresses[0])).status).toBe(429);
    expect((await login(server.url, 'xingsha-staff', 'xingsha-staff-demo', addresses[1])).status).toBe(429);
    // No lock-out: the real user at a desk that has not been failing logs in, and may even mistype first.
    expect((await login(server.url, 'xingsha-staff', 'typo', '192.0.2.200')).status).toBe(401);
    expect(await login(server.url, 'xingsha-staff', 'xingsha-staff-demo', '192.0.2.200')).toMatchObject({
      status: 200,
      body: { user: { username: 'xingsha-staff' } },
    });
  }, 300_000); // 30+ scrypt password checks: seconds on an idle machine, a minute or more on a crowded one
});

/** The back-off's own rules, on each counter store the server can use (Redis when the run has one). */
const sharedRedis = redisUrl;
const stores: { name: string; make(): { a: RateLimiter; b: RateLimiter; close(): Promise<void> } }[] = [
  {
    name: 'local',
    make: () => {
      const l = new LocalRateLimiter();
      return { a: l, b: l, close: async () => {} };
    },
  },
  ...(sharedRedis
    ? [
        {
          name: 'redis, two nodes',
          make: () => {
            // Two connections standing in for two signaling nodes that share one Redis and prefix.
            const prefix = `${uniqueName('bo')}:`;
            const r1 = new Redis(sharedRedis);
            const r2 = new Redis(sharedRedis);
            return {
              a: new RedisRateLimiter(r1, prefix),
              b: new RedisRateLimiter(r2, prefix),
              close: async () => {
                const keys = await r1.keys(`${prefix}*`);
                if (keys.length) await r1.del(...keys);
                await Promise.all([r1.quit(), r2.quit()]);
              },
            };
          },
        },
      ]
    : []),
];

describe.each(stores)('login back-off on the $name store', ({ make }) => {
  let s: ReturnType<typeof make>;
  beforeAll(() => {
    s = make();
  });
  afterAll(async () => s?.close());

  it('holds a pair after its free tries, doubling per further failure, and only that pair', async () => {
    const nodeA = new LoginBackoff(s.a);
    const nodeB = new LoginBackoff(s.b);
    for (let i = 1; i < LOGIN_BACKOFF.PAIR_FREE; i++) expect(await nodeA.failed('u:1', '10.0.0.1')).toBe(0);
    expect(await nodeB.check('u:1', '10.0.0.1')).toEqual({ ok: true });
    expect(await nodeA.failed('u:1', '10.0.0.1')).toBe(60_000);
    const held = await nodeB.check('u:1', '10.0.0.1');
    expect(held.ok).toBe(false);
    expect(!held.ok && held.retryAfterMs).toBeGreaterThan(50_000);
    expect(await nodeB.failed('u:1', '10.0.0.1')).toBe(120_000);
    expect(await nodeA.failed('u:1', '10.0.0.1')).toBe(240_000);
    expect(await nodeB.check('u:1', '10.0.0.2')).toEqual({ ok: true });
    expect(await nodeB.check('u:2', '10.0.0.1')).toEqual({ ok: true });
    // A success from the address itself (it was not held then) clears its pair.
    await nodeA.succeeded('u:1', '10.0.0.1');
    expect(await nodeB.check('u:1', '10.0.0.1')).toEqual({ ok: true });
  });

  it('a hold is never shortened', async () => {
    await s.a.hold('h', 60_000);
    await s.b.hold('h', 1_000);
    expect(await s.a.heldFor('h')).toBeGreaterThan(50_000);
    expect(await s.b.heldFor('absent')).toBe(0);
  });

  it('one address failing on many accounts is refused on all of them, others are not', async () => {
    const bo = new LoginBackoff(s.a);
    for (let i = 0; i < LOGIN_BACKOFF.ADDRESS_BUDGET; i++) await bo.failed(`n:spray-${i}`, '10.0.0.99');
    expect((await new LoginBackoff(s.b).check('u:fresh', '10.0.0.99')).ok).toBe(false);
    expect((await new LoginBackoff(s.b).check('u:fresh', '10.0.0.98')).ok).toBe(true);
  });
});
