import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAll } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';
import { connect, send, type TestSocket } from '../helpers/sockets.js';

// wall:join makes the console's receive transport on the wall's router (one request instead of three), so nothing it
// makes may outlive the console: two joins at once on one socket keep one transport, and a console gone while its
// join is under way keeps none (a transport for a viewer nobody holds would stay on the SFU until the wall closes).

describe('wall:join leaves no transport behind', () => {
  let s: InProcessServer;
  let token: string;
  const sockets: TestSocket[] = [];
  /** What the server asked of the SFU, in order; and the wall's router, as the transports made for it name it. */
  const asked: string[] = [];
  const made: string[] = [];

  beforeAll(async () => {
    s = await startInProcess({ RECORDING: 'off' });
    token = (await loginAll(s.url, ['officer1']))['officer1']!.accessToken;
    // Which transports the server makes, and when each is made: the join answers a socket that is gone to nobody.
    const sfu = s.server.ctx.sfu as { request: (method: string, params: unknown) => Promise<unknown> };
    const request = sfu.request.bind(sfu);
    sfu.request = async (method, params) => {
      asked.push(method);
      const answer = await request(method, params);
      if (method === 'createWebRtcTransport') made.push((params as { sessionId: string }).sessionId);
      return answer;
    };
  }, 120_000);
  afterAll(async () => {
    for (const c of sockets) c.close();
    await s?.stop();
  });

  const wallTransports = async (wall: string) => (await s.server.ctx.sfu.request('dump', { sessionId: wall })).peers.reduce((n, p) => n + p.transports, 0);

  it('a console gone while its join is under way keeps no transport on the wall', async () => {
    // The first join of this server opens the wall's router first; the console leaves while that is under way.
    const doomed = await connect(s.url, token);
    doomed.emit('wall:join', {}, () => undefined);
    await waitFor('the join under way', async () => asked.includes('createRouter'), { intervalMs: 1 });
    doomed.disconnect();
    await waitFor('the join’s transport made', async () => made.length >= 1, { timeoutMs: 20_000 });
    const wall = made[0]!;
    await waitFor('no transport left on the wall', async () => (await wallTransports(wall)) === 0, { timeoutMs: 10_000 });
  });

  it('a join that arrives after its console was reported gone makes nothing (a cluster relays the join and the leave on different ways)', async () => {
    const c = await connect(s.url, token);
    sockets.push(c);
    const before = made.length;
    // The leave first, as another node's "socket gone" can reach the wall's node before that node's relayed join.
    await s.server.ctx.reconnect.socketGone(c.id!);
    const r = await send(c, 'wall:join', {});
    expect(r.ok ? 'joined' : r.error.code).toBe('NOT_FOUND');
    expect(made.length).toBe(before);
    // Another socket of the same officer joins as ever: only the socket that went is refused.
    const d = await connect(s.url, token);
    sockets.push(d);
    const joined = await send(d, 'wall:join', {});
    if (!joined.ok) throw new Error(`the live console's join was refused: ${joined.error.code}`);
    expect(await wallTransports(joined.data.sessionId)).toBe(1);
    d.disconnect();
    await waitFor('the console’s transport gone when it left', async () => (await wallTransports(joined.data.sessionId)) === 0, { timeoutMs: 10_000 });
  });

  it('two joins at once on one socket are both answered and keep one transport, which goes when the console leaves', async () => {
    const c = await connect(s.url, token);
    sockets.push(c);
    const [a, b] = await Promise.all([send(c, 'wall:join', {}), send(c, 'wall:join', {})]);
    if (!a.ok || !b.ok) throw new Error(`a join was refused: ${JSON.stringify([a, b])}`);
    expect(a.data.transport.id).not.toBe(b.data.transport.id);
    expect(await wallTransports(a.data.sessionId)).toBe(1);
    c.disconnect();
    await waitFor('the console’s transport gone when it left', async () => (await wallTransports(a.data.sessionId)) === 0, { timeoutMs: 10_000 });
  });
});
