import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountDisabled } from '../../signaling/src/admin/account-state.js';
import { disableArgs } from '../../signaling/src/cli/disable-user.js';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';

// 三员分立: the system administrator watched by the security and audit administrators cannot shut them out alone.
describe('the system administrator cannot disable the security or the audit administrator from the web', () => {
  let s: InProcessServer;
  let logins: Logins;
  beforeAll(async () => {
    s = await startInProcess();
    logins = await loginAll(s.url, ['admin', 'secadmin', 'auditor', 'officer2']);
  }, 120_000);
  afterAll(() => s?.stop());

  const rows = async (action: string, objectId: string) =>
    (
      await s.server.db.query<{ actor_id: string | null; details: Record<string, unknown> }>(
        `SELECT actor_id, details FROM audit_log WHERE action = $1 AND object_id = $2 ORDER BY seq`,
        [action, objectId],
      )
    ).rows;

  it('refuses in Chinese, audits the refusal, and the administrator keeps working', async () => {
    for (const who of ['secadmin', 'auditor'] as const) {
      const id = logins[who]!.user.id;
      const r = await api<{ error: { code: string; message: string } }>(s.url, 'POST', `/api/admin/users/${id}/disable`, {
        token: logins['admin']!.accessToken,
      });
      expect(r.status).toBe(403);
      expect(r.body.error.message).toContain('三员分立');
      expect(r.body.error.message).toContain('在服务器上办理');
      const again = await api(s.url, 'POST', '/api/auth/refresh', { body: { refreshToken: logins[who]!.refreshToken } });
      expect(again.status).toBe(200);
      logins[who] = { ...logins[who]!, ...(again.body as object) };
      expect((await s.server.db.query(`SELECT 1 FROM users WHERE id = $1 AND disabled_at IS NULL`, [id])).rowCount).toBe(1);
      expect(await rows('user.disable', id)).toEqual([]);
    }
    // An id in upper case is the same account (the database matches either): the same refusal for these two, and
    // no disabling of one's own account by writing one's id in capitals.
    const upper = await api<{ error: { code: string } }>(s.url, 'POST', `/api/admin/users/${logins['auditor']!.user.id.toUpperCase()}/disable`, {
      token: logins['admin']!.accessToken,
    });
    expect(upper.status).toBe(403);
    const own = await api<{ error: { code: string } }>(s.url, 'POST', `/api/admin/users/${logins['admin']!.user.id.toUpperCase()}/disable`, {
      token: logins['admin']!.accessToken,
    });
    expect([own.status, own.body.error.code]).toEqual([409, 'INVALID_STATE']);
    const refusals = await s.server.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.refused' AND actor_id = $1 AND object_id = 'POST /api/admin/users/:id/disable'`,
      [logins['admin']!.user.id],
    );
    expect(refusals.rows[0]!.n).toBe(3);
    // Another account is still the system administrator's to disable and enable.
    const officer = logins['officer2']!.user.id;
    expect((await api(s.url, 'POST', `/api/admin/users/${officer}/disable`, { token: logins['admin']!.accessToken })).status).toBe(200);
    expect((await api(s.url, 'POST', `/api/admin/users/${officer}/enable`, { token: logins['admin']!.accessToken })).status).toBe(200);
  });

  it('the operator on the server disables one with a stated reason, audited, and its sessions end', async () => {
    expect(() => disableArgs(['auditor'])).toThrow(/usage/);
    expect(() => disableArgs(['auditor', '--reason', '离职'])).toThrow(/usage/);
    const args = disableArgs(['auditor', '--reason', '该同志已调离纪委监委']);
    expect(args).toEqual({ username: 'auditor', enable: false, reason: '该同志已调离纪委监委' });
    const id = logins['auditor']!.user.id;
    await setAccountDisabled(s.server.db, s.server.ctx.auth, { cli: { reason: args.reason } }, id, true);
    expect((await api(s.url, 'POST', '/api/auth/refresh', { body: { refreshToken: logins['auditor']!.refreshToken } })).status).toBe(401);
    expect(await rows('user.disable', id)).toEqual([{ actor_id: null, details: { via: 'cli', reason: '该同志已调离纪委监委' } }]);
    const back = disableArgs(['auditor', '--enable', '--reason', '恢复审计管理员岗位']);
    await setAccountDisabled(s.server.db, s.server.ctx.auth, { cli: { reason: back.reason } }, id, !back.enable);
    expect((await s.server.db.query(`SELECT 1 FROM users WHERE id = $1 AND disabled_at IS NULL`, [id])).rowCount).toBe(1);
  });
});

describe('refusals are audited without letting one user flood the chain', () => {
  let s: InProcessServer;
  beforeAll(async () => {
    s = await startInProcess();
  }, 120_000);
  afterAll(() => s?.stop());

  it('at most 100 rows a minute for one user, then one row saying the rest are not written one by one', async () => {
    const { 'xingsha-handler': handler } = await loginAll(s.url, ['xingsha-handler']);
    for (let i = 0; i < 130; i++) expect((await api(s.url, 'GET', '/api/audit', { token: handler!.accessToken })).status).toBe(403);
    const rows = await s.server.db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_log WHERE action = 'auth.refused' AND actor_id = $1 ORDER BY seq`,
      [handler!.user.id],
    );
    // A minute's window may turn over on a slow machine: then a second run of rows, never one per refusal.
    expect(rows.rows.length).toBeGreaterThanOrEqual(101);
    expect(rows.rows.length).toBeLessThanOrEqual(129);
    expect(rows.rows[100]!.details).toEqual({ code: 'FORBIDDEN', more: 'not_each' });
    expect(rows.rows.slice(0, 100).every((r) => r.details['code'] === 'FORBIDDEN' && !('more' in r.details))).toBe(true);
  });
});
