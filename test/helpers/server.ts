import type { ChildProcess } from 'node:child_process';
import { spawnReady } from './child.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './poll.js';
import { freePort } from './ports.js';
import { adminDatabaseUrl, createTestDatabase, redisUrl, uniqueName } from './services.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export { freePort };

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  logs: string[];
  proc: ChildProcess;
  demoSecrets(): { jwt: { kid: string; secret: string }; kiosks: Record<string, string> };
  /** SIGKILL, leaving data and database in place for a restart with `reuse`. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the real built server (`node signaling/dist/main.js`) as a child process, on the real PostgreSQL and
 * Redis (DATABASE_URL / REDIS_URL, which global-services.ts sets when the environment does not), or on
 * embedded PGlite when `embedded` or the run opted out of PostgreSQL. Everything is private to this run.
 */
export async function startTestServer(
  opts: {
    env?: Record<string, string>;
    embedded?: boolean;
    nodeArgs?: string[];
    reuse?: { dataDir: string; databaseUrl: string | undefined; port: number };
  } = {},
): Promise<TestServer> {
  // VJ_TOPOLOGY=cluster runs the same tests against 2 signaling + 2 SFU nodes behind one front port; a test
  // that sets the server's VJ_TOPOLOGY itself gets that topology.
  // A restart (`reuse`) of a cluster's front port restarts that cluster's signaling nodes on the same data.
  if (process.env['VJ_TOPOLOGY'] === 'cluster' && !opts.embedded && !opts.env?.['VJ_TOPOLOGY']) {
    const { clusterRestartAt, startTestCluster } = await import('./cluster.js');
    if (!opts.reuse) return startTestCluster(opts.env ? { env: opts.env } : {});
    const restart = clusterRestartAt(opts.reuse.port);
    if (restart) return restart(opts.env);
  }
  const port = opts.reuse?.port ?? (await freePort());
  const dataDir = opts.reuse?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vj-test-'));
  const db = opts.reuse
    ? opts.reuse.databaseUrl
      ? { url: opts.reuse.databaseUrl, drop: async () => {} }
      : undefined
    : !opts.embedded && adminDatabaseUrl
      ? await createTestDatabase()
      : undefined;
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    VJ_MODE: 'demo',
    PORT: String(port),
    DATA_DIR: dataDir,
    SFU_WORKERS: '1',
    VJ_BANNER: '0',
    // Tests not about signing in log one account in many times a minute; a TOTP code works once (see
    // config.ts). The sign-in tests pass DEMO_SECOND_FACTOR: 'on'.
    DEMO_SECOND_FACTOR: 'off',
    // A kiosk's daily self-check publishes for a few seconds on a router of its own; the tests not about it would
    // see it in their SFU counts. kiosk-check.e2e turns it on.
    KIOSK_SELF_CHECK: 'off',
    // 57,000 synthetic people loading in the background would slow every test; the discipline tests write their own.
    DEMO_COUNTY: 'off',
    LOG_LEVEL: process.env['VJ_TEST_LOG_LEVEL'] ?? 'info',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...(redisUrl ? { VJ_TOPOLOGY: 'single-redis', REDIS_URL: redisUrl, REDIS_PREFIX: `${uniqueName('t')}:` } : {}),
    ...opts.env,
  };
  // Production refuses the setting (it is demo-only).
  if (env['VJ_MODE'] === 'production' && opts.env?.['DEMO_SECOND_FACTOR'] === undefined) delete env['DEMO_SECOND_FACTOR'];
  const child = await spawnReady(path.join(REPO, 'signaling', 'dist', 'main.js'), env, 'server', 60_000, opts.nodeArgs);
  const { proc, logs } = child;

  return {
    url: `${opts.env?.['TLS_CERT_FILE'] ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    dataDir,
    databaseUrl: db?.url,
    logs,
    proc,
    demoSecrets: () => JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-secrets.json'), 'utf8')),
    kill: async () => {
      proc.kill('SIGKILL');
      await waitFor('server killed', () => child.exitCode() !== null, { timeoutMs: 10_000 });
    },
    stop: async () => {
      if (child.exitCode() === null) {
        proc.kill('SIGTERM');
        await waitFor('server exit', () => child.exitCode() !== null, { timeoutMs: 20_000 }).catch(() => proc.kill('SIGKILL'));
      }
      // A restarted server (reuse) shares its data with the first; only the first one cleans up.
      if (!opts.reuse) {
        await db?.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
