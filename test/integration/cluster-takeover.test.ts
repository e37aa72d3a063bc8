import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { kioskToken, loginAll, type Logins } from '../helpers/fixtures.js';
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
    await cluster?.stop();
  });

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
      expect({ gapMs: r.gapMs, kiosk: r.kiosk.ok, officer: r.officer.ok, errors: [r.kiosk, r.officer].filter((a) => !a.ok) }).toEqual({ gapMs: r.gapMs, kiosk: true, officer: true, errors: [] });
    }
  }, 120_000);
});
