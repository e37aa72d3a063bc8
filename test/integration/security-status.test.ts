// The security administrator's page: what protects the data, and signs of attack from the audit log (password
// guessing on an account, a replayed refresh token, integrity failures). Counts and names only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityStatusView } from '@vj/shared';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';

describe('security status', () => {
  let s: InProcessServer;
  let logins: Logins;
  beforeAll(async () => {
    s = await startInProcess();
    logins = await loginAll(s.url, ['secadmin', 'auditor', 'supervisor', 'admin']);
  });
  afterAll(async () => s?.stop());

  const status = (who: string) => api<SecurityStatusView>(s.url, 'GET', '/api/security/status', { token: logins[who]!.accessToken });

  it('names an account whose password is being guessed, counts unknown names, and shows the suite and keys', async () => {
    const before = (await status('secadmin')).body;
    expect(before.suite).toBe('sm');
    expect(before.passwords.every((p) => p.suite === 'sm')).toBe(true);
    expect(before.recent.accounts).toEqual([]);
    for (let i = 0; i < 6; i++)
      expect((await api(s.url, 'POST', '/api/auth/login', { body: { username: 'officer2', password: `guess-${i}` } })).status).toBe(401);
    expect((await api(s.url, 'POST', '/api/auth/login', { body: { username: 'nobody-here', password: 'x' } })).status).toBe(401);
    const after = (await status('secadmin')).body;
    expect(after.recent.loginFailures - before.recent.loginFailures).toBe(7);
    expect(after.recent.unknownUserFailures - before.recent.unknownUserFailures).toBe(1);
    expect(after.recent.accounts).toEqual([{ name: '县纪委监委信访室 李干事', role: 'county_officer', failures: 6, heldBack: false }]);
    // Nothing secret in it: no key, no hash, no petition.
    expect(JSON.stringify(after)).not.toMatch(/pbkdf2|scrypt\$|-demo|identity/);
  });

  it('is the security administrator’s alone', async () => {
    for (const who of ['auditor', 'supervisor', 'admin']) expect((await status(who)).status).toBe(403);
  });
});
