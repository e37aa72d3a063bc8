// Topology: pinned — its own server on embedded PGlite in a small tmpfs DATA_DIR; the embedded database is one process's, never a cluster's.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { petitionBody } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { spawnReady, type ReadyChild } from '../helpers/child.js';
import { freePort, REPO } from '../helpers/server.js';

/**
 * DATA_DIR on a small filesystem of its own (a tmpfs), filled with a ballast file while officers keep
 * submitting: every submit is answered (acknowledged, or refused with a Chinese STORAGE_FULL), health says why,
 * the server recovers by itself once the ballast is gone, and every acknowledged petition is there.
 */
const MOUNT_MB = 160;
/**
 * More than one WAL segment (16 MB, PGlite's too) above what the ballast leaves: a submit that reaches the engine in
 * the moment before the guard's next look may need a new segment. With 16 MB the ballast left 8 MB, such a submit met
 * ENOSPC inside the engine and took it down, whenever the WAL happened to be near a segment's end (CI, twice).
 */
const RESERVE_MB = 48;
const MB = 1024 * 1024;
/** A submit with no answer by then counts as hung, which is what the server did before. */
const HUNG_MS = 45_000;
/** A fresh embedded database (initdb in WASM) on a busy 2-core machine can take over a minute. */
const START_MS = 240_000;

interface Server {
  url: string;
  child: ReadyChild;
  /** SIGTERM; resolves with how long the exit took. */
  stop(): Promise<number>;
}

/** The built server on DATA_DIR with its own embedded database, as `npm start` runs it. */
async function startServer(dataDir: string, port: number, reserveMb: number): Promise<Server> {
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    VJ_MODE: 'demo',
    PORT: String(port),
    DATA_DIR: dataDir,
    DISK_RESERVE_MB: String(reserveMb),
    SFU_WORKERS: '1',
    VJ_BANNER: '0',
    LOG_LEVEL: process.env['VJ_TEST_LOG_LEVEL'] ?? 'info',
  };
  const child = await spawnReady(path.join(REPO, 'signaling', 'dist', 'main.js'), env, 'server', START_MS);
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      const t0 = performance.now();
      if (child.exitCode() === null) {
        child.proc.kill('SIGTERM');
        await waitFor('server exit on SIGTERM', () => child.exitCode() !== null, { timeoutMs: 60_000 }).catch(() => child.proc.kill('SIGKILL'));
      }
      return performance.now() - t0;
    },
  };
}

const freeBytes = (dir: string) => {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
};

/** Appends to the ballast until at most `leave` bytes are free (0: until the disk refuses). */
function fill(dir: string, leave: number): void {
  const fd = fs.openSync(path.join(dir, 'ballast'), 'a');
  try {
    for (const size of [MB, 64 * 1024, 4096]) {
      const chunk = Buffer.alloc(size, 7);
      while (freeBytes(dir) - size >= leave) {
        try {
          fs.writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

interface Outcome {
  status: number; // -1: connection failed (server stopped), 0: no answer within HUNG_MS
  code?: string;
  message?: string;
  ms: number;
  at: number;
}

async function submit(base: string, token: string, body: unknown): Promise<Outcome & { caseCode?: string }> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${base}/api/petitions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(HUNG_MS),
    });
    const json = (await res.json()) as { caseCode?: string; error?: { code: string; message: string } };
    return {
      status: res.status,
      code: json.error?.code,
      message: json.error?.message,
      caseCode: json.caseCode,
      ms: performance.now() - t0,
      at: performance.now(),
    };
  } catch (err) {
    return { status: (err as Error).name === 'TimeoutError' ? 0 : -1, ms: performance.now() - t0, at: performance.now() };
  }
}

/** Three officers submitting new petitions one after another, as long as it runs. */
function submitters(base: string, token: string) {
  const acked = new Map<string, string>();
  const failed: Outcome[] = [];
  const ackTimes: number[] = [];
  let running = true;
  const loop = async () => {
    while (running) {
      const body = petitionBody('xingsha');
      const r = await submit(base, token, body);
      if (r.status === 200) {
        acked.set(body.id, r.caseCode!);
        ackTimes.push(r.at);
      } else if (running || r.status !== -1) failed.push(r);
      await new Promise((res) => setTimeout(res, 50)); // pacing, not a wait for an outcome
    }
  };
  const done = Promise.all([loop(), loop(), loop()]);
  return {
    acked,
    failed,
    ackedAfter: (t: number) => ackTimes.some((a) => a > t),
    stop: async () => {
      running = false;
      await done;
    },
  };
}

async function health(base: string) {
  const r = await api<{ status: string; storage: string; database: string; reasons: string[]; storageFreeMb: number | null }>(base, 'GET', '/api/health');
  return { httpStatus: r.status, ...r.body };
}

async function allPetitions(base: string, token: string): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (let offset = 0; ; offset += 200) {
    const page = await api<{ items: { id: string; caseCode: string }[] }>(base, 'GET', `/api/petitions?limit=200&offset=${offset}`, { token });
    expect(page.status).toBe(200);
    for (const p of page.body.items) all.set(p.id, p.caseCode);
    if (page.body.items.length < 200) return all;
  }
}

function expectAllThere(acked: Map<string, string>, stored: Map<string, string>): void {
  const missing = [...acked].filter(([id, code]) => stored.get(id) !== code);
  expect(missing, 'acknowledged petitions missing after recovery').toEqual([]);
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

describe('a full disk under DATA_DIR (embedded PGlite)', () => {
  let mountDir: string;
  let dataDir: string;
  let port: number;
  const servers: Server[] = [];
  /** Set once the first test has a database: the second starts again on it (creating one takes long). */
  let created = false;

  beforeAll(() => {
    mountDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-disk-'));
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${MOUNT_MB}m,mode=0700`, 'tmpfs', mountDir], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(
        `this test mounts a ${MOUNT_MB} MB tmpfs as DATA_DIR and needs root for that; mount failed: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`,
      );
    }
  });

  afterAll(async () => {
    for (const s of servers) await s.stop();
    if (mountDir) {
      spawnSync('umount', [mountDir]);
      fs.rmSync(mountDir, { recursive: true, force: true });
    }
  });

  async function start(reserveMb: number): Promise<Server> {
    const s = await startServer(dataDir, port, reserveMb);
    servers.push(s);
    return s;
  }

  it(`below the reserve (${RESERVE_MB} MB): writes are refused in Chinese, health says why, and it recovers when space returns`, async () => {
    dataDir = path.join(mountDir, 'data');
    port = await freePort();
    const s = await start(RESERVE_MB);
    created = true;
    const token = await loginToken(s.url, 'officer1', 'officer1-demo');
    const load = submitters(s.url, token);
    await waitFor('first acknowledgements', () => load.acked.size >= 5, { timeoutMs: 60_000 });

    const tFill = performance.now();
    fill(mountDir, (RESERVE_MB / 2) * MB);
    await waitFor('a submit refused for lack of space', () => load.failed.length > 0, { timeoutMs: 30_000 });
    const firstRefusalMs = load.failed[0]!.at - tFill;
    const refused = await submit(s.url, token, petitionBody('langli'));
    expect(refused).toMatchObject({ status: 507, code: 'STORAGE_FULL' });
    expect(refused.message).toMatch(/存储空间已满.*没有保存/);
    const sick = await waitFor(
      'health to report the full disk',
      async () => {
        const h = await health(s.url);
        return h.httpStatus === 503 && h.storage === 'full' ? h : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(sick).toMatchObject({ status: 'degraded', database: 'ok' });
    expect(sick.reasons.join('')).toMatch(new RegExp(`存储空间不足：剩余 \\d+ MB，低于保留的 ${RESERVE_MB} MB`));
    // Reading goes on while writing is refused.
    expect((await api(s.url, 'GET', '/api/petitions?limit=1', { token })).status).toBe(200);

    const tFree = performance.now();
    fs.rmSync(path.join(mountDir, 'ballast'));
    await waitFor('health back to ok', async () => (await health(s.url)).httpStatus === 200, { timeoutMs: 30_000 });
    const healthBackMs = performance.now() - tFree;
    await waitFor('a submit acknowledged again', () => load.ackedAfter(tFree), { timeoutMs: 30_000 });
    const submitBackMs = performance.now() - tFree;
    await load.stop();

    console.log(
      `disk-full (reserve ${RESERVE_MB} MB): ${load.acked.size} acknowledged, ${load.failed.length} refused; first refusal ${secs(firstRefusalMs)} after the fill; ` +
        `recovered ${secs(healthBackMs)} (health) / ${secs(submitBackMs)} (submit) after the ballast was deleted; slowest refusal ${secs(Math.max(...load.failed.map((f) => f.ms)))}`,
    );
    for (const f of load.failed) expect(f).toMatchObject({ status: 507, code: 'STORAGE_FULL' });
    expect(healthBackMs).toBeLessThan(10_000);
    expect(submitBackMs).toBeLessThan(10_000);
    expectAllThere(load.acked, await allPetitions(s.url, token));
    await s.stop();
  }, 240_000);

  it('with no reserve the engine itself meets the full disk: every submit is still answered, it recovers, SIGTERM stops it, nothing acknowledged is lost', async () => {
    expect(created, 'the first test created the database').toBe(true);
    const s = await start(0);
    const token = await loginToken(s.url, 'officer1', 'officer1-demo');
    let load = submitters(s.url, token);
    await waitFor('first acknowledgements', () => load.acked.size >= 5, { timeoutMs: 60_000 });

    const tFill = performance.now();
    fill(mountDir, 0);
    await waitFor('a submit refused for lack of space', () => load.failed.length > 0, { timeoutMs: 60_000 });
    const firstRefusalMs = load.failed[0]!.at - tFill;
    const sick = await waitFor(
      'health to report the full disk',
      async () => {
        const h = await health(s.url);
        return h.httpStatus === 503 && h.storage === 'full' ? h : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(sick.reasons.join('')).toMatch(/磁盘已满/);

    const tFree = performance.now();
    fs.rmSync(path.join(mountDir, 'ballast'));
    await waitFor('health back to ok', async () => (await health(s.url)).httpStatus === 200, { timeoutMs: 60_000 });
    const healthBackMs = performance.now() - tFree;
    await waitFor('a submit acknowledged again', () => load.ackedAfter(tFree), { timeoutMs: 30_000 });
    const submitBackMs = performance.now() - tFree;
    await load.stop();
    const acked = new Map(load.acked);
    const failed = [...load.failed];
    console.log(
      `disk-full (no reserve): ${acked.size} acknowledged, ${failed.length} refused (${[...new Set(failed.map((f) => f.code))].join(', ')}); first refusal ${secs(firstRefusalMs)} after the fill; ` +
        `recovered ${secs(healthBackMs)} (health) / ${secs(submitBackMs)} (submit) after the ballast was deleted; slowest refusal ${secs(Math.max(...failed.map((f) => f.ms)))}`,
    );
    for (const f of failed) {
      expect(['STORAGE_FULL', 'UNAVAILABLE'], `refusal ${JSON.stringify(f)}`).toContain(f.code);
      expect(f.message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(healthBackMs).toBeLessThan(30_000);
    expectAllThere(acked, await allPetitions(s.url, token));

    // Full again, with writes in flight: SIGTERM still stops the server promptly, and a restart has everything.
    load = submitters(s.url, token);
    fill(mountDir, 0);
    await waitFor('a submit refused again', () => load.failed.length > 0, { timeoutMs: 60_000 });
    const stopMs = await s.stop();
    expect(s.child.exitCode(), `exit code after SIGTERM; last logs:\n${s.child.logs.slice(-15).join('\n')}`).toBe(0);
    await load.stop();
    for (const [id, code] of load.acked) acked.set(id, code);
    expect(load.failed.filter((f) => f.status === 0)).toEqual([]);
    fs.rmSync(path.join(mountDir, 'ballast'));
    const again = await start(0);
    const stored = await allPetitions(again.url, await loginToken(again.url, 'officer1', 'officer1-demo'));
    console.log(
      `disk-full: SIGTERM on a full disk stopped the server in ${secs(stopMs)}; after the restart ${acked.size} acknowledged petitions checked, ${stored.size} stored`,
    );
    expect(stopMs).toBeLessThan(15_000);
    expectAllThere(acked, stored);
  }, 360_000);
});
