// Topology: pinned — starts the cluster it is about itself.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@vj/shared';
import { RedisSfuClient } from '@vj/sfu-server';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { kioskToken, loginAll, type Logins } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { connect, send, type TestSocket } from '../helpers/sockets.js';

// After kill -9 of a signaling node, every participant of its calls reconnects to a survivor at about the same
// moment. The first event takes the session over; one arriving while that takeover is still loading the
// session used to find it "ours" but not loaded, got NOT_FOUND, and its client ended the call.

describe('cluster: participants of a dead node’s call reaching the survivor at once', () => {
  let cluster: TestCluster;
  let logins: Logins;
  const sockets: TestSocket[] = [];
  const open = async (url: string, token: string) => {
    const s = await connect(url, token);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    cluster = await startTestCluster();
    logins = await loginAll(cluster.url, ['officer1', 'officer2', 'supervisor']);
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await sfu?.close();
    await cluster?.stop();
  });
  let sfu: RedisSfuClient | undefined;

  it('every rejoin succeeds, whatever the gap between the kiosk’s and the officer’s (0–30 ms)', async () => {
    const [stay, victim] = cluster.signaling as [(typeof cluster.signaling)[0], (typeof cluster.signaling)[0]];
    const calls = [
      { room: 'langli', officer: 'officer1', gapMs: 0 },
      { room: 'huanghua', officer: 'officer2', gapMs: 10 },
      { room: 'jinjing', officer: 'supervisor', gapMs: 30 },
    ];
    // Three calls owned by the node that is then killed.
    const placed: { sessionId: string; kioskToken: string; officerToken: string; gapMs: number }[] = [];
    for (const c of calls) {
      const kt = await kioskToken(cluster.url, cluster.demoSecrets().kiosks[c.room]!);
      const kiosk = await open(victim.url, kt);
      const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
      if (!started.ok) throw new Error(`call:start refused: ${JSON.stringify(started)}`);
      const officerToken = logins[c.officer]!.accessToken;
      const officer = await open(victim.url, officerToken);
      const answered = await send(officer, 'call:answer', { sessionId: started.data.sessionId });
      expect(answered).toMatchObject({ ok: true });
      placed.push({ sessionId: started.data.sessionId, kioskToken: kt, officerToken, gapMs: c.gapMs });
    }
    await victim.kill();

    // Each call's kiosk and officer come back on the survivor, the officer `gapMs` after the kiosk.
    const results = await Promise.all(
      placed.map(async (p) => {
        const [k, o] = await Promise.all([open(stay.url, p.kioskToken), open(stay.url, p.officerToken)]);
        const kioskRejoin = send(k, 'session:rejoin', { sessionId: p.sessionId });
        await new Promise((r) => setTimeout(r, p.gapMs));
        const officerRejoin = send(o, 'session:rejoin', { sessionId: p.sessionId });
        return { gapMs: p.gapMs, kiosk: await kioskRejoin, officer: await officerRejoin };
      }),
    );
    for (const r of results) {
      expect({ gapMs: r.gapMs, kiosk: r.kiosk.ok, officer: r.officer.ok, errors: [r.kiosk, r.officer].filter((a) => !a.ok) }).toEqual({
        gapMs: r.gapMs,
        kiosk: true,
        officer: true,
        errors: [],
      });
    }
  }, 120_000);

  it('a wall viewer whose node was killed loses its transport on the wall within seconds (nobody could say it left)', async () => {
    sfu = await RedisSfuClient.connect({ redisUrl: cluster.redisUrl, prefix: cluster.prefix, log: createLogger('test', 'error', () => {}) });
    const live = cluster.signaling.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
    const doomed = await cluster.addSignaling();
    // The wall runs on a node that stays; a supervisor watches it from the node that is then killed.
    const keeper = await open(live[0]!.url, logins['officer1']!.accessToken);
    const wall = await send(keeper, 'wall:join', {});
    if (!wall.ok) throw new Error(`wall:join refused: ${JSON.stringify(wall)}`);
    const watcher = await open(doomed.url, logins['supervisor']!.accessToken);
    // The join makes the watcher's receive transport on the wall's node (relayed there from the doomed node).
    expect(await send(watcher, 'wall:join', {})).toMatchObject({ ok: true, data: { sessionId: wall.data.sessionId, transport: { id: expect.any(String) } } });
    const transports = async () => (await sfu!.request('dump', { sessionId: wall.data.sessionId })).peers.reduce((n, p) => n + p.transports, 0);
    const withWatcher = await transports();
    expect(withWatcher).toBeGreaterThanOrEqual(1);
    await doomed.kill();
    await waitFor('the dead node’s viewer gone from the wall', async () => (await transports()) === withWatcher - 1, { timeoutMs: 30_000, intervalMs: 250 });
  }, 120_000);
});
