// 等保三级 second factor over REST: the demo administrators and supervisor sign in with password and TOTP; a code
// works once; an officer enrols when the security administrator's policy asks it (QR once, recovery codes
// once, stored hashed); a recovery code works once; the security administrator resets a lost factor (audited,
// every session of the user ends); users see and end their own login sessions. On PostgreSQL and on PGlite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResult, MyAccountView, RecoveryCodesView, SecondFactorChallenge, TotpEnrolment } from '@vj/shared';
import { api } from '../helpers/api.js';
import { DEMO_PASSWORDS } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { connect } from '../helpers/sockets.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoTotpSecret, totpCode } from '../helpers/totp.js';

type Answer = LoginResult & SecondFactorChallenge & { error?: { code: string; message: string } };

describe.each([
  { name: 'PostgreSQL when configured', embedded: false },
  { name: 'PGlite', embedded: true },
])('second factor ($name)', ({ embedded }) => {
  let s: TestServer;
  let demoSecret: string;
  beforeAll(async () => {
    s = await startTestServer({ embedded, env: { RECORDING: 'off', DEMO_SECOND_FACTOR: 'on' } });
    demoSecret = demoTotpSecret(s.dataDir);
  });
  afterAll(async () => s?.stop());

  const login = (username: string, password = DEMO_PASSWORDS[username]!) => api<Answer>(s.url, 'POST', '/api/auth/login', { body: { username, password } });
  const second = (challenge: string, proof: { code: string } | { recoveryCode: string }) =>
    api<Answer>(s.url, 'POST', '/api/auth/login/second-factor', { body: { challenge, ...proof } });
  // One login each for the auditor and the security administrator, kept: a code (a 30 s step) is accepted
  // once, so an account logs in at most three times a minute here (one step either side of the server's).
  let auditorToken: string | undefined;
  const audit = async (action: string) => {
    if (!auditorToken) auditorToken = (await second((await login('auditor')).body.challenge, { code: totpCode(demoSecret, -1) })).body.accessToken;
    const t = auditorToken;
    return (
      await api<{ items: { action: string; objectId: string | null; details: Record<string, unknown> }[] }>(s.url, 'GET', `/api/audit?action=${action}`, {
        token: t,
      })
    ).body.items;
  };

  it('a demo supervisor needs the code after the password; a wrong code, a replayed code and a forged challenge are refused', async () => {
    const first = await login('supervisor');
    expect(first.status).toBe(200);
    expect(first.body.secondFactor).toBe('totp');
    expect(first.body.accessToken).toBeUndefined();
    // The challenge opens nothing by itself.
    expect((await api(s.url, 'GET', '/api/rooms', { token: first.body.challenge })).status).toBe(401);
    const good = totpCode(demoSecret, -1);
    const wrong = good === '000000' ? '111111' : '000000';
    const refused = await second(first.body.challenge, { code: wrong });
    expect(refused.status).toBe(401);
    expect(refused.body.error!.message).toContain('动态口令不正确');
    expect((await second(`${first.body.challenge}x`, { code: good })).status).toBe(401);
    expect((await second(first.body.challenge, { code: 'abc' })).status).toBe(400);

    const ok = await second(first.body.challenge, { code: good });
    expect(ok.status).toBe(200);
    expect((await api(s.url, 'GET', '/api/rooms', { token: ok.body.accessToken })).status).toBe(200);
    // The same code again, even with a new challenge, is refused: a code works once.
    const again = await login('supervisor');
    expect((await second(again.body.challenge, { code: good })).status).toBe(401);
    // A full-width code from a phone keyboard is the same code.
    const fullWidth = totpCode(demoSecret, 0).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    expect((await second(again.body.challenge, { code: fullWidth })).status).toBe(200);

    const failed = await audit('auth.second_factor_failed');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    const status = await api<{ recent: { secondFactorFailures: number } }>(s.url, 'GET', '/api/security/status', { token: await secAdminToken() });
    expect(status.body.recent.secondFactorFailures).toBeGreaterThanOrEqual(2);
  });

  it('a challenge works once; guesses sent all at once are held to the same back-off as guesses one by one', async () => {
    const a = await login('auditor');
    expect((await second(a.body.challenge, { code: totpCode(demoSecret, 0) })).status).toBe(200);
    const reused = await second(a.body.challenge, { code: totpCode(demoSecret, 1) });
    expect(reused.status).toBe(401);
    expect(reused.body.error!.message).toContain('登录已失效');

    // Ten challenges for admin, ten wrong codes on each, all at once: only as many are checked as one by one.
    const challenges = await Promise.all(Array.from({ length: 10 }, () => login('admin')));
    const right = new Set([-1, 0, 1].map((k) => totpCode(demoSecret, k)));
    const wrong = Array.from({ length: 10 }, (_, i) => String(100000 + i * 1111)).filter((c) => !right.has(c));
    const answers = await Promise.all(challenges.flatMap((c) => wrong.map((code) => second(c.body.challenge, { code }))));
    const checked = answers.filter((r) => r.status === 401).length;
    expect(answers.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    expect(checked).toBeLessThanOrEqual(10); // LOGIN_BACKOFF.PAIR_FREE
    expect(answers.some((r) => r.status === 429)).toBe(true);
  });

  let secToken: string | undefined;
  const secAdminToken = async () => {
    if (secToken) return secToken;
    const r = await second((await login('secadmin')).body.challenge, { code: totpCode(demoSecret, -1) });
    expect(r.status).toBe(200);
    return (secToken = r.body.accessToken);
  };

  let officerRecovery: string[] = [];
  it('an officer is asked to enrol once the policy says so, and may do nothing else until enrolled', async () => {
    const o = await login('officer1');
    expect(o.body.accessToken).toBeTruthy(); // not required by default
    let account = await api<MyAccountView>(s.url, 'GET', '/api/auth/account', { token: o.body.accessToken });
    expect(account.body.secondFactor).toMatchObject({ enrolled: false, required: false });

    // officer2 is working with a live socket when the policy changes.
    const o2 = await login('officer2');
    const o2Socket = await connect(s.url, o2.body.accessToken);
    const sec = await secAdminToken();
    expect((await api(s.url, 'PUT', '/api/security/policy', { token: sec, body: { othersRequireSecondFactor: true, passwordMaxAgeDays: 10 } })).status).toBe(
      400,
    );
    expect(
      (await api(s.url, 'PUT', '/api/security/policy', { token: o.body.accessToken, body: { othersRequireSecondFactor: true, passwordMaxAgeDays: null } }))
        .status,
    ).toBe(403);
    expect((await api(s.url, 'PUT', '/api/security/policy', { token: sec, body: { othersRequireSecondFactor: true, passwordMaxAgeDays: null } })).status).toBe(
      200,
    );

    // The open socket of an officer who now owes a factor is closed (REST refuses them too).
    await waitFor('officer2 socket closed', async () => !o2Socket.connected, { timeoutMs: 10_000 });
    o2Socket.close();
    // The officer's live session now owes a second factor: REST refuses, no socket.
    const refused = await api<{ error: { message: string } }>(s.url, 'GET', '/api/rooms', { token: o.body.accessToken });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('请先绑定动态口令');
    await expect(connect(s.url, o.body.accessToken)).rejects.toThrow('UNAUTHENTICATED');
    const fresh = await login('officer1');
    expect(fresh.body.user.mustEnrolSecondFactor).toBe(true);

    expect((await api(s.url, 'POST', '/api/auth/second-factor/begin', { token: o.body.accessToken, body: { password: 'not-it' } })).status).toBe(400);
    const begun = await api<TotpEnrolment>(s.url, 'POST', '/api/auth/second-factor/begin', {
      token: o.body.accessToken,
      body: { password: DEMO_PASSWORDS['officer1'] },
    });
    expect(begun.status).toBe(200);
    expect(begun.body.qrSvg).toContain('<svg');
    expect(begun.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    expect(begun.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const bad = await api<{ error: { code: string } }>(s.url, 'POST', '/api/auth/second-factor/confirm', {
      token: o.body.accessToken,
      body: { code: '123456' === totpCode(begun.body.secret) ? '654321' : '123456' },
    });
    expect(bad.status).toBe(400);
    expect((await api(s.url, 'GET', '/api/rooms', { token: o.body.accessToken })).status).toBe(403);

    const confirmed = await api<RecoveryCodesView>(s.url, 'POST', '/api/auth/second-factor/confirm', {
      token: o.body.accessToken,
      body: { code: totpCode(begun.body.secret, -1) },
    });
    expect(confirmed.status).toBe(200);
    officerRecovery = confirmed.body.recoveryCodes;
    expect(new Set(officerRecovery).size).toBe(10);
    expect((await api(s.url, 'GET', '/api/rooms', { token: o.body.accessToken })).status).toBe(200);
    // The login opened with the password alone before the factor existed has ended.
    expect((await api(s.url, 'GET', '/api/auth/account', { token: fresh.body.accessToken })).status).toBe(401);
    // Replacing it takes the security administrator.
    expect(
      (await api(s.url, 'POST', '/api/auth/second-factor/begin', { token: o.body.accessToken, body: { password: DEMO_PASSWORDS['officer1'] } })).status,
    ).toBe(409);
    account = await api<MyAccountView>(s.url, 'GET', '/api/auth/account', { token: o.body.accessToken });
    expect(account.body.secondFactor).toMatchObject({ enrolled: true, required: true, recoveryCodesLeft: 10 });
    expect((await audit('auth.second_factor_enrol')).length).toBe(1);

    // Login now takes the code; a recovery code works once, in any case and with or without its dash.
    const next = await login('officer1');
    expect(next.body.secondFactor).toBe('totp');
    const code = officerRecovery[0]!;
    expect((await second(next.body.challenge, { recoveryCode: code.toUpperCase().replace('-', '') })).status).toBe(200);
    const reuse = await second((await login('officer1')).body.challenge, { recoveryCode: code });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error!.message).toContain('恢复码不正确或已使用过');
    const used = await audit('auth.recovery_code_used');
    expect(used[0]?.details).toMatchObject({ left: 9 });
  });

  it('users list and end their own login sessions, and only their own', async () => {
    const a = await second((await login('officer1')).body.challenge, { recoveryCode: officerRecovery[1]! });
    const b = await second((await login('officer1')).body.challenge, { recoveryCode: officerRecovery[2]! });
    const mine = await api<MyAccountView>(s.url, 'GET', '/api/auth/account', { token: a.body.accessToken });
    expect(mine.body.sessions.filter((x) => x.current)).toHaveLength(1);
    const other = mine.body.sessions.find((x) => !x.current && x.id !== undefined)!;
    expect(mine.body.sessions.length).toBeGreaterThanOrEqual(2);
    expect(mine.body.sessions.every((x) => x.userAgent !== undefined)).toBe(true);
    // Ending B's session (found in A's list) ends B at once.
    const bSid = mine.body.sessions.find((x) => !x.current && x.createdAt >= other.createdAt)!.id;
    expect((await api(s.url, 'POST', `/api/auth/sessions/${bSid}/end`, { token: a.body.accessToken })).status).toBe(200);
    expect((await api(s.url, 'GET', '/api/rooms', { token: b.body.accessToken })).status).toBe(401);
    expect((await api(s.url, 'GET', '/api/rooms', { token: a.body.accessToken })).status).toBe(200);
    // Another user's session is not found, and stays.
    const sup = await login('supervisor');
    const supOk = await second(sup.body.challenge, { code: totpCode(demoSecret, 1) });
    const supAccount = await api<MyAccountView>(s.url, 'GET', '/api/auth/account', { token: supOk.body.accessToken });
    const supSid = supAccount.body.sessions.find((x) => x.current)!.id;
    expect((await api(s.url, 'POST', `/api/auth/sessions/${supSid}/end`, { token: a.body.accessToken })).status).toBe(404);
    expect((await api(s.url, 'GET', '/api/rooms', { token: supOk.body.accessToken })).status).toBe(200);
    expect((await audit('auth.session_end')).length).toBe(1);
  });

  it('only the security administrator resets a lost factor, with a reason; the user is signed out and enrols again', async () => {
    const o = await second((await login('officer1')).body.challenge, { recoveryCode: officerRecovery[3]! });
    const users = await api<{ users: { id: string; username: string; enrolledAt: string | null; required: boolean }[] }>(
      s.url,
      'GET',
      '/api/security/second-factor',
      { token: await secAdminToken() },
    );
    const officer = users.body.users.find((u) => u.username === 'officer1')!;
    const secId = users.body.users.find((u) => u.username === 'secadmin')!.id;
    expect(officer.enrolledAt).not.toBeNull();
    expect(users.body.users.find((u) => u.username === 'supervisor')!.required).toBe(true);
    const path = `/api/security/users/${officer.id}/second-factor/reset`;
    expect((await api(s.url, 'POST', path, { token: o.body.accessToken, body: { reason: '手机遗失，本人申请' } })).status).toBe(403);
    const sec = await secAdminToken();
    expect((await api(s.url, 'POST', path, { token: sec, body: { reason: '短' } })).status).toBe(400);
    expect((await api(s.url, 'POST', `/api/security/users/${secId}/second-factor/reset`, { token: sec, body: { reason: '给自己重置试试' } })).status).toBe(403);
    // Nor with one's own id in capitals (the same account to the database; a probe reset its own factor so).
    expect(
      (await api(s.url, 'POST', `/api/security/users/${secId.toUpperCase()}/second-factor/reset`, { token: sec, body: { reason: '给自己重置试试' } })).status,
    ).toBe(403);
    const before = await login('officer1');
    expect(before.body.secondFactor).toBe('totp');
    expect((await api(s.url, 'POST', path, { token: sec, body: { reason: '手机遗失，本人申请' } })).status).toBe(200);
    expect((await api(s.url, 'POST', path, { token: sec, body: { reason: '手机遗失，本人申请' } })).status).toBe(409);
    expect((await api(s.url, 'GET', '/api/auth/account', { token: o.body.accessToken })).status).toBe(401);
    const after = await login('officer1');
    expect(after.body.accessToken).toBeTruthy();
    expect(after.body.user.mustEnrolSecondFactor).toBe(true);
    // A challenge issued before the reset is dead, even for a code of the newly enrolled factor.
    const renewed = await api<TotpEnrolment>(s.url, 'POST', '/api/auth/second-factor/begin', {
      token: after.body.accessToken,
      body: { password: DEMO_PASSWORDS['officer1'] },
    });
    expect(
      (await api(s.url, 'POST', '/api/auth/second-factor/confirm', { token: after.body.accessToken, body: { code: totpCode(renewed.body.secret, -1) } }))
        .status,
    ).toBe(200);
    const stale = await second(before.body.challenge, { code: totpCode(renewed.body.secret, 0) });
    expect(stale.status).toBe(401);
    expect(stale.body.error!.message).toContain('登录已失效');
    expect((await second((await login('officer1')).body.challenge, { code: totpCode(renewed.body.secret, 0) })).status).toBe(200);
    const rows = await audit('security.second_factor_reset');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ objectId: officer.id, details: { reason: '手机遗失，本人申请' } });
  });
});
