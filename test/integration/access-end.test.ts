import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { kioskToken, loginAll, type Logins } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { eventWhere, send, type TestSocket, keptSockets } from '../helpers/sockets.js';

// Producers need no real packets to exist on the SFU: a track announced with these parameters holds a transport
// and a producer there exactly like a browser's, which is what revocation must close.
const fakeAudio = (ssrc: number) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc }],
  rtcp: { cname: `c${ssrc}` },
});

type Dump = { transports: number; producers: number; consumers: number };
type Media = { peers: { role: string; transports: number; producers: number; consumers: number }[] };
type SessionBody = {
  state: string;
  endReason: string | null;
  participants: { role: string; userId: string | null; leftAt: string | null; leaveReason: string | null }[];
};

/**
 * Revoking a kiosk, logging out and disabling an account end that principal's media at once: its transports,
 * producers and consumers close on the SFU and the session ends (or it leaves) with its own reason, instead of
 * the session treating the closed socket as a network drop for the whole reconnect grace period (60 s here).
 */
describe('access ending mid-call stops the media at the SFU', () => {
  let server: TestServer;
  let logins: Logins;
  const { sock, closeAll } = keptSockets(() => server.url);
  const admin = () => logins['admin']!.accessToken;
  const supervisor = () => logins['supervisor']!.accessToken;
  const dump = async () => (await api<Dump>(server.url, 'GET', '/api/admin/sfu', { token: admin() })).body;
  const record = async (sessionId: string) => (await api<SessionBody>(server.url, 'GET', `/api/sessions/${sessionId}`, { token: supervisor() })).body;

  beforeAll(async () => {
    // The default grace period (60 s): before the fix, media outlived every revocation by that long.
    // Recording off: its consumers would blur the SFU's counts, which are the proof here (the e2e test records).
    server = await startTestServer({ env: { RECONNECT_GRACE_S: '60', RECORDING: 'off' } });
    logins = await loginAll(server.url, ['admin', 'supervisor']);
  });
  afterAll(async () => {
    closeAll();
    await server?.stop();
  });

  /** Publishes a track into the session and, with `consume`, receives one: a send and a receive transport. */
  async function media(s: TestSocket, sessionId: string, consume?: string): Promise<string> {
    const send1 = await send(s, 'rtc:createTransport', { sessionId, direction: 'send' });
    if (!send1.ok) throw new Error(`send transport: ${JSON.stringify(send1)}`);
    const produced = await send(s, 'rtc:produce', {
      sessionId,
      transportId: send1.data.id,
      kind: 'audio',
      rtpParameters: fakeAudio(1000 + Math.floor(Math.random() * 1e6)),
      source: 'microphone',
    });
    if (!produced.ok) throw new Error(`produce: ${JSON.stringify(produced)}`);
    if (consume) {
      const caps = await send(s, 'rtc:capabilities', { sessionId });
      const recv = await send(s, 'rtc:createTransport', { sessionId, direction: 'recv' });
      if (!caps.ok || !recv.ok) throw new Error('receive transport');
      const consumed = await send(s, 'rtc:consume', { sessionId, transportId: recv.data.id, producerId: consume, rtpCapabilities: caps.data.rtpCapabilities });
      if (!consumed.ok) throw new Error(`consume: ${JSON.stringify(consumed)}`);
    }
    return produced.data.producerId;
  }

  /** A kiosk call answered by `officer`, both publishing, the officer receiving the kiosk. */
  async function answeredCall(room: string, officer: TestSocket) {
    const credential = server.demoSecrets().kiosks[room]!;
    const kiosk = await sock(await kioskToken(server.url, credential));
    const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
    if (!started.ok) throw new Error(`call:start: ${JSON.stringify(started)}`);
    const { sessionId } = started.data;
    expect(await send(officer, 'call:answer', { sessionId })).toMatchObject({ ok: true });
    const kioskProducer = await media(kiosk, sessionId);
    await media(officer, sessionId, kioskProducer);
    const held = (await api<Media>(server.url, 'GET', `/api/sessions/${sessionId}/media`, { token: supervisor() })).body;
    expect(held.peers.find((p) => p.role === 'kiosk')).toMatchObject({ transports: 1, producers: 1 });
    expect(held.peers.find((p) => p.role !== 'kiosk')).toMatchObject({ transports: 2, producers: 1, consumers: 1 });
    return { kiosk, sessionId, deviceId: credential.split('.')[0]! };
  }

  /**
   * Polls the SFU until it holds no more than `before` plus `others` (what the participants who stay hold);
   * returns ms since `t0`, the HTTP response. The old code waited out the 60 s grace period instead.
   */
  async function sfuAtMost(what: string, before: Dump, others: Dump, t0: number): Promise<number> {
    await waitFor(
      what,
      async () => {
        const d = await dump();
        return (
          d.transports <= before.transports + others.transports &&
          d.producers <= before.producers + others.producers &&
          d.consumers <= before.consumers + others.consumers
        );
      },
      { timeoutMs: 5_000, intervalMs: 20 },
    );
    return Date.now() - t0;
  }
  /** The session's next `event`; observed at once, so a test failing before it awaits this reports one error. */
  function pushed<T>(s: TestSocket, event: string, sessionId: string): Promise<T & { sessionId: string }> {
    const p = eventWhere<T & { sessionId: string }>(s, event, (e) => e.sessionId === sessionId, 5_000);
    p.catch(() => {});
    return p;
  }
  const nothing: Dump = { transports: 0, producers: 0, consumers: 0 };
  /** What each side of `answeredCall` holds on the SFU. */
  const kioskHolds: Dump = { transports: 1, producers: 1, consumers: 0 };
  const officerHolds: Dump = { transports: 2, producers: 1, consumers: 0 };

  it('a kiosk revoked mid-call: its transports and producers close at once and the session ends with kiosk_revoked', async () => {
    const officer = await sock(logins['supervisor']!.accessToken);
    const before = await dump();
    const { kiosk, sessionId, deviceId } = await answeredCall('xingsha', officer);
    const ended = pushed<{ reason: string }>(officer, 'session:ended', sessionId);
    const kioskGone = new Promise((r) => kiosk.once('disconnect', r));

    const res = await api(server.url, 'POST', `/api/admin/kiosks/${deviceId}/revoke`, { token: admin() });
    const t0 = Date.now();
    expect(res.status).toBe(200);
    // The kiosk's transport and producer, and the officer's consumer of it, close first; then the whole session.
    const ms = await sfuAtMost("the kiosk's transport, producer and the consumers of it closed", before, officerHolds, t0);
    const all = await sfuAtMost("the session's media closed", before, nothing, t0);
    console.log(`kiosk revoked: its media closed on the SFU ${ms} ms after the HTTP response, the whole session's ${all} ms`);
    expect(await ended).toMatchObject({ reason: 'kiosk_revoked' });
    await kioskGone;
    const r = await record(sessionId);
    expect(r).toMatchObject({ state: 'ended', endReason: 'kiosk_revoked' });
    expect(r.participants.find((p) => p.role === 'kiosk')?.leaveReason).toBe('kiosk_revoked');
  });

  it('the only talking officer logs out mid-call: their media closes and the session ends with officer_logged_out', async () => {
    const mine = await loginAll(server.url, ['officer1']);
    const officer = await sock(mine['officer1']!.accessToken);
    const before = await dump();
    const { kiosk, sessionId } = await answeredCall('langli', officer);
    const ended = pushed<{ reason: string }>(kiosk, 'session:ended', sessionId);

    const res = await api(server.url, 'POST', '/api/auth/logout', { token: mine['officer1']!.accessToken });
    const t0 = Date.now();
    expect(res.status).toBe(200);
    const ms = await sfuAtMost("the officer's transports, producer and consumer closed", before, kioskHolds, t0);
    const all = await sfuAtMost("the session's media closed", before, nothing, t0);
    console.log(`officer logged out: their media closed on the SFU ${ms} ms after the HTTP response, the whole session's ${all} ms`);
    expect(await ended).toMatchObject({ reason: 'officer_logged_out' });
    const r = await record(sessionId);
    expect(r).toMatchObject({ state: 'ended', endReason: 'officer_logged_out' });
    expect(r.participants.find((p) => p.role === 'county_officer')?.leaveReason).toBe('officer_logged_out');
  });

  it('the only talking officer is disabled mid-call: the session ends with user_disabled', async () => {
    const mine = await loginAll(server.url, ['officer2']);
    const officer = await sock(mine['officer2']!.accessToken);
    const before = await dump();
    const { kiosk, sessionId } = await answeredCall('huanghua', officer);
    const ended = pushed<{ reason: string }>(kiosk, 'session:ended', sessionId);
    const userId = mine['officer2']!.user.id;
    try {
      // Written in capitals: the same account to the database, and it must be to the live sockets too (a probe's
      // upper-case id disabled the account and left its socket and media up).
      const res = await api(server.url, 'POST', `/api/admin/users/${userId.toUpperCase()}/disable`, { token: admin() });
      const t0 = Date.now();
      expect(res.status).toBe(200);
      const ms = await sfuAtMost("the officer's transports, producer and consumer closed", before, kioskHolds, t0);
      const all = await sfuAtMost("the session's media closed", before, nothing, t0);
      console.log(`officer disabled: their media closed on the SFU ${ms} ms after the HTTP response, the whole session's ${all} ms`);
      expect(await ended).toMatchObject({ reason: 'user_disabled' });
      expect(await record(sessionId)).toMatchObject({ state: 'ended', endReason: 'user_disabled' });
    } finally {
      await api(server.url, 'POST', `/api/admin/users/${userId}/enable`, { token: admin() });
    }
  });

  it('an officer who is not the only talker logs out: only they leave, with that reason, and the others are told', async () => {
    const answering = await loginAll(server.url, ['officer1']);
    const officer = await sock(answering['officer1']!.accessToken);
    const empty = await dump();
    const { kiosk, sessionId } = await answeredCall('chunhua', officer);
    // officer2 in two login sessions: one joins the call, the other just has a socket open.
    const joining = await loginAll(server.url, ['officer2']);
    const otherTab = await loginAll(server.url, ['officer2']);
    const second = await sock(joining['officer2']!.accessToken);
    const idle = await sock(otherTab['officer2']!.accessToken);
    expect(await send(second, 'session:watch', { sessionId, mode: 'join' })).toMatchObject({ ok: true });
    await media(second, sessionId);
    const before = await dump();

    // Logging out the other login session leaves the call alone.
    const idleGone = new Promise((r) => idle.once('disconnect', r));
    expect((await api(server.url, 'POST', '/api/auth/logout', { token: otherTab['officer2']!.accessToken })).status).toBe(200);
    await idleGone;
    expect(second.connected).toBe(true);

    const left = pushed<{ role: string; reason: string }>(kiosk, 'session:participantLeft', sessionId);

    expect((await api(server.url, 'POST', '/api/auth/logout', { token: joining['officer2']!.accessToken })).status).toBe(200);
    expect(await left).toMatchObject({ role: 'county_officer', reason: 'officer_logged_out' });
    await waitFor(
      "the second officer's transport and producer are gone",
      async () => {
        const d = await dump();
        return d.transports === before.transports - 1 && d.producers === before.producers - 1 ? d : undefined;
      },
      { timeoutMs: 5_000 },
    );
    const held = (await api<Media>(server.url, 'GET', `/api/sessions/${sessionId}/media`, { token: supervisor() })).body;
    expect(held.peers.map((p) => p.role).sort()).toEqual(['county_officer', 'kiosk']);
    const r = await record(sessionId);
    expect(r.state).toBe('active');
    expect(r.participants.find((p) => p.userId === joining['officer2']!.user.id)?.leaveReason).toBe('officer_logged_out');
    expect(await send(kiosk, 'session:end', { sessionId })).toMatchObject({ ok: true });
    await sfuAtMost("the session's media closed", empty, nothing, Date.now());
  });

  it("auth:refresh refuses another login session's token, and accepts a refreshed token of its own", async () => {
    const a = await loginAll(server.url, ['officer1']);
    const b = await loginAll(server.url, ['officer1']);
    const s = await sock(a['officer1']!.accessToken);
    expect(await send(s, 'auth:refresh', { token: b['officer1']!.accessToken })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    // The console's own refresh rotates within the same login session: still accepted.
    const refreshed = await api<{ accessToken: string }>(server.url, 'POST', '/api/auth/refresh', { body: { refreshToken: a['officer1']!.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(await send(s, 'auth:refresh', { token: refreshed.body.accessToken })).toMatchObject({ ok: true });
    // And logging out that login session still closes the socket.
    const gone = new Promise((r) => s.once('disconnect', r));
    expect((await api(server.url, 'POST', '/api/auth/logout', { token: refreshed.body.accessToken })).status).toBe(200);
    await gone;
  });

  it('a kiosk flooding call:start and cancel is refused with RATE_LIMITED', async () => {
    const kiosk = await sock(await kioskToken(server.url, server.demoSecrets().kiosks['jinjing']!));
    const results: string[] = [];
    for (let i = 0; i < 15; i++) {
      const r = await send(kiosk, 'call:start', { requestId: randomUUID() });
      if (r.ok) {
        results.push('ok');
        await send(kiosk, 'session:end', { sessionId: r.data.sessionId });
      } else {
        results.push(r.error.code);
        expect(r.error.message).toMatch(/[\u4e00-\u9fff]/);
      }
    }
    const accepted = results.filter((x) => x === 'ok').length;
    expect(results.filter((x) => x !== 'ok' && x !== 'RATE_LIMITED')).toEqual([]);
    expect(accepted).toBeGreaterThanOrEqual(2);
    expect(accepted).toBeLessThanOrEqual(6);
    // Another kiosk is not affected by this one's budget.
    const other = await sock(await kioskToken(server.url, server.demoSecrets().kiosks['kaihui']!));
    const started = await send(other, 'call:start', { requestId: randomUUID() });
    expect(started).toMatchObject({ ok: true });
    if (started.ok) await send(other, 'session:end', { sessionId: started.data.sessionId });
  });

  it("a call:start sent again with its request id opens nothing new and does not spend the kiosk's start budget", async () => {
    const kiosk = await sock(await kioskToken(server.url, server.demoSecrets().kiosks['lukou']!));
    const requestId = randomUUID();
    const first = await send(kiosk, 'call:start', { requestId });
    expect(first).toMatchObject({ ok: true });
    if (!first.ok) return;
    try {
      // More resends than the burst limit (6 in 10 s) lets through: every one is the same call.
      for (let i = 0; i < 9; i++) {
        const again = await send(kiosk, 'call:start', { requestId });
        expect(again).toMatchObject({ ok: true, data: { sessionId: first.data.sessionId } });
      }
    } finally {
      await send(kiosk, 'session:end', { sessionId: first.data.sessionId });
    }
    // The budget is not spent by the resends: the start and its cancel took two of six, so new calls are still let
    // through before one is refused. An id once refused is not let through by sending it again.
    let letThrough = 0;
    let refusedId: string | undefined;
    for (let i = 0; i < 8 && !refusedId; i++) {
      const requestId = randomUUID();
      const r = await send(kiosk, 'call:start', { requestId });
      if (r.ok) {
        letThrough += 1;
        await send(kiosk, 'session:end', { sessionId: r.data.sessionId });
      } else if (r.error.code === 'RATE_LIMITED') refusedId = requestId;
    }
    expect(letThrough).toBeGreaterThanOrEqual(2);
    expect(refusedId).toBeDefined();
    expect(await send(kiosk, 'call:start', { requestId: refusedId! })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });

  it('the administrator cannot disable their own account, nor an unknown user or kiosk: refused in Chinese, nothing changed', async () => {
    type Refusal = { error: { code: string; message: string } };
    const me = logins['admin']!.user.id;
    const own = await api<Refusal>(server.url, 'POST', `/api/admin/users/${me}/disable`, { token: admin() });
    expect(own.status).toBe(409);
    expect(own.body.error.message).toContain('不能停用或启用自己的账号');
    expect((await api<{ disabled: boolean }>(server.url, 'POST', '/api/auth/refresh', { body: { refreshToken: logins['admin']!.refreshToken } })).status).toBe(
      200,
    );
    const ghost = await api<Refusal>(server.url, 'POST', `/api/admin/users/${randomUUID()}/disable`, { token: admin() });
    expect(ghost.status).toBe(404);
    expect(ghost.body.error.message).toBe('用户不存在');
    for (const path of [`/api/admin/kiosks/${randomUUID()}/revoke`, `/api/admin/kiosks/${randomUUID()}/reprovision`]) {
      const r = await api<Refusal>(server.url, 'POST', path, { token: admin() });
      expect(r.status).toBe(404);
      expect(r.body.error.message).toBe('没有这台接待室终端');
    }
  });
});
