import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { freePort } from './ports.js';
import { restartPrivatePostgres } from './private-postgres.js';
import { spawnRedisServer, type RedisServerProc } from './redis-server.js';

/**
 * Test services: the real PostgreSQL and Redis at DATABASE_URL / REDIS_URL. When the environment sets neither,
 * the run's globalSetup (global-services.ts) starts private ones and sets both before any test loads, so a
 * plain `npm test` uses real servers too. VJ_REQUIRE_SERVICES=1 (CI) makes their absence fail the run.
 */
export const required = process.env['VJ_REQUIRE_SERVICES'] === '1';
export const adminDatabaseUrl = process.env['DATABASE_URL'];
export const redisUrl = process.env['REDIS_URL'];

if (required && (!adminDatabaseUrl || !redisUrl)) {
  throw new Error('VJ_REQUIRE_SERVICES=1 but DATABASE_URL or REDIS_URL is not set');
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** A fresh, empty database on the real server, dropped by the returned function. */
export async function createTestDatabase(baseUrl = adminDatabaseUrl): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!baseUrl) throw new Error('createTestDatabase needs DATABASE_URL');
  const name = uniqueName('vj_test');
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A Redis for tests: REDIS_URL (set for every run, see global-services.ts), else a private redis-server on a
 * free port. Never a skip.
 */
export async function testRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (redisUrl) return { url: redisUrl, stop: async () => {} };
  const port = await freePort();
  const server = await spawnRedisServer(port);
  return { url: `redis://127.0.0.1:${port}`, stop: async () => void server.proc.kill('SIGTERM') };
}

/** A private redis-server on a fixed port that a test may kill and start again (same port, empty, like CI's). */
export async function restartableRedis(): Promise<{ url: string; kill(): Promise<void>; start(): Promise<void>; stop(): Promise<void> }> {
  const { waitFor } = await import('./poll.js');
  const port = await freePort();
  let server: RedisServerProc | undefined;
  const start = async () => {
    server = await spawnRedisServer(port);
  };
  const kill = async () => {
    server?.proc.kill('SIGKILL');
    await waitFor('redis-server gone', () => !server || server.exited(), { timeoutMs: 5000 });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, kill, start, stop: kill };
}

/**
 * Restarts the PostgreSQL server at DATABASE_URL (fast mode, as an operator would): the run's private server
 * when global-services.ts started one, otherwise the machine's own cluster (`pg_ctlcluster`, as root).
 */
export function restartPostgres(): Promise<void> {
  const privateDataDir = process.env['VJ_TEST_PGDATA'];
  if (privateDataDir) return restartPrivatePostgres(privateDataDir);
  const version = fs.readdirSync('/etc/postgresql')[0]!;
  const p = spawn('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart', '-m', 'fast'], { stdio: 'ignore' });
  return new Promise((resolve, reject) => p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctlcluster restart exited with ${code}`)))));
}
