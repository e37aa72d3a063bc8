// TURN credentials in the socket protocol: a server without TURN_URLS answers rtc:createTransport and
// rtc:restartIce exactly as before (no ICE servers); with a TURN relay configured every answer carries fresh
// short-lived credentials (TURN REST API) that expire within TURN_CREDENTIAL_TTL_S, name nobody, and that the
// relay itself (Debian's coturn) accepts.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { clientEvents } from '@vj/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginToken } from '../helpers/api.js';
import { kioskToken } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, send, type TestSocket } from '../helpers/sockets.js';
import { allocate } from '../helpers/turn-client.js';
import { startTurnServer, type TurnServer } from '../helpers/turn-server.js';

const TTL_S = 120;
type IceServers = { urls: string[]; username: string; credential: string }[];

describe('TURN credentials on rtc:createTransport', () => {
  const secret = randomBytes(36).toString('base64');
  let turn: TurnServer;
  let plain: TestServer;
  let relayed: TestServer;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    turn = await startTurnServer(secret);
    [plain, relayed] = await Promise.all([
      startTestServer(),
      startTestServer({ env: { TURN_URLS: turn.url, TURN_SECRET: secret, TURN_CREDENTIAL_TTL_S: String(TTL_S) } }),
    ]);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await Promise.all([plain?.stop(), relayed?.stop()]);
    await turn?.stop();
  });

  /** A kiosk in xingsha that has started a call: its socket, session, peer id and device id. */
  async function callingKiosk(server: TestServer) {
    const token = await kioskToken(server.url, server.demoSecrets().kiosks['xingsha']!);
    const deviceId = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
    const kiosk = await connect(server.url, token);
    open.push(kiosk);
    const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
    if (!started.ok) throw new Error(`call:start: ${JSON.stringify(started)}`);
    return { kiosk, sessionId: started.data.sessionId, peerId: started.data.peerId, deviceId };
  }

  it('without TURN_URLS the answers carry no ICE servers', async () => {
    const { kiosk, sessionId } = await callingKiosk(plain);
    const t = await send(kiosk, 'rtc:createTransport', { sessionId, direction: 'send' });
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(Object.keys(t.data).sort()).toEqual(['dtlsParameters', 'iceCandidates', 'iceParameters', 'id']);
    const r = await send(kiosk, 'rtc:restartIce', { sessionId, transportId: t.data.id });
    expect(r.ok && Object.keys(r.data)).toEqual(['iceParameters']);
    await send(kiosk, 'session:end', { sessionId });
  });

  it('with TURN configured, every transport and ICE restart gets fresh credentials that expire within the TTL, name nobody, and the relay accepts', async () => {
    const { kiosk, sessionId, peerId, deviceId } = await callingKiosk(relayed);
    const before = Math.floor(Date.now() / 1000);
    const answers = [
      await send(kiosk, 'rtc:createTransport', { sessionId, direction: 'send' }),
      await send(kiosk, 'rtc:createTransport', { sessionId, direction: 'recv' }),
    ];
    const after = Math.ceil(Date.now() / 1000);
    const servers: IceServers[] = [];
    for (const a of answers) {
      expect(a.ok).toBe(true);
      if (!a.ok) return;
      // The answer is what the shared schema describes (the client reads it by that type).
      expect(clientEvents['rtc:createTransport'].result.safeParse(a.data).success).toBe(true);
      servers.push(a.data.iceServers as IceServers);
    }
    const transportId = answers[0]!.ok ? answers[0]!.data.id : '';
    const restarted = await send(kiosk, 'rtc:restartIce', { sessionId, transportId });
    expect(restarted.ok && clientEvents['rtc:restartIce'].result.safeParse(restarted.data).success).toBe(true);
    if (restarted.ok) servers.push(restarted.data.iceServers as IceServers);

    const usernames = servers.map((list) => {
      expect(list).toHaveLength(1);
      const [s] = list;
      expect(s!.urls).toEqual([turn.url]);
      const m = /^(\d+):([A-Za-z0-9_-]{22})$/.exec(s!.username);
      expect(m, s!.username).not.toBeNull();
      const expiry = Number(m![1]);
      expect(expiry).toBeGreaterThanOrEqual(before + TTL_S);
      expect(expiry).toBeLessThanOrEqual(after + TTL_S + 5);
      // TURN REST API: the password is base64(HMAC-SHA1(shared secret, username)).
      expect(s!.credential).toBe(createHmac('sha1', secret).update(s!.username).digest('base64'));
      // The id is random: no session, peer, device, room or person in it.
      for (const who of [sessionId, peerId, deviceId, 'xingsha', '星沙']) expect(s!.username).not.toContain(who);
      return s!.username;
    });
    expect(new Set(usernames).size).toBe(usernames.length);

    // The officer's transports get their own, naming no account either.
    const officer = await connect(relayed.url, await loginToken(relayed.url, 'officer1', 'officer1-demo'));
    open.push(officer);
    expect(await send(officer, 'call:answer', { sessionId })).toMatchObject({ ok: true });
    const o = await send(officer, 'rtc:createTransport', { sessionId, direction: 'recv' });
    expect(o.ok).toBe(true);
    const officerName = o.ok ? (o.data.iceServers?.[0]?.username ?? '') : '';
    expect(officerName).toMatch(/^\d+:[A-Za-z0-9_-]{22}$/);
    expect(usernames).not.toContain(officerName);
    // The wall's receive transport, made by wall:join, gets its own credentials as well.
    const wall = await send(officer, 'wall:join', {});
    expect(wall.ok && clientEvents['wall:join'].result.safeParse(wall.data).success).toBe(true);
    const wallName = wall.ok ? (wall.data.transport.iceServers?.[0]?.username ?? '') : '';
    expect(wallName).toMatch(/^\d+:[A-Za-z0-9_-]{22}$/);
    expect([...usernames, officerName]).not.toContain(wallName);

    // coturn itself takes what the server made.
    const s = servers[0]![0]!;
    expect(await allocate(turn.port, s.username, s.credential)).toMatchObject({ status: 200, relayed: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    await send(kiosk, 'session:end', { sessionId });
  });
});
