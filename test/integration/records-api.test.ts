import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { PNG, kioskToken, loginAll, petitionBody, upload } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';
import { connect, send } from '../helpers/sockets.js';

let s: InProcessServer;

// Tokens here live 5 seconds (to test expiry), so every test logs in afresh.
const fresh = async (username: string) => (await loginAll(s.url, [username]))[username]!.accessToken;
/** When a token expires, from its own exp claim (whole seconds). */
const expiresAtMs = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000;

beforeAll(async () => {
  s = await startInProcess({ ACCESS_TOKEN_TTL_S: '5' });
});
afterAll(async () => s?.stop());

describe('access that ends', () => {
  it('disabling a user closes their socket and refuses their next request at once; enabling lets them log in again', async () => {
    const { accessToken } = (
      await api<{ accessToken: string }>(s.url, 'POST', '/api/auth/login', { body: { username: 'officer2', password: 'officer2-demo' } })
    ).body;
    const socket = await connect(s.url, accessToken);
    const closed = new Promise((r) => socket.on('disconnect', r));
    const admin = (await api<{ accessToken: string }>(s.url, 'POST', '/api/auth/login', { body: { username: 'admin', password: 'admin-demo' } })).body
      .accessToken;
    const users = await api<{ items: { id: string; username: string }[] }>(s.url, 'GET', '/api/admin/users', { token: admin });
    const id = users.body.items.find((u) => u.username === 'officer2')!.id;
    expect((await api(s.url, 'POST', `/api/admin/users/${id}/disable`, { token: admin })).status).toBe(200);
    await closed;
    expect((await api(s.url, 'GET', '/api/rooms', { token: accessToken })).status).toBe(401);
    expect((await api(s.url, 'POST', '/api/auth/login', { body: { username: 'officer2', password: 'officer2-demo' } })).status).toBe(401);
    expect((await api(s.url, 'POST', `/api/admin/users/${id}/enable`, { token: admin })).status).toBe(200);
    expect((await api(s.url, 'POST', '/api/auth/login', { body: { username: 'officer2', password: 'officer2-demo' } })).status).toBe(200);
  });

  it('closes a socket when its token expires, unless the client renewed it in time', async () => {
    const login = async () =>
      (
        await api<{ accessToken: string; refreshToken: string }>(s.url, 'POST', '/api/auth/login', {
          body: { username: 'supervisor', password: 'supervisor-demo' },
        })
      ).body;
    const stale = await connect(s.url, (await login()).accessToken);
    const first = await login();
    const renewed = await connect(s.url, first.accessToken);
    let staleClosedAt = 0;
    stale.on('disconnect', () => (staleClosedAt = Date.now()));
    // Expiry is about time, so these waits are on the token's own clock. Its exp is in whole seconds, so a
    // 5-second token lives 4 to 5 s: renew 3 s before its exp (as the console's TokenKeeper renews ahead of
    // time), which is at least 1 s after it was issued, so the renewed token's exp is a later second; a busy
    // machine then has 3 s for the two round trips. Look once the first token is half a second past its exp.
    const expMs = expiresAtMs(first.accessToken);
    await waitFor('3 s before the first expiry', () => Date.now() > expMs - 3000);
    const fresh = await api<{ accessToken: string }>(s.url, 'POST', '/api/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(expiresAtMs(fresh.body.accessToken)).toBeGreaterThan(expMs);
    expect(await send(renewed, 'auth:refresh', { token: fresh.body.accessToken })).toMatchObject({ ok: true });
    await waitFor('stale socket closed at expiry', () => staleClosedAt > 0, { timeoutMs: 10_000 });
    await waitFor('past the first expiry', () => Date.now() > expMs + 500);
    expect(renewed.connected).toBe(true);
    stale.close();
    renewed.close();
  });
});

describe('attachments and receipts', () => {
  it('refuses attachments of the wrong type, with lying content, or too large; accepts a retry of the same file once', async () => {
    const officer = await fresh('officer1');
    const b = petitionBody('xingsha');
    expect((await api(s.url, 'POST', '/api/petitions', { token: officer, body: b })).status).toBe(200);
    expect((await upload(s.url, officer, b.id, randomUUID(), Buffer.from('MZ\x90\x00 executable'), 'application/x-msdownload', 'a.exe')).status).toBe(400);
    expect((await upload(s.url, officer, b.id, randomUUID(), Buffer.from('MZ\x90\x00 executable'), 'image/png', 'a.png')).status).toBe(400);
    expect((await upload(s.url, officer, b.id, randomUUID(), Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024)]), 'image/png', 'big.png')).status).toBe(413);
    const id = randomUUID();
    expect((await upload(s.url, officer, b.id, id, PNG, 'image/png', '照片.png')).status).toBe(200);
    expect((await upload(s.url, officer, b.id, id, PNG, 'image/png', '照片.png')).status).toBe(200);
    const view = await api<{ attachments: unknown[] }>(s.url, 'GET', `/api/petitions/${b.id}`, { token: officer });
    expect(view.body.attachments).toHaveLength(1);
    const res = await fetch(`${s.url}/api/petitions/${b.id}/attachments/${id}`, { headers: { authorization: `Bearer ${officer}` } });
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('照片.png'));
  });

  it('locks a case after five wrong PINs, and a wrong PIN looks the same as an unknown code', async () => {
    const officer = await fresh('officer1');
    const kiosk = await kioskToken(s.url, s.server.demo!.kiosks['langli']!);
    const r = await api<{ caseCode: string; pin: string }>(s.url, 'POST', '/api/petitions', { token: officer, body: petitionBody('langli') });
    const wrongPin = r.body.pin === '000000' ? '111111' : '000000';
    const unknown = await api(s.url, 'POST', '/api/receipts/lookup', { token: kiosk, body: { caseCode: '0000000000', pin: '123456' } });
    const wrong = await api(s.url, 'POST', '/api/receipts/lookup', { token: kiosk, body: { caseCode: r.body.caseCode, pin: wrongPin } });
    expect(wrong).toEqual(unknown);
    expect(wrong.status).toBe(404);
    for (let i = 0; i < 4; i++) await api(s.url, 'POST', '/api/receipts/lookup', { token: kiosk, body: { caseCode: r.body.caseCode, pin: wrongPin } });
    const locked = await api(s.url, 'POST', '/api/receipts/lookup', { token: kiosk, body: { caseCode: r.body.caseCode, pin: r.body.pin } });
    expect(locked.status).toBe(429);
    // A stranger's failures lock only that kiosk for that code: the villager's right PIN works from another one.
    const other = await kioskToken(s.url, s.server.demo!.kiosks['xingsha']!);
    expect((await api(s.url, 'POST', '/api/receipts/lookup', { token: other, body: { caseCode: r.body.caseCode, pin: r.body.pin } })).status).toBe(200);
    // And an unknown code answers exactly like a known one all the way to the lock-out: no existence oracle.
    const sweep: number[] = [];
    for (let i = 0; i < 6; i++)
      sweep.push((await api(s.url, 'POST', '/api/receipts/lookup', { token: kiosk, body: { caseCode: '0000000001', pin: wrongPin } })).status);
    expect(sweep).toEqual([404, 404, 404, 404, 404, 429]);
    const audit = await s.server.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'receipt.lookup_failed'`);
    expect(Number(audit.rows[0]!.n)).toBeGreaterThanOrEqual(6);
  });
});
