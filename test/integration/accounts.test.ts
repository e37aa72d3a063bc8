// Accounts outside demo mode: the system administrator creates one on the server host with a one-time password;
// the account can do nothing but choose its own password (by the policy) first; a password change ends every
// other login of the user. Both are audited.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResult } from '@vj/shared';
import { api } from '../helpers/api.js';
import { connect } from '../helpers/sockets.js';
import { REPO, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);

describe('accounts: users:add, the first login, password changes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { RECORDING: 'off' } });
  });
  afterAll(async () => s?.stop());

  const addUser = (...args: string[]) => {
    const env = { PATH: process.env['PATH'] ?? '', VJ_MODE: 'demo', DATA_DIR: s.dataDir, ...(s.databaseUrl ? { DATABASE_URL: s.databaseUrl } : {}) };
    return run(process.execPath, [path.join(REPO, 'signaling/dist/cli/add-user.js'), ...args], { env }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
    );
  };
  const login = (username: string, password: string) => api<LoginResult>(s.url, 'POST', '/api/auth/login', { body: { username, password } });
  const change = (token: string, current: string, next: string) =>
    api<LoginResult & { error?: { message: string } }>(s.url, 'POST', '/api/auth/password', { token, body: { current, next } });

  it('a new account has a one-time password, may do nothing else until it picks one by the policy, then works', async () => {
    const made = await addUser('zhang.wei', '县纪委监委信访室 张伟', 'county_officer');
    expect(made.code).toBe(0);
    const oneTime = /一次性密码.*：(\S+)$/m.exec(made.out)?.[1];
    expect(oneTime).toBeTruthy();
    expect((await addUser('zhang.wei', '重名', 'county_officer')).err).toContain('已存在');
    expect((await addUser('li.si', '李四', 'township_handler')).code).toBe(1);

    const first = await login('zhang.wei', oneTime!);
    expect(first.status).toBe(200);
    expect(first.body.user.mustChangePassword).toBe(true);
    const t = first.body.accessToken;
    const refused = await api<{ error: { message: string } }>(s.url, 'GET', '/api/rooms', { token: t });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('请先修改密码');
    await expect(connect(s.url, t)).rejects.toThrow('UNAUTHENTICATED');

    // The policy, in Chinese; a wrong current password; nothing changes on a refusal.
    const weak = await change(t, oneTime!, 'short');
    expect(weak.status).toBe(400);
    expect(weak.body.error!.message).toMatch(/至少 10 个字符.*至少三类/);
    expect((await change(t, oneTime!, 'zhang.weiXX99!!')).body.error!.message).toContain('不能包含用户名');
    expect((await change(t, 'not-it', 'Gu4rd-the-Gate')).body.error!.message).toBe('当前密码不正确');

    const changed = await change(t, oneTime!, 'Gu4rd-the-Gate');
    expect(changed.status).toBe(200);
    expect(changed.body.user.mustChangePassword).toBeUndefined();
    // The old token's session ended; the new one works, and so does the new password (not the old).
    expect((await api(s.url, 'GET', '/api/rooms', { token: t })).status).toBe(401);
    expect((await api(s.url, 'GET', '/api/rooms', { token: changed.body.accessToken })).status).toBe(200);
    expect((await login('zhang.wei', oneTime!)).status).toBe(401);
    expect((await login('zhang.wei', 'Gu4rd-the-Gate')).status).toBe(200);

    const auditor = (await login('auditor', 'auditor-demo')).body.accessToken;
    const audited = async (action: string) =>
      (await api<{ items: { objectId: string }[] }>(s.url, 'GET', `/api/audit?action=${action}`, { token: auditor })).body.items;
    expect((await audited('user.create')).map((a) => a.objectId)).toEqual([first.body.user.id]);
    expect((await audited('auth.password_change')).map((a) => a.objectId)).toEqual([first.body.user.id]);
  });

  it('changing a password ends the user’s other logins (a thief who knew the old one is out)', async () => {
    const here = await login('officer2', 'officer2-demo');
    const elsewhere = await login('officer2', 'officer2-demo');
    const sock = await connect(s.url, elsewhere.body.accessToken);
    const closed = new Promise<void>((resolve) => sock.on('disconnect', () => resolve()));
    const changed = await change(here.body.accessToken, 'officer2-demo', 'New-Passw0rd-2');
    expect(changed.status).toBe(200);
    await closed;
    expect((await api(s.url, 'GET', '/api/rooms', { token: elsewhere.body.accessToken })).status).toBe(401);
    const refresh = await api(s.url, 'POST', '/api/auth/refresh', { body: { refreshToken: elsewhere.body.refreshToken } });
    expect(refresh.status).toBe(401);
    expect((await login('officer2', 'New-Passw0rd-2')).status).toBe(200);
  });
});
