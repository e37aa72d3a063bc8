import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { petitionBody } from '../helpers/fixtures.js';
import { REPO, startTestServer, type TestServer } from '../helpers/server.js';

const TOTAL = 500;
const WORKERS = 25;
const KILL_AFTER = 150;

describe('crash during submissions', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers.reverse()) await s.stop();
  });

  it(`${TOTAL} concurrent submissions with retries survive a SIGKILL: every acknowledged one is there exactly once`, async () => {
    const first = await startTestServer();
    servers.push(first);
    const base = first.url;
    const login = await api<{ accessToken: string }>(base, 'POST', '/api/auth/login', { body: { username: 'officer1', password: 'officer1-demo' } });
    const token = login.body.accessToken;

    const bodies = Array.from({ length: TOTAL }, (_, i) =>
      petitionBody(i % 2 ? 'xingsha' : 'langli', i % 3 ? { name: `测试${i}`, idCard: '', phone: '', address: '', village: '' } : null),
    );
    const acked = new Map<string, { caseCode: string; pin: string }>();
    let attempts = 0;
    let failures = 0;
    let killed: Promise<void> | undefined;

    // A client that retries until acknowledged, as the console does: same id, same content.
    const submit = async (b: (typeof bodies)[number]) => {
      for (;;) {
        attempts++;
        try {
          const r = await api<{ caseCode: string; pin: string }>(base, 'POST', '/api/petitions', { token, body: b });
          if (r.status === 200) {
            acked.set(b.id, r.body);
            if (acked.size === KILL_AFTER && !killed) killed = first.kill();
            return;
          }
          failures++;
        } catch {
          failures++; // connection refused or reset while the server is down
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) await submit(bodies[next++]!);
    };
    const running = Promise.all(Array.from({ length: WORKERS }, worker));

    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (killed) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    await killed;
    const ackedBeforeKill = acked.size;
    const second = await startTestServer({ reuse: { dataDir: first.dataDir, databaseUrl: first.databaseUrl, port: first.port } });
    servers.push(second);
    await running;
    console.log(`crash test: ${TOTAL} petitions, ${attempts} attempts, ${failures} failed attempts, killed after ${ackedBeforeKill} acknowledgements`);

    expect(acked.size).toBe(TOTAL);
    const all: { id: string; caseCode: string }[] = [];
    for (let offset = 0; ; offset += 200) {
      const page = await api<{ items: { id: string; caseCode: string }[]; total: number }>(base, 'GET', `/api/petitions?limit=200&offset=${offset}`, { token });
      all.push(...page.body.items);
      if (page.body.items.length < 200) break;
    }
    expect(all).toHaveLength(TOTAL);
    expect(new Set(all.map((p) => p.id)).size).toBe(TOTAL);
    for (const p of all) expect(acked.get(p.id)?.caseCode, `petition ${p.id}`).toBe(p.caseCode);

    // The audit chain survived the kill too.
    await second.stop();
    servers.pop();
    const env = { ...process.env, DATA_DIR: first.dataDir, ...(first.databaseUrl ? { DATABASE_URL: first.databaseUrl } : {}) };
    const verify = spawnSync(process.execPath, [path.join(REPO, 'signaling', 'dist', 'cli', 'audit-verify.js')], { env, encoding: 'utf8' });
    expect(verify.stdout).toMatch(/audit chain intact/);
    expect(verify.status).toBe(0);
  });
});
