// 等保: the audit administrator exports a range of the audit log as signed JSON lines, and anyone holding the
// server's keys can check that no row was changed, dropped, added or moved, nor the range altered.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { REPO, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const chinaDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

describe('signed audit export', () => {
  let s: TestServer;
  let logins: Logins;
  let dir: string;
  beforeAll(async () => {
    s = await startTestServer({ env: { RECORDING: 'off' } });
    logins = await loginAll(s.url, ['auditor', 'supervisor', 'admin', 'officer1']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-export-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await s?.stop();
  });

  const download = async (token: string, from: string, to: string) => {
    const res = await fetch(`${s.url}/api/audit/export?${new URLSearchParams({ from, to })}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  const verify = async (text: string) => {
    const file = path.join(dir, `e-${Math.random().toString(36).slice(2)}.jsonl`);
    fs.writeFileSync(file, text);
    const env = { PATH: process.env['PATH'] ?? '', VJ_MODE: 'demo', DATA_DIR: s.dataDir, ...(s.databaseUrl ? { DATABASE_URL: s.databaseUrl } : {}) };
    return run(process.execPath, [path.join(REPO, 'signaling/dist/cli/audit-verify-export.js'), file], { env }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
  };

  it('exports today as rows plus a signature that the CLI accepts, and the export is itself audited', async () => {
    const today = chinaDay(new Date());
    const got = await download(logins['auditor']!.accessToken, today, today);
    expect(got.status).toBe(200);
    expect(got.type).toContain('application/x-ndjson');
    const lines = got.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const rows = lines.slice(0, -1);
    const sig = lines.at(-1)!;
    expect(sig).toMatchObject({ type: 'signature', from: today, to: today, rows: rows.length, suite: 'sm' });
    // The logins above are in it, in chain order, each with its link.
    expect(rows.filter((r) => r['action'] === 'auth.login').length).toBeGreaterThanOrEqual(4);
    const seqs = rows.map((r) => BigInt(r['seq'] as string));
    expect(seqs.every((q, i) => i === 0 || q === seqs[i - 1]! + 1n)).toBe(true);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r['hash'] as string))).toBe(true);

    const ok = await verify(got.text);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toContain(`共 ${rows.length} 条`);

    const audited = await api<{ items: { action: string; details: { rows: number; from: string } }[] }>(s.url, 'GET', '/api/audit?action=audit.export', {
      token: logins['auditor']!.accessToken,
    });
    expect(audited.body.items[0]).toMatchObject({ action: 'audit.export', details: { rows: rows.length, from: today } });
  });

  it('a changed, dropped or reordered row, or a changed range, fails the check', async () => {
    const today = chinaDay(new Date());
    const { text } = await download(logins['auditor']!.accessToken, today, today);
    const lines = text.trim().split('\n');
    const body = lines.slice(0, -1);
    const sig = lines.at(-1)!;
    const changed = [body[0]!.replace('"auth.login"', '"auth.logout"'), ...body.slice(1), sig];
    const dropped = [...body.slice(0, 1), ...body.slice(2), sig];
    const swapped = [body[1]!, body[0]!, ...body.slice(2), sig];
    const widened = [...body, sig.replace(`"from":"${today}"`, '"from":"2020-01-01"')];
    for (const [name, tampered] of Object.entries({ changed, dropped, swapped, widened })) {
      expect({ name, ...(await verify(`${tampered.join('\n')}\n`)) }).toMatchObject({ name, code: 2 });
    }
  });

  it('only the audit administrator exports; a bad range is refused in Chinese and writes nothing', async () => {
    const today = chinaDay(new Date());
    for (const who of ['supervisor', 'admin', 'officer1']) expect((await download(logins[who]!.accessToken, today, today)).status).toBe(403);
    const exports = async () =>
      (await api<{ items: unknown[] }>(s.url, 'GET', '/api/audit?action=audit.export', { token: logins['auditor']!.accessToken })).body.items.length;
    const before = await exports();
    // A stable code and the field at fault (the console checks the range with the same schema and says why in Chinese).
    for (const [from, to] of [
      [today, '2020-01-01'],
      ['2020-01-01', today],
      ['yesterday', today],
    ] as const) {
      const refused = await download(logins['auditor']!.accessToken, from, to);
      expect({ from, to, status: refused.status, error: (JSON.parse(refused.text) as { error: { code: string } }).error.code }).toEqual({
        from,
        to,
        status: 400,
        error: 'BAD_REQUEST',
      });
    }
    expect(await exports()).toBe(before);
  });
});
