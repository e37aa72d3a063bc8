import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A private PostgreSQL server for one test run: Debian's `postgresql` package (what production runs), its own
 * data directory and port, reachable on 127.0.0.1 only with trust auth and no Unix socket. The machine's own
 * cluster is never touched. Everything here works from the data directory alone (pg_ctl reads its
 * postmaster.pid), so a test worker can restart the server that the vitest main process started.
 */

/** The newest installed server's binaries (`/usr/lib/postgresql/<major>/bin` on Debian), else whatever is on PATH. */
export function pgBinDir(): string {
  const base = '/usr/lib/postgresql';
  const majors = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors[0]) return path.join(base, majors[0], 'bin');
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return path.dirname(onPath);
  throw new Error("PostgreSQL server binaries (initdb, pg_ctl) not found: run `node scripts/setup.mjs test` (it installs Debian's postgresql)");
}

/** PostgreSQL refuses to run as root, so as root every server command runs as the package's `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error("running as root, but there is no `postgres` user to run PostgreSQL as (Debian's postgresql package creates it)");
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function asServerUser(): SpawnOptions {
  const user = serverUser();
  // HOME/PWD of root are not readable by postgres; a neutral cwd avoids "could not change directory" noise.
  return { ...(user ?? {}), cwd: '/', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8' } };
}

function runSync(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { ...asServerUser(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status ?? r.signal}): ${`${r.stdout}${r.stderr}`.trim().slice(-600)}`);
}

export interface PrivatePostgres {
  /** Admin URL (`postgres` superuser, `postgres` database); tests create a database of their own per server. */
  url: string;
  port: number;
  dataDir: string;
}

/**
 * initdb into `<root>/pgdata` and start it on `port`. `root` must be an empty directory this process made;
 * it is handed to the server user. The log is `<root>/postgres.log`.
 */
export function startPrivatePostgres(root: string, port: number): PrivatePostgres {
  const bin = pgBinDir();
  const user = serverUser();
  if (user) fs.chownSync(root, user.uid, user.gid);
  const dataDir = path.join(root, 'pgdata');
  if (!fs.existsSync(dataDir)) {
    // --no-sync: a throwaway cluster, nothing to make durable before it starts. UTF-8 and C.UTF-8 as the machine's.
    runSync(
      path.join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions'],
      'initdb',
    );
    fs.writeFileSync(path.join(dataDir, 'pg_hba.conf'), '# Private test server: trust on loopback TCP only.\nhost all all 127.0.0.1/32 trust\n');
    fs.writeFileSync(path.join(dataDir, 'postgresql.conf.orig'), fs.readFileSync(path.join(dataDir, 'postgresql.conf')));
  }
  // The settings live in postgresql.conf (not pg_ctl -o) so a restart from anywhere comes back the same.
  // fsync off: the data is thrown away after the run, and a crash or restart of the server process itself
  // still loses nothing (the OS keeps the writes); it spares the disk that the other tests share.
  const conf = [
    fs.readFileSync(path.join(dataDir, 'postgresql.conf.orig'), 'utf8'),
    `listen_addresses = '127.0.0.1'`,
    `port = ${port}`,
    `unix_socket_directories = ''`,
    `fsync = off`,
    `full_page_writes = off`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dataDir, 'postgresql.conf'), conf);
  if (user) for (const f of ['pg_hba.conf', 'postgresql.conf', 'postgresql.conf.orig']) fs.chownSync(path.join(dataDir, f), user.uid, user.gid);
  const log = path.join(root, 'postgres.log');
  try {
    runSync(path.join(bin, 'pg_ctl'), ['start', '-D', dataDir, '-l', log, '-w', '-t', '60', '-s'], `PostgreSQL start on port ${port}`);
  } catch (err) {
    // The directory (and its log) is removed on failure, so the reason travels in the error.
    const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').slice(-5).join(' | ') : '';
    throw new Error(`${(err as Error).message}${tail ? `; server log: ${tail}` : ''}`);
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dataDir };
}

/** Fast restart (what an operator's restart does): sessions are cut, the server comes back on the same port. */
export function restartPrivatePostgres(dataDir: string): Promise<void> {
  const log = path.join(path.dirname(dataDir), 'postgres.log');
  const p = spawn(path.join(pgBinDir(), 'pg_ctl'), ['restart', '-D', dataDir, '-m', 'fast', '-l', log, '-w', '-t', '60', '-s'], {
    ...asServerUser(),
    stdio: 'ignore',
  });
  return new Promise((resolve, reject) => {
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl restart exited with ${code}; see ${log}`))));
  });
}

/** Stops the server if it runs (fast, or immediate when `immediate`); synchronous, so it works in an exit handler. */
export function stopPrivatePostgresSync(dataDir: string, immediate = false): void {
  if (!fs.existsSync(path.join(dataDir, 'postmaster.pid'))) return;
  const pgCtl = path.join(pgBinDir(), 'pg_ctl');
  const stop = (mode: string) =>
    spawnSync(pgCtl, ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '30', '-s'], { ...asServerUser(), stdio: 'ignore' }).status === 0;
  if (immediate || !stop('fast')) stop('immediate');
}
