import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startPrivatePostgres, stopPrivatePostgresSync, type PrivatePostgres } from './private-postgres.js';
import { spawnRedisServer, type RedisServerProc } from './redis-server.js';
import { freePort } from './ports.js';

export interface PrivateServices {
  postgres: PrivatePostgres | undefined;
  redisUrl: string | undefined;
  /** Stops both and removes the directory; safe to call twice. */
  stop(): void;
}

/**
 * The real PostgreSQL and Redis a run needs when the environment gives none: each on its own free port, its data
 * in one fresh directory under the OS temp dir. They go away with the run however it ends: `stop()` at the end,
 * an exit handler on Ctrl+C or SIGTERM (vitest exits without its teardown then), and a detached watchdog
 * for a run that is killed outright.
 */
export async function startPrivateServices(want: { postgres: boolean; redis: boolean }): Promise<PrivateServices> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-services-'));
  let postgres: PrivatePostgres | undefined;
  let redis: RedisServerProc | undefined;
  let redisPort: number | undefined;
  let watchdog: ReturnType<typeof spawn> | undefined;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    if (watchdog?.pid) safeKill(watchdog.pid, 'SIGKILL');
    if (postgres) stopPrivatePostgresSync(postgres.dataDir);
    if (redis && !redis.exited()) redis.proc.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', stop);
  try {
    if (want.postgres) postgres = await withPortRetries((port) => startPrivatePostgres(root, port));
    if (want.redis) {
      redis = await withPortRetries(async (port) => ((redisPort = port), await spawnRedisServer(port)));
    }
    watchdog = startWatchdog(root, postgres?.dataDir, redis?.proc.pid);
    if (postgres) await checkAnswers(postgres.url);
  } catch (err) {
    stop();
    throw err;
  }
  return { postgres, redisUrl: redis ? `redis://127.0.0.1:${redisPort}` : undefined, stop };
}

/** A free port can be taken by another process before the server binds it (other test runs share the machine). */
async function withPortRetries<T>(start: (port: number) => T | Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function checkAnswers(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('SELECT 1');
  } finally {
    await c.end();
  }
}

function safeKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * A shell in its own session that outlives this process only to clean up after it: once this process is gone
 * (even by SIGKILL), it stops the server immediately (SIGQUIT to the postmaster named in postmaster.pid),
 * kills redis-server and removes the directory. A normal end kills it first.
 */
function startWatchdog(root: string, dataDir: string | undefined, redisPid: number | undefined): ReturnType<typeof spawn> {
  const script = [
    'owner=$1; root=$2; pidfile=$3; redis=$4',
    'while kill -0 "$owner" 2>/dev/null; do sleep 1; done',
    '[ -n "$pidfile" ] && [ -f "$pidfile" ] && kill -QUIT "$(head -n1 "$pidfile")" 2>/dev/null',
    '[ -n "$redis" ] && kill -KILL "$redis" 2>/dev/null',
    'i=0; while [ -n "$pidfile" ] && [ -f "$pidfile" ] && [ "$i" -lt 30 ]; do sleep 1; i=$((i+1)); done',
    'rm -rf "$root"',
  ].join('\n');
  const args = [String(process.pid), root, dataDir ? path.join(dataDir, 'postmaster.pid') : '', redisPid ? String(redisPid) : ''];
  const child = spawn('sh', ['-c', script, 'vj-services-watchdog', ...args], { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}
