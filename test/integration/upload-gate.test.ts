import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';

// An upload route (registry and 清廉档案 imports) decides who is asking from the headers, before it reads the body:
// a stranger or a role that may not import is answered at once, while most of a large upload is still unsent.

let s: InProcessServer;
let logins: Logins;

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url, ['supervisor', 'xingsha-handler', 'district1-inspector']);
});
afterAll(async () => {
  await s?.stop();
});

/**
 * Announces `announced` bytes, sends only the first 64 KiB and waits: the status that comes back before the rest
 * is sent (undefined if none within `waitMs`).
 */
function partialUpload(path: string, token: string | undefined, announced: number, waitMs = 5000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const url = new URL(path, s.url);
    const req = http.request(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(announced),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(undefined);
    }, waitMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      req.destroy();
      resolve(res.statusCode);
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(64 * 1024, 0x41));
  });
}

const refusals = async (actor: string) =>
  Number((await s.server.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'auth.refused' AND actor_id = $1`, [actor])).rows[0]!.n);

describe('upload routes authorize before reading the body', () => {
  it('no token, a bad token: 401 with most of the upload unsent', async () => {
    expect(await partialUpload('/api/registry/imports?kind=officials', undefined, 30_000_000)).toBe(401);
    expect(await partialUpload('/api/archive/imports', 'not-a-token', 15_000_000)).toBe(401);
  });

  it('a role that may not import: 403 at once, and the refusal audited', async () => {
    const handler = logins['xingsha-handler']!;
    const before = await refusals(handler.user.id);
    expect(await partialUpload('/api/registry/imports?kind=officials', handler.accessToken, 30_000_000)).toBe(403);
    expect(await partialUpload('/api/archive/imports', handler.accessToken, 15_000_000)).toBe(403);
    expect(await refusals(handler.user.id)).toBe(before + 2);
  });

  it('a sender who logs out while the body is still arriving is refused once it has arrived, and nothing is imported', async () => {
    const mine = await loginAll(s.url, ['supervisor']);
    const token = mine['supervisor']!.accessToken;
    const csv = Buffer.from('人员编码,姓名,单位编码,单位名称,职务,乡镇\nUG-0009,退出者,XS-CJB,星沙街道城建办,科员,xingsha\n');
    const before = await s.server.db.query<{ n: string }>('SELECT count(*) AS n FROM registry_imports');
    const status = await new Promise<number | undefined>((resolve) => {
      const req = http.request(new URL('/api/registry/imports?kind=officials', s.url), {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', 'Content-Length': String(csv.length), Authorization: `Bearer ${token}` },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', () => resolve(undefined));
      // The headers pass the gate; the sender logs out; then the body arrives.
      req.write(csv.subarray(0, 20));
      void (async () => {
        await new Promise((r) => setTimeout(r, 300));
        expect((await api(s.url, 'POST', '/api/auth/logout', { token })).status).toBe(200);
        req.end(csv.subarray(20));
      })();
    });
    expect(status).toBe(401);
    const after = await s.server.db.query<{ n: string }>('SELECT count(*) AS n FROM registry_imports');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('an allowed sender is read in full before the answer, and the import starts', async () => {
    // The supervisor's upload is waited for: nothing is answered until the body has arrived.
    expect(await partialUpload('/api/registry/imports?kind=officials', logins['supervisor']!.accessToken, 1_000_000, 1500)).toBeUndefined();
    const csv = '人员编码,姓名,单位编码,单位名称,职务,乡镇\nUG-0001,测试员,XS-CJB,星沙街道城建办,科员,xingsha\n';
    const r = await fetch(new URL('/api/registry/imports?kind=officials', s.url), {
      method: 'POST',
      headers: { Authorization: `Bearer ${logins['supervisor']!.accessToken}`, 'Content-Type': 'text/csv' },
      body: csv,
    });
    expect(r.status, await r.clone().text()).toBe(202);
    expect(((await r.json()) as { status: string }).status).toMatch(/^(running|done)$/);
  });
});
