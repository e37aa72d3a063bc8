import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { DEMO_PASSWORDS, loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { encodeClip } from '../helpers/rtp.js';
import { recordedCall } from '../helpers/rtp-call.js';
import type { TestSocket } from '../helpers/sockets.js';

// A playback URL carries only ?token= (a <video> element sends no bearer header). These tests hold such a URL
// while access behind it ends — the township grant withdrawn, the handler disabled, the officer logged out — and
// expect 404 at once, for whole-file and byte-range requests alike.

let s: InProcessServer;
let logins: Logins;
let recordingId: string;
const clip = path.join(os.tmpdir(), 'vj-recording-clip.webm');
const senders: ChildProcess[] = [];
const sockets: TestSocket[] = [];

async function login(username: string): Promise<{ token: string; userId: string }> {
  const r = await api<{ accessToken: string; user: { id: string } }>(s.url, 'POST', '/api/auth/login', {
    body: { username, password: DEMO_PASSWORDS[username] },
  });
  expect(r.status).toBe(200);
  return { token: r.body.accessToken, userId: r.body.user.id };
}

const media = (url: string, range?: string) => fetch(`${s.url}${url}`, range ? { headers: { range } } : {});

/** Whole file and one byte range: both must be served while access stands. */
async function expectServed(url: string): Promise<void> {
  const whole = await media(url);
  expect(whole.status).toBe(200);
  expect((await whole.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  const part = await media(url, 'bytes=100-199');
  expect(part.status).toBe(206);
  expect((await part.arrayBuffer()).byteLength).toBe(100);
}

/** …and both refused, like a playback that never existed, once it ends. */
async function expectGone(url: string): Promise<void> {
  for (const range of [undefined, 'bytes=0-', 'bytes=100-199', 'bytes=-500']) {
    const r = await media(url, range);
    expect({ range, status: r.status }).toEqual({ range, status: 404 });
    const body = (await r.json()) as { error: { code: string } };
    expect(body.error.code).toBe('NOT_FOUND');
  }
}

const setGrant = (grant: boolean) =>
  api(s.url, 'POST', `/api/recordings/${recordingId}/township-grant`, {
    token: logins['supervisor']!.accessToken,
    body: { grant, reason: grant ? '镇纪委核查接待过程' : '核查结束，收回授权' },
  });

beforeAll(async () => {
  encodeClip(clip);
  s = await startInProcess();
  logins = await loginAll(s.url, ['supervisor', 'admin']);
  // One real recording in langli: the township of langli-handler.
  const call = await recordedCall(s, 'langli', clip);
  senders.push(...call.senders);
  sockets.push(call.kiosk);
  recordingId = call.recordingId;
});

afterAll(async () => {
  for (const p of senders) p.kill('SIGKILL');
  for (const k of sockets) k.close();
  await s?.stop();
});

describe('playback URLs end with the access behind them', () => {
  it('a township URL answers 404 for every request, byte ranges included, once the supervisor withdraws the grant', async () => {
    expect((await setGrant(true)).status).toBe(200);
    const handler = await login('langli-handler');
    const grant = await api<{ url: string }>(s.url, 'POST', `/api/township/recordings/${recordingId}/playback`, { token: handler.token });
    expect(grant.status).toBe(200);
    await expectServed(grant.body.url);

    expect((await setGrant(false)).status).toBe(200);
    await expectGone(grant.body.url);
    // A new grant is refused too, while the handler's login stays valid for everything else.
    expect((await api(s.url, 'POST', `/api/township/recordings/${recordingId}/playback`, { token: handler.token })).status).toBe(404);
    expect((await api(s.url, 'GET', '/api/township/cases', { token: handler.token })).status).toBe(200);
  });

  it('a township URL answers 404 once the handler is disabled, and stays dead after the account is enabled again', async () => {
    expect((await setGrant(true)).status).toBe(200);
    const handler = await login('langli-handler');
    const grant = await api<{ url: string }>(s.url, 'POST', `/api/township/recordings/${recordingId}/playback`, { token: handler.token });
    expect(grant.status).toBe(200);
    await expectServed(grant.body.url);

    const admin = logins['admin']!.accessToken;
    expect((await api(s.url, 'POST', `/api/admin/users/${handler.userId}/disable`, { token: admin })).status).toBe(200);
    try {
      await expectGone(grant.body.url);
    } finally {
      expect((await api(s.url, 'POST', `/api/admin/users/${handler.userId}/enable`, { token: admin })).status).toBe(200);
    }
    // Disabling ended the login session the grant was made in; enabling the account does not bring it back.
    await expectGone(grant.body.url);
    const again = await login('langli-handler');
    const fresh = await api<{ url: string }>(s.url, 'POST', `/api/township/recordings/${recordingId}/playback`, { token: again.token });
    expect(fresh.status).toBe(200);
    await expectServed(fresh.body.url);
    expect((await setGrant(false)).status).toBe(200);
  });

  it('a county URL answers 404 after the officer logs out of the session that made it, though another session of theirs is live', async () => {
    const made = await login('officer1');
    const other = await login('officer1');
    const grant = await api<{ url: string }>(s.url, 'POST', `/api/recordings/${recordingId}/playback`, { token: made.token });
    expect(grant.status).toBe(200);
    await expectServed(grant.body.url);

    expect((await api(s.url, 'POST', '/api/auth/logout', { token: made.token })).status).toBe(200);
    await expectGone(grant.body.url);
    // The other login still plays, with a grant of its own.
    const own = await api<{ url: string }>(s.url, 'POST', `/api/recordings/${recordingId}/playback`, { token: other.token });
    expect(own.status).toBe(200);
    await expectServed(own.body.url);
  });

  it('a wrong token gets 404 even with a range; a range past the end gets 416 and a suffix range 206, never cached', async () => {
    const officer = await login('officer2');
    const grant = await api<{ url: string; playbackId: string }>(s.url, 'POST', `/api/recordings/${recordingId}/playback`, { token: officer.token });
    expect(grant.status).toBe(200);
    expect((await media(`/api/recordings/playback/${grant.body.playbackId}?token=${'x'.repeat(32)}`, 'bytes=0-99')).status).toBe(404);
    const whole = await media(grant.body.url);
    const size = (await whole.arrayBuffer()).byteLength;
    const past = await media(grant.body.url, `bytes=${size}-`);
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
    const tail = await media(grant.body.url, 'bytes=-10');
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 10}-${size - 1}/${size}`);
    expect(tail.headers.get('cache-control')).toBe('no-store');
  });

  it('a recording whose chain does not verify is refused with INTEGRITY before anything is decrypted', async () => {
    const officer = await login('officer1');
    const grant = await api<{ url: string }>(s.url, 'POST', `/api/recordings/${recordingId}/playback`, { token: officer.token });
    expect(grant.status).toBe(200);
    const row = await s.server.db.query<{ file: string }>('SELECT file FROM recording_segments WHERE recording_id = $1 ORDER BY seq LIMIT 1 OFFSET 1', [
      recordingId,
    ]);
    const target = path.join(s.dataDir, 'recordings', row.rows[0]!.file);
    const original = fs.readFileSync(target);
    const bytes = Buffer.from(original);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    fs.writeFileSync(target, bytes);
    try {
      const r = await media(grant.body.url, 'bytes=0-99');
      expect(r.status).toBe(500);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('INTEGRITY');
    } finally {
      fs.writeFileSync(target, original);
    }
    await expectServed(grant.body.url);
  });
});
