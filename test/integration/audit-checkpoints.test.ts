// Issue 12 point 10, end to end: the running server checkpoints the audit chain's head outside the database,
// and both the console's check and `npm run audit:verify` hold the chain against those checkpoints without
// anybody typing an anchor. Rows cut from the end of the chain (by someone who can switch the triggers off)
// were invisible to both before.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { loginAll } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { REPO, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);

describe('audit checkpoints outside the database', () => {
  let s: TestServer;
  const file = () => path.join(s.dataDir, 'audit-checkpoints.jsonl');
  const checkpoints = () =>
    fs.existsSync(file())
      ? fs
          .readFileSync(file(), 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { seq: string })
      : [];
  const maxSeq = async () => {
    const c = new pg.Client({ connectionString: s.databaseUrl });
    await c.connect();
    try {
      return (await c.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM audit_log')).rows[0]!.seq;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    s = await startTestServer({ env: { AUDIT_CHECKPOINT_S: '1', RECORDING: 'off' } });
    if (!s.databaseUrl) throw new Error('this test reads the server database directly: it needs PostgreSQL (npm test provides one)');
  });
  afterAll(async () => s?.stop());

  it('checkpoints the head; the console check and audit:verify then catch rows cut from the end', async () => {
    const logins = await loginAll(s.url, ['supervisor', 'officer1', 'officer2', 'admin', 'xingsha-handler']);
    const head = await maxSeq();
    await waitFor('a checkpoint of the current head', () => checkpoints().some((c) => BigInt(c.seq) >= BigInt(head)), { timeoutMs: 30_000 });
    expect(fs.statSync(file()).mode & 0o077).toBe(0);
    const intact = await api<{ ok: boolean; checkpoint: { seq: string } | null }>(s.url, 'GET', '/api/audit/verify', {
      token: logins['supervisor']!.accessToken,
    });
    expect(intact.body.ok).toBe(true);
    expect(intact.body.checkpoint).not.toBeNull();

    // The owner's attack: triggers off, the newest rows gone, triggers on. The chain that is left is whole.
    const c = new pg.Client({ connectionString: s.databaseUrl });
    await c.connect();
    const cut = await maxSeq();
    await c.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
    await c.query('DELETE FROM audit_log WHERE seq > $1', [String(BigInt(cut) - 2n)]);
    await c.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
    await c.end();

    const broken = await api<{ ok: boolean; firstBroken: { problem: string } | null }>(s.url, 'GET', '/api/audit/verify', {
      token: logins['supervisor']!.accessToken,
    });
    // Either the cut itself, or (once the server has noticed and audited the break on top of the gap) the
    // checkpointed row that no longer matches.
    expect(broken.body.ok).toBe(false);
    expect(broken.body.firstBroken?.problem).toMatch(/^(missing row|checkpoint mismatch)$/);

    const env = { PATH: process.env['PATH'] ?? '', VJ_MODE: 'demo', DATA_DIR: s.dataDir, DATABASE_URL: s.databaseUrl! };
    const cli = await run(process.execPath, [path.join(REPO, 'signaling/dist/cli/audit-verify.js')], { env }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(cli.code).toBe(2);
    expect(cli.out).toMatch(/AUDIT CHAIN BROKEN at seq \d+: (missing row|checkpoint mismatch)/);
  });
});
