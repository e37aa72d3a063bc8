import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { kioskToken, loginAll, type Logins } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, send, type TestSocket } from '../helpers/sockets.js';

type SessionBody = { state: string; endReason: string | null };
type Rooms = { rooms: { code: string; state: string }[] };

const GRACE_S = 6;

/**
 * An event that puts a socket into a session (answering, starting a call) can still be under way when that socket
 * closes: a dropped network, or the logout, revocation or disabling that closes it. The close then finds no place
 * to start a grace period for, and before the fix the place was never settled: the villager sat in an answered
 * call with nobody on the other end, and no other officer could answer (an outside probe's finding).
 */
describe('a socket that closes while its event attaches it to a session', () => {
  let server: TestServer;
  let logins: Logins;
  const open: TestSocket[] = [];
  const sock = async (token: string) => {
    const s = await connect(server.url, token);
    open.push(s);
    return s;
  };
  const supervisor = () => logins['supervisor']!.accessToken;
  const record = async (sessionId: string) => (await api<SessionBody>(server.url, 'GET', `/api/sessions/${sessionId}`, { token: supervisor() })).body;
  const roomState = async (code: string) =>
    (await api<Rooms>(server.url, 'GET', '/api/rooms', { token: supervisor() })).body.rooms.find((r) => r.code === code)?.state;

  /** A room no test here has used yet: each call below rings in a room of its own. */
  let used = 0;
  const nextRoom = () => Object.keys(server.demoSecrets().kiosks).sort()[used++]!;

  beforeAll(async () => {
    server = await startTestServer({ env: { RECONNECT_GRACE_S: String(GRACE_S), RECORDING: 'off' } });
    logins = await loginAll(server.url, ['admin', 'supervisor']);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await server?.stop();
  });

  async function ringing(room: string): Promise<{ kiosk: TestSocket; sessionId: string }> {
    const kiosk = await sock(await kioskToken(server.url, server.demoSecrets().kiosks[room]!));
    const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
    if (!started.ok) throw new Error(`call:start: ${JSON.stringify(started)}`);
    return { kiosk, sessionId: started.data.sessionId };
  }

  it('an officer whose network drops right after pressing 接听: the call ends officer_disconnected after the grace period, or another officer can answer it', async () => {
    const other = await sock(supervisor());
    let landed = 0;
    // Rounds: the close overtakes the answer's attaching on some (the bug), on others the answer lands first (a
    // plain drop) or never starts (the call still rings). None may leave an answered call with nobody in it.
    for (const room of [nextRoom(), nextRoom(), nextRoom(), nextRoom()]) {
      const { sessionId } = await ringing(room);
      const officer = await sock((await loginAll(server.url, ['officer1']))['officer1']!.accessToken);
      officer.emit('call:answer', { sessionId }, () => undefined);
      officer.disconnect();
      const outcome = await waitFor(
        `${room}: the call ends once the officer's grace period is over, or still rings for another officer`,
        async () => {
          const r = await record(sessionId);
          if (r.state === 'ended') return `ended ${r.endReason}`;
          // Still ringing: the villager is not stuck if another officer can take the call (else the ghost took it).
          if (r.state === 'calling' && (await send(other, 'call:answer', { sessionId })).ok) return 'answered by another';
          return undefined;
        },
        { timeoutMs: (GRACE_S + 15) * 1000, intervalMs: 200 },
      );
      if (outcome === 'answered by another') expect(await send(other, 'session:end', { sessionId })).toMatchObject({ ok: true });
      else {
        landed++;
        expect(outcome, room).toBe('ended officer_disconnected');
      }
    }
    console.log(`calls ended officer_disconnected: ${landed} of 4 (the rest still rang and another officer took them)`);
  });

  it('an officer who logs out as the answer is under way: the call ends officer_logged_out at once, or still rings', async () => {
    // The logout sent first, the answer a few ms behind it on the still-open socket (as a probe found it): the
    // logout's eviction runs while the answer is under way, and the answer then attaches a socket being closed.
    for (const lagMs of [2, 5, 10]) {
      const code = nextRoom();
      const { kiosk, sessionId } = await ringing(code);
      const mine = await loginAll(server.url, ['officer1']);
      const officer = await sock(mine['officer1']!.accessToken);
      const loggedOut = api(server.url, 'POST', '/api/auth/logout', { token: mine['officer1']!.accessToken });
      await new Promise((r) => setTimeout(r, lagMs));
      officer.emit('call:answer', { sessionId }, () => undefined);
      expect((await loggedOut).status).toBe(200);
      // Well within the grace period: access that ended is not a network drop.
      await waitFor(
        `${code}: the call either never answered or ended with the logout`,
        async () => {
          const r = await record(sessionId);
          return (r.state === 'calling' || (r.state === 'ended' && r.endReason === 'officer_logged_out')) && (await roomState(code)) !== 'in_session';
        },
        { timeoutMs: (GRACE_S * 1000) / 2, intervalMs: 100 },
      );
      if ((await record(sessionId)).state === 'calling') expect(await send(kiosk, 'session:end', { sessionId })).toMatchObject({ ok: true });
    }
  });

  it('a kiosk revoked as its call:start is under way: no call is left ringing from it', async () => {
    // The revocation sent first, the press a few ms behind it on the kiosk's still-open socket.
    for (const lagMs of [2, 5, 10]) {
      const room = nextRoom();
      const credential = server.demoSecrets().kiosks[room]!;
      const kiosk = await sock(await kioskToken(server.url, credential));
      const revoked = api(server.url, 'POST', `/api/admin/kiosks/${credential.split('.')[0]!}/revoke`, { token: logins['admin']!.accessToken });
      await new Promise((r) => setTimeout(r, lagMs));
      kiosk.emit('call:start', { requestId: randomUUID() }, () => undefined);
      expect((await revoked).status).toBe(200);
      await waitFor(
        `${room}: the revoked kiosk has no call ringing or under way`,
        async () => !['calling', 'in_session'].includes((await roomState(room)) ?? ''),
        {
          timeoutMs: (GRACE_S * 1000) / 2,
          intervalMs: 100,
        },
      );
    }
  });
});
