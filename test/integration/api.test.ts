import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, eventWhere, nextEvent, send } from '../helpers/sockets.js';
import { forgedConsoleTokens } from '../helpers/forged-tokens.js';

let server: TestServer;
let officer: string;
let kioskToken: string;

beforeAll(async () => {
  server = await startTestServer({ env: { RECONNECT_GRACE_S: '5' } });
  officer = await loginToken(server.url, 'officer1', 'officer1-demo');
  const r = await api<{ accessToken: string }>(server.url, 'POST', '/api/auth/kiosk', { body: { credential: server.demoSecrets().kiosks['langli'] } });
  kioskToken = r.body.accessToken;
});
afterAll(async () => server?.stop());

describe('REST', () => {
  it('GET /api/health reports the database and SFU', async () => {
    const r = await api(server.url, 'GET', '/api/health');
    expect(r).toMatchObject({ status: 200, body: { status: 'ok', database: 'ok' } });
    // One worker in a single test process; one per SFU node in the cluster topology.
    expect((r.body as { sfuWorkers: number }).sfuWorkers).toBe(process.env['VJ_TOPOLOGY'] === 'cluster' ? 2 : 1);
  });

  it('POST /api/auth/login: 400 on a bad body, 401 alike for unknown user and wrong password, 200 otherwise', async () => {
    expect(await api(server.url, 'POST', '/api/auth/login', { body: { username: 'officer1' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_REQUEST', fields: ['password'] } },
    });
    expect((await api(server.url, 'POST', '/api/auth/login', { rawBody: '{"username":' })).status).toBe(400);
    const wrong = await api(server.url, 'POST', '/api/auth/login', { body: { username: 'officer2', password: 'nope' } });
    const unknown = await api(server.url, 'POST', '/api/auth/login', { body: { username: 'nobody', password: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown).toEqual(wrong);
    const ok = await api<{ user: { role: string } }>(server.url, 'POST', '/api/auth/login', { body: { username: 'supervisor', password: 'supervisor-demo' } });
    expect(ok).toMatchObject({ status: 200, body: { user: { role: 'county_supervisor' } } });
  });

  it('POST /api/auth/login is rate limited per address and username', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await api(server.url, 'POST', '/api/auth/login', { body: { username: 'ratelimited', password: 'x' } })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('POST /api/auth/kiosk: 400 malformed, 401 wrong secret, 200 with the room', async () => {
    expect((await api(server.url, 'POST', '/api/auth/kiosk', { body: { credential: 'x' } })).status).toBe(400);
    const cred = server.demoSecrets().kiosks['xingsha']!;
    const wrong = `${cred.split('.')[0]}.${'A'.repeat(43)}`;
    expect(await api(server.url, 'POST', '/api/auth/kiosk', { body: { credential: wrong } })).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    expect(await api(server.url, 'POST', '/api/auth/kiosk', { body: { credential: cred } })).toMatchObject({
      status: 200,
      body: { room: { code: 'xingsha', name: '星沙街道' } },
    });
  });

  it('GET /api/rooms: 401 without a token or with a kiosk token, 200 with the 19 rooms for an officer', async () => {
    expect((await api(server.url, 'GET', '/api/rooms')).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/rooms', { token: kioskToken })).status).toBe(401);
    const r = await api<{ rooms: unknown[] }>(server.url, 'GET', '/api/rooms', { token: officer });
    expect(r.status).toBe(200);
    expect(r.body.rooms).toHaveLength(19);
  });

  it('GET /api/sessions/:id: 400 bad id, 404 unknown', async () => {
    expect((await api(server.url, 'GET', '/api/sessions/nope', { token: officer })).status).toBe(400);
    expect((await api(server.url, 'GET', `/api/sessions/${randomUUID()}`, { token: officer })).status).toBe(404);
  });

  it('POST /api/auth/refresh rotates the refresh token; replaying a used one revokes the session at once', async () => {
    const login = await api<{ accessToken: string; refreshToken: string }>(server.url, 'POST', '/api/auth/login', {
      body: { username: 'officer2', password: 'officer2-demo' },
    });
    const first = await api<{ accessToken: string; refreshToken: string }>(server.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(login.body.refreshToken);
    expect((await api(server.url, 'GET', '/api/rooms', { token: first.body.accessToken })).status).toBe(200);
    // The stolen copy comes back: the whole session dies, including the access token just issued.
    expect((await api(server.url, 'POST', '/api/auth/refresh', { body: { refreshToken: login.body.refreshToken } })).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/rooms', { token: first.body.accessToken })).status).toBe(401);
    expect((await api(server.url, 'POST', '/api/auth/refresh', { body: { refreshToken: first.body.refreshToken } })).status).toBe(401);
    expect((await api(server.url, 'POST', '/api/auth/refresh', { body: { refreshToken: 'junk' } })).status).toBe(400);
  });

  it('POST /api/auth/logout ends access at once, for REST and for open sockets', async () => {
    const token = await loginToken(server.url, 'supervisor', 'supervisor-demo');
    const socket = await connect(server.url, token);
    const closed = new Promise((r) => socket.on('disconnect', r));
    expect((await api(server.url, 'POST', '/api/auth/logout', { token })).status).toBe(200);
    await closed;
    expect((await api(server.url, 'GET', '/api/rooms', { token })).status).toBe(401);
    await expect(connect(server.url, token)).rejects.toThrow('UNAUTHENTICATED');
  });

  it('unknown API routes are a JSON 404', async () => {
    expect(await api(server.url, 'GET', '/api/nothing')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('refuses every forged token on REST and on the socket handshake', async () => {
    const variants = Object.entries(forgedConsoleTokens(server.demoSecrets().jwt));
    expect(variants.length).toBeGreaterThanOrEqual(30);
    const accepted: string[] = [];
    for (const [name, token] of variants) {
      if ((await api(server.url, 'GET', '/api/rooms', { token })).status !== 401) accepted.push(`REST ${name}`);
      const socket = await connect(server.url, token).catch((err: Error) => err);
      if (socket instanceof Error) {
        if (socket.message !== 'UNAUTHENTICATED') accepted.push(`socket ${name}: ${socket.message}`);
      } else {
        // A genuine kiosk token may open a socket, but only as a kiosk: county events stay closed to it.
        const list = await send(socket, 'rooms:list', {});
        socket.close();
        if (name !== 'kiosk token' || list.ok) accepted.push(`socket ${name}`);
      }
    }
    expect(accepted).toEqual([]);
  });
});

describe('socket events', () => {
  it('validates payloads, enforces roles per event, and ignores calls without an ack', async () => {
    const kiosk = await connect(server.url, kioskToken);
    const off = await connect(server.url, officer);
    try {
      expect(await send(kiosk, 'call:start', { requestId: 'nope' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: ['requestId'] } });
      expect(await send(kiosk, 'call:start', { __proto__: { requestId: randomUUID() } })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(await send(kiosk, 'call:answer', { sessionId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await send(kiosk, 'rooms:list', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await send(off, 'call:start', { requestId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await send(off, 'rtc:capabilities', { sessionId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      kiosk.emit('call:start', { requestId: randomUUID() });
      const list = await send(off, 'rooms:list', {});
      expect(list.ok && list.data.rooms.find((r) => r.code === 'langli')?.state).toBe('online');
    } finally {
      kiosk.close();
      off.close();
    }
  });

  it('a cancelled call ends with caller_cancelled, and a retried call:start returns the same session', async () => {
    const kiosk = await connect(server.url, kioskToken);
    const off = await connect(server.url, officer);
    let sessionId = '';
    try {
      // The room's own push, not merely the next one: in a cluster the push for the kiosk coming online is relayed
      // through Redis and can reach the officer after this point.
      const calling = eventWhere<{ code: string; state: string }>(off, 'rooms:state', (r) => r.code === 'langli' && r.state === 'calling');
      const requestId = randomUUID();
      const a = await send(kiosk, 'call:start', { requestId });
      const b = await send(kiosk, 'call:start', { requestId });
      expect(a.ok && b.ok && a.data.sessionId === b.data.sessionId).toBe(true);
      sessionId = a.ok ? a.data.sessionId : '';
      await calling;
      expect(await send(kiosk, 'session:end', { sessionId })).toMatchObject({ ok: true });
      const rec = await api<{ state: string; endReason: string }>(server.url, 'GET', `/api/sessions/${sessionId}`, { token: officer });
      expect(rec.body).toMatchObject({ state: 'ended', endReason: 'caller_cancelled' });
      expect(await send(off, 'call:answer', { sessionId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    } finally {
      // A failure above must not leave langli's call ringing: the room would be busy for the tests after this one.
      if (sessionId) await send(kiosk, 'session:end', { sessionId });
      kiosk.close();
      off.close();
    }
  });

  it('the answer carries the router capabilities the kiosk was given, and none when nobody asked for them', async () => {
    // A room of its own: the calls here do not count against langli's call-start limit.
    const own = await api<{ accessToken: string }>(server.url, 'POST', '/api/auth/kiosk', { body: { credential: server.demoSecrets().kiosks['huanghua'] } });
    const kiosk = await connect(server.url, own.body.accessToken);
    const off = await connect(server.url, officer);
    try {
      for (const kioskAsks of [true, false]) {
        const start = await send(kiosk, 'call:start', { requestId: randomUUID() });
        const sessionId = start.ok ? start.data.sessionId : '';
        const caps = kioskAsks ? await send(kiosk, 'rtc:capabilities', { sessionId }) : undefined;
        const answer = await send(off, 'call:answer', { sessionId });
        expect(answer.ok).toBe(true);
        const given = answer.ok ? (answer.data as { rtpCapabilities?: unknown }).rtpCapabilities : 'not answered';
        if (caps) expect(given).toEqual(caps.ok ? caps.data.rtpCapabilities : 'no capabilities');
        else expect(given).toBeUndefined();
        expect(await send(off, 'session:end', { sessionId })).toMatchObject({ ok: true });
      }
    } finally {
      kiosk.close();
      off.close();
    }
  });

  it('a kiosk that drops mid-call keeps its place for the grace period, then the session ends with kiosk_disconnected', async () => {
    const kiosk = await connect(server.url, kioskToken);
    const off = await connect(server.url, officer);
    try {
      const start = await send(kiosk, 'call:start', { requestId: randomUUID() });
      const sessionId = start.ok ? start.data.sessionId : '';
      expect(await send(off, 'call:answer', { sessionId })).toMatchObject({ ok: true });
      // The push saying the kiosk is away, not merely the next one (the answer's own push may still be on its way).
      const away = eventWhere<{ participants: { role: string; connected: boolean }[] }>(off, 'session:state', (st) =>
        st.participants.some((p) => p.role === 'kiosk' && !p.connected),
      );
      const ended = nextEvent<{ reason: string }>(off, 'session:ended', 15_000);
      kiosk.close();
      await away;
      await waitFor('room still in session during the grace period', async () => {
        const r = await api<{ rooms: { code: string; state: string }[] }>(server.url, 'GET', '/api/rooms', { token: officer });
        return r.body.rooms.find((x) => x.code === 'langli')?.state === 'in_session';
      });
      expect(await ended).toMatchObject({ sessionId, reason: 'kiosk_disconnected' });
    } finally {
      off.close();
    }
  });

  it('a kiosk back within the grace period rejoins the same session', async () => {
    const first = await connect(server.url, kioskToken);
    const off = await connect(server.url, officer);
    try {
      const start = await send(first, 'call:start', { requestId: randomUUID() });
      const sessionId = start.ok ? start.data.sessionId : '';
      expect(await send(off, 'call:answer', { sessionId })).toMatchObject({ ok: true });
      first.close();
      const again = await connect(server.url, kioskToken);
      // Every state push, not just the next one: the push for the kiosk leaving may arrive after this point.
      let latest: { participants: { role: string; connected: boolean }[] } | undefined;
      off.on('session:state', (st: typeof latest) => (latest = st));
      expect(await send(again, 'session:mine', {})).toMatchObject({ ok: true, data: { sessions: [{ sessionId, roomCode: 'langli' }] } });
      const rejoined = await send(again, 'session:rejoin', { sessionId });
      expect(rejoined).toMatchObject({ ok: true, data: { session: { sessionId, state: 'active' } } });
      await waitFor('officer sees the kiosk back', () => latest?.participants.find((p) => p.role === 'kiosk')?.connected === true);
      // Another kiosk's device cannot take its place.
      const other = await connect(
        server.url,
        (await api<{ accessToken: string }>(server.url, 'POST', '/api/auth/kiosk', { body: { credential: server.demoSecrets().kiosks['xingsha'] } })).body
          .accessToken,
      );
      expect(await send(other, 'session:rejoin', { sessionId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      other.close();
      expect(await send(again, 'session:end', { sessionId })).toMatchObject({ ok: true });
      again.close();
    } finally {
      off.close();
    }
  });
});
