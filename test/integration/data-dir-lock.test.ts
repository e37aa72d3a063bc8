// The embedded database is opened by one process at a time (db/data-dir-lock.ts). Before, `npm run users:add` run
// while the service was up opened a second engine on the same files: it said the account was made, and the running
// service never saw it (the new user could not log in).
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbedded, type Db } from '@vj/signaling';
import { DataDirInUse, lockDataDir } from '../../signaling/src/db/data-dir-lock.js';
import { quietLog } from '../helpers/backends.js';
import { waitFor } from '../helpers/poll.js';
import { REPO } from '../helpers/server.js';

const run = promisify(execFile);

describe('one process at a time on the embedded database', () => {
  const dirs: string[] = [];
  const opened: Db[] = [];
  const dataDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('a command-line tool run while the service has the database open is refused, says why, and writes nothing', async () => {
    const dir = dataDir();
    const db = await openEmbedded(path.join(dir, 'pglite'), quietLog);
    opened.push(db);
    const walBefore = fs.readdirSync(path.join(dir, 'pglite', 'pg_wal')).map((f) => [f, fs.statSync(path.join(dir, 'pglite', 'pg_wal', f)).mtimeMs]);
    const env = { PATH: process.env['PATH'] ?? '', VJ_MODE: 'demo', DATA_DIR: dir };
    const out = await run(process.execPath, [path.join(REPO, 'signaling/dist/cli/add-user.js'), 'zhang.wei', '张伟', 'county_officer'], { env }).then(
      (r) => ({ code: 0, text: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, text: e.stdout + e.stderr }),
    );
    expect(out.code).not.toBe(0);
    expect(out.text).toContain('正被另一个进程');
    expect(out.text).toContain(String(process.pid));
    expect(out.text).toContain('请先停止运行中的服务');
    expect(out.text).not.toContain('一次性密码');
    const walAfter = fs.readdirSync(path.join(dir, 'pglite', 'pg_wal')).map((f) => [f, fs.statSync(path.join(dir, 'pglite', 'pg_wal', f)).mtimeMs]);
    expect(walAfter).toEqual(walBefore);
    expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
  });

  it('the lock is given up on close, and the lock file is private', async () => {
    const dir = path.join(dataDir(), 'pglite');
    const db = await openEmbedded(dir, quietLog);
    expect(fs.statSync(`${dir}.lock`).mode & 0o777).toBe(0o600);
    await db.close();
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);
    const again = await openEmbedded(dir, quietLog);
    opened.push(again);
    expect((await again.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
  });

  it('a lock left by a process that died (a crash, SIGKILL) is taken over', async () => {
    const dir = path.join(dataDir(), 'pglite');
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.once('exit', r));
    fs.writeFileSync(`${dir}.lock`, JSON.stringify({ pid, started: '1', boot: null }));
    const db = await openEmbedded(dir, quietLog);
    opened.push(db);
    expect(JSON.parse(fs.readFileSync(`${dir}.lock`, 'utf8')).pid).toBe(process.pid);
  });

  it('a holder that has exited but is not yet reaped (a zombie) holds nothing', async () => {
    const dir = path.join(dataDir(), 'data');
    // A shell whose child exits at once and is never waited for: a zombie for as long as the shell (become `head`)
    // waits on its stdin, which is this test's pipe: until the test kills it, or this process ends. No timer: a busy
    // machine that does not poll for seconds still finds the zombie there (a 2 s sleep let CI reap it first).
    const shell = spawn('sh', ['-c', 'sh -c "exit 0" & echo $!; exec head -c1']);
    try {
      const pid = Number(await new Promise<string>((r) => shell.stdout.once('data', (d: Buffer) => r(d.toString().trim()))));
      await waitFor('the child is a zombie', () => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z'), { timeoutMs: 20_000 });
      const started = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
      fs.writeFileSync(`${dir}.lock`, JSON.stringify({ pid, started, boot: null }));
      lockDataDir(dir)();
    } finally {
      shell.kill();
    }
  });

  it('a live process that merely has the dead holder’s pid (reused) does not hold the lock; a live holder does', () => {
    const dir = path.join(dataDir(), 'data');
    // The parent is alive, but started at another time than the lock says: the pid was reused.
    fs.writeFileSync(`${dir}.lock`, JSON.stringify({ pid: process.ppid, started: '1', boot: null }));
    const release = lockDataDir(dir);
    release();
    release();
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);
    // A lock from another boot is stale whatever its pid.
    fs.writeFileSync(`${dir}.lock`, JSON.stringify({ pid: process.ppid, started: null, boot: 'another-boot' }));
    lockDataDir(dir)();
    // The parent, as it really is: a live holder.
    const started = fs.readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
    fs.writeFileSync(`${dir}.lock`, JSON.stringify({ pid: process.ppid, started, boot: null }));
    expect(() => lockDataDir(dir)).toThrow(DataDirInUse);
    // A lock file cut short by a crash long ago holds nothing; one that does not parse yet, just made, is taken for live.
    fs.writeFileSync(`${dir}.lock`, '{"pid":');
    expect(() => lockDataDir(dir)).toThrow(DataDirInUse);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${dir}.lock`, old, old);
    lockDataDir(dir)();
  });

  // Each child waits for the same instant, then tries to take the lock and holds what it got for a while.
  const contenders = async (dir: string, n: number) => {
    const lib = path.join(REPO, 'signaling/dist/db/data-dir-lock.js');
    // Far enough ahead that every child has started on a busy machine; the winner holds on until well after, so a
    // child that starts late still meets a live holder.
    const at = Date.now() + 3000;
    const script = `import { lockDataDir } from ${JSON.stringify(lib)};
      while (Date.now() < ${at}) {}
      try { lockDataDir(${JSON.stringify(dir)}); console.log('got'); setTimeout(() => {}, ${at} + 5000 - Date.now()); } catch { console.log('refused'); }`;
    const outs = await Promise.all(Array.from({ length: n }, () => run(process.execPath, ['--input-type=module', '-e', script]).then((r) => r.stdout.trim())));
    return outs.filter((o) => o === 'got').length;
  };

  it('processes starting at the same instant: exactly one takes the lock, with or without a stale one in the way', async () => {
    for (let round = 0; round < 2; round++) {
      const dir = path.join(dataDir(), 'data');
      expect(await contenders(dir, 6)).toBe(1);
      const gone = spawn(process.execPath, ['-e', '0']);
      await new Promise((r) => gone.once('exit', r));
      fs.writeFileSync(`${dir}.lock`, JSON.stringify({ pid: gone.pid, started: '1', boot: null }));
      expect(await contenders(dir, 6)).toBe(1);
    }
  });
});
