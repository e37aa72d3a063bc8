import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Test services. With DATABASE_URL / REDIS_URL set (CI sets both and VJ_REQUIRE_SERVICES=1) the tests use
 * the real PostgreSQL and Redis; when required, their absence fails the run instead of skipping anything.
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
 * A Redis for tests: REDIS_URL when given (CI), otherwise a private redis-server on a free port
 * (set-up installs Debian's redis-server for `npm test`). Never a skip.
 */
export async function testRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (redisUrl) return { url: redisUrl, stop: async () => {} };
  const { spawn } = await import('node:child_process');
  const { freePort } = await import('./server.js');
  const { waitFor } = await import('./poll.js');
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'pipe' });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  await waitFor('redis-server ready', () => out.includes('Ready to accept connections'), { timeoutMs: 10_000 });
  return { url: `redis://127.0.0.1:${port}`, stop: async () => void proc.kill('SIGTERM') };
}

/** A private redis-server on a fixed port that a test may kill and start again (same port, empty, like CI's). */
export async function restartableRedis(): Promise<{ url: string; kill(): Promise<void>; start(): Promise<void>; stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const { freePort } = await import('./server.js');
  const { waitFor } = await import('./poll.js');
  const port = await freePort();
  let proc: import('node:child_process').ChildProcess | undefined;
  let exited = true;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'pipe' });
    exited = false;
    proc.on('exit', () => (exited = true));
    let out = '';
    proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor('redis-server ready', () => out.includes('Ready to accept connections'), { timeoutMs: 10_000 });
  };
  const kill = async () => {
    proc?.kill('SIGKILL');
    await waitFor('redis-server gone', () => exited, { timeoutMs: 5000 });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, kill, start, stop: kill };
}
