import { afterAll, describe, expect, it } from 'vitest';
import type { AlertView } from '@vj/shared';
import { api, loginToken } from '../helpers/api.js';
import { kioskToken } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { randomUUID } from 'node:crypto';
import { connect, send, type TestSocket } from '../helpers/sockets.js';

const GRACE_S = 8;
// Office hours all day, every day: the alarm is about presence, not the clock.
const ENV = { KIOSK_OFFLINE_GRACE_S: String(GRACE_S), OFFICE_HOURS: '00:00-24:00', OFFICE_DAYS: '0-6' };

/** Every alert list the socket is sent, newest last. */
function recordAlerts(s: TestSocket): AlertView[][] {
  const seen: AlertView[][] = [];
  s.on('alerts', ({ alerts }: { alerts: AlertView[] }) => seen.push(alerts));
  return seen;
}
const offline = (list: AlertView[] | undefined, room: string) => list?.find((a) => a.kind === 'kiosk_offline' && a.roomCode === room);

describe('every kiosk that should be online and is not raises the offline alarm (issue 14.5)', () => {
  const servers: TestServer[] = [];
  const sockets: TestSocket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.close();
    // The restarted server shares the first one's database and folder; the first one cleans them up.
    for (const s of servers.reverse()) await s.stop();
  });

  it('after a restart: the kiosk that never came back is alarmed after the grace period, the one that came back is not, a revoked one never', async () => {
    const [BACK, GONE, REVOKED] = ['xingsha', 'langli', 'chunhua'];
    const first = await startTestServer({ env: ENV });
    servers.push(first);
    const secrets = first.demoSecrets() as { kiosks: Record<string, string> };
    for (const room of [BACK, GONE]) sockets.push(await connect(first.url, await kioskToken(first.url, secrets.kiosks[room]!)));
    // A call in progress in the room that comes back, answered by an officer: after the restart the queue must
    // still say who took it (it read "由 接听" with the name missing).
    const calling = await send(sockets[0]!, 'call:start', { requestId: randomUUID() });
    const sessionId = calling.ok ? calling.data.sessionId : 'call:start failed';
    const answerer = await connect(first.url, await loginToken(first.url, 'officer1', 'officer1-demo'));
    sockets.push(answerer);
    expect((await send(answerer, 'call:answer', { sessionId })).ok).toBe(true);
    const adminToken = await loginToken(first.url, 'admin', 'admin-demo');
    const kiosks = await api<{ items: { id: string; roomCode: string; roomName: string }[] }>(first.url, 'GET', '/api/admin/kiosks', { token: adminToken });
    expect(kiosks.body.items.find((k) => k.roomCode === BACK)?.roomName).toBe('星沙街道');

    // A hard restart: no socket closes on the server, so nothing but the watch can notice who is missing.
    await first.kill();
    const restartedAt = Date.now();
    const second = await startTestServer({ env: ENV, reuse: { dataDir: first.dataDir, databaseUrl: first.databaseUrl, port: first.port } });
    servers.push(second);
    sockets.push(await connect(second.url, await kioskToken(second.url, secrets.kiosks[BACK]!)));
    const officer = await connect(second.url, await loginToken(second.url, 'supervisor', 'supervisor-demo'));
    sockets.push(officer);
    const seen = recordAlerts(officer);
    const rooms = await api<{ rooms: { code: string; sessionId: string | null; answeredBy: string | null }[] }>(second.url, 'GET', '/api/rooms', {
      token: await loginToken(second.url, 'officer2', 'officer2-demo'),
    });
    expect(rooms.body.rooms.find((r) => r.code === BACK)).toMatchObject({ sessionId, answeredBy: expect.stringContaining('王干事') });

    // The room whose kiosk is revoked has nobody to wait for: its alarm, once raised, clears and stays cleared.
    const revokeId = kiosks.body.items.find((k) => k.roomCode === REVOKED)!.id;
    const revoked = await api(second.url, 'POST', `/api/admin/kiosks/${revokeId}/revoke`, { token: await loginToken(second.url, 'admin', 'admin-demo') });
    expect(revoked.status).toBe(200);

    const alarm = await waitFor('offline alarm for the kiosk that never came back', async () => offline(seen.at(-1), GONE), {
      timeoutMs: (GRACE_S + 30) * 1000,
    });
    const raisedAfterMs = Date.parse(alarm.raisedAt) - restartedAt;
    // Not before the grace period (the kiosk had its chance to reconnect), and at the first checks after it.
    expect(raisedAfterMs).toBeGreaterThanOrEqual(GRACE_S * 1000);
    expect(raisedAfterMs).toBeLessThan((GRACE_S + 25) * 1000);

    // One more check period (a quarter of the grace) and the picture is complete: every other provisioned room
    // that nobody connected is alarmed too, the one that came back and the revoked one are not.
    await waitFor('a further check', async () => Date.now() - Date.parse(alarm.raisedAt) > (GRACE_S / 4 + 1) * 1000 || undefined, { timeoutMs: 20_000 });
    const last = seen.at(-1)!;
    expect(offline(last, 'huanghua')).toBeDefined();
    for (const list of seen) {
      expect(offline(list, BACK), 'the kiosk that came back').toBeUndefined();
      expect(offline(list, REVOKED), 'the revoked kiosk').toBeUndefined();
    }

    // It clears the moment the kiosk is back.
    sockets.push(await connect(second.url, await kioskToken(second.url, secrets.kiosks[GONE]!)));
    await waitFor('alarm cleared when the kiosk is back', async () => !offline(seen.at(-1), GONE) || undefined, { timeoutMs: 10_000 });
  });
});
