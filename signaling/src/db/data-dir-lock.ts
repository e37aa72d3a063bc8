import fs from 'node:fs';

/**
 * One process at a time opens the embedded database. PGlite is a library, not a server: a second process (a
 * command-line tool run while the service is up, a second server on the same DATA_DIR) would open its own engine on
 * the same files. What it wrote was invisible to the running service (an account made by `users:add` could not log
 * in) and the two engines' write-ahead logs would overwrite each other. So the opener holds a lock file beside the
 * data directory and anyone else is refused, with what to do.
 *
 * The lock names its holder by process id, the process's start time and the boot, so a lock left by a process that
 * died (a crash, SIGKILL, a power cut, a container restarted with the same pids) is recognised as stale and taken
 * over, never mistaken for a live holder.
 */

interface Holder {
  pid: number;
  /** /proc/<pid>/stat's starttime, or null where there is no /proc. */
  started: string | null;
  boot: string | null;
}

const held = new Map<string, number>();

const readOr = (file: string): string | null => {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    // No /proc (not Linux), or the process is gone: the caller treats null as "cannot tell" or "not alive".
    return null;
  }
};

/** Fields of /proc/<pid>/stat after the command name: [0] the state, [19] the start time. */
const statOf = (pid: number): string[] | null => readOr(`/proc/${pid}/stat`)?.split(') ')[1]?.split(' ') ?? null;
const startTime = (pid: number): string | null => statOf(pid)?.[19] ?? null;
const bootId = (): string | null => readOr('/proc/sys/kernel/random/boot_id');

function alive(h: Holder): boolean {
  if (h.boot !== null && bootId() !== null && h.boot !== bootId()) return false;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = statOf(h.pid);
  // A process that has exited but not yet been reaped by its parent (a zombie) answers signal 0, yet holds nothing.
  if (stat && (stat[0] === 'Z' || stat[0] === 'X')) return false;
  // The pid may have been handed to another process since: the start time tells them apart.
  return h.started === null || !stat || stat[19] === h.started;
}

/** The holder a lock file names, or undefined for a file that does not parse (a write cut short: stale). */
function parse(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === 'number' ? { pid: h.pid, started: h.started ?? null, boot: h.boot ?? null } : undefined;
  } catch {
    // Not JSON: a lock file whose write was cut short by a crash. It holds nothing.
    return undefined;
  }
}

export class DataDirInUse extends Error {
  override readonly name = 'DataDirInUse';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`内置数据库（${dataDir}）正被另一个进程（进程号 ${pid}）使用。请先停止运行中的服务，再执行此命令；两个进程同时打开会写坏数据库。`);
  }
}

/**
 * Takes the lock for `dataDir` (a file beside it), or throws DataDirInUse naming the live holder. Re-entrant in one
 * process (the embedded engine is reopened after a failure). Returns the release.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = `${dataDir}.lock`;
  const count = held.get(file) ?? 0;
  if (count > 0) {
    held.set(file, count + 1);
    return once(file);
  }
  const mine = JSON.stringify({ pid: process.pid, started: startTime(process.pid), boot: bootId() } satisfies Holder);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx', mode: 0o600 });
      held.set(file, 1);
      return once(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const text = readOr(file);
    // Gone between the two calls: its holder just released it; try again.
    if (text === null) continue;
    const holder = parse(text);
    if (holder && holder.pid !== process.pid && alive(holder)) throw new DataDirInUse(dataDir, holder.pid);
    // Stale (its holder is gone) or left by this very process: removed, and taken on the next pass.
    fs.rmSync(file, { force: true });
  }
  throw new Error(`could not take the lock ${file}`);
}

function once(file: string): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (held.get(file) ?? 1) - 1;
    if (left > 0) return void held.set(file, left);
    held.delete(file);
    fs.rmSync(file, { force: true });
  };
}
