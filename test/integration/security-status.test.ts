// The security administrator's page: what protects the data, and signs of attack from the audit log (password
// guessing on an account, a replayed refresh token, integrity failures). Counts and names only.
import fs from 'node:fs';
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

  it('shows the newest signed checkpoint and counts lines that fail their signature, streaming a long file', async () => {
    const cp = s.server.ctx.checkpoints;
    // A long-running system's file: a line per checkpoint for years. Then one forged line, one that is not JSON,
    // and a valid newest one after them.
    const line = JSON.stringify(cp.write({ seq: '1', hash: 'h1' }));
    fs.writeFileSync(cp.file, `${line}\n`.repeat(50_000), { mode: 0o600 });
    fs.appendFileSync(cp.file, `${JSON.stringify({ ...JSON.parse(line), seq: '999999' })}\nnot a checkpoint\n`);
    cp.write({ seq: '2', hash: 'h2' });
    const view = (await status('secadmin')).body;
    expect(view.checkpoint?.seq).toBe('2');
    expect(view.forgedCheckpoints).toBe(2);
    const all = await cp.read();
    expect([all.valid.length, all.forged, all.valid.at(-1)?.seq]).toEqual([50_001, 2, '2']);
  });

  it('is the security administrator’s alone', async () => {
    for (const who of ['auditor', 'supervisor', 'admin']) expect((await status(who)).status).toBe(403);
  });
});
