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
  const boot = bootId();
  if (h.boot !== null && boot !== null && h.boot !== boot) return false;
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

/** The holder a lock file names, or undefined for a file that does not parse (an old one cut short by a crash). */
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
    /** Null when the lock file is being written and names nobody yet. */
    readonly pid: number | null,
  ) {
    super(
      `内置数据库（${dataDir}）正被另一个进程${pid === null ? '' : `（进程号 ${pid}）`}使用。请先停止运行中的服务，再执行此命令；两个进程同时打开会写坏数据库。` +
        `若确认该进程已不在运行（例如在没有 /proc 的系统上），可删除 ${dataDir}.lock 后重试。`,
    );
  }
}

/** A lock file this young that does not parse may be one being written: taken for live. */
const UNREADABLE_GRACE_MS = 5000;

/**
 * Creates `file` holding `text`, atomically: written under a private name and linked into place, so nobody ever
 * reads it half written, and the link fails if the file exists. True when this call made it.
 */
function createWith(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Whether the lock file as read (`text`, last changed at `mtimeMs`) still holds the directory for someone else. */
function holdsForOther(text: string, mtimeMs: number): { pid: number | null } | undefined {
  const holder = parse(text);
  if (!holder) return Date.now() - mtimeMs < UNREADABLE_GRACE_MS ? { pid: null } : undefined;
  return holder.pid !== process.pid && alive(holder) ? holder : undefined;
}

/** Blocks this thread for `ms` (the lock is taken synchronously, before anything else runs). */
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Moves `file` out of the way only if it still reads `judged`: renamed to a private name, read again there, and put
 * back if it is not what was judged. Put back by link, so there is a moment without the file: used only where nobody
 * else acts on that file at the same time (a guard left by a dead process), never on the lock itself.
 */
function moveAsideIf(file: string, judged: string): void {
  const aside = `${file}.${process.pid}.${Date.now()}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    if (fs.readFileSync(aside, 'utf8') !== judged) fs.linkSync(aside, file);
  } catch (err) {
    // EEXIST: another process has made the file since; it stands.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/**
 * Removes the stale lock `judged`, under a guard file so that only one process at a time takes a stale lock over.
 * Without it, two processes that both judged the same lock stale could interleave: one removes the stale lock and
 * makes its own, the other moves that new lock aside to check it, and a third takes the lock in the moment it was
 * away, so two held it. The guard's holder removes the lock only while it still reads `judged`, and nobody else
 * removes a lock (a live holder removes only its own), so what it removes is the stale one. True when the caller
 * should simply try again at once; false when another process is taking over and the caller should wait a moment.
 */
function removeStale(file: string, judged: string, mine: string): boolean {
  const guard = `${file}.takeover`;
  if (createWith(guard, mine)) {
    try {
      if (readOr(file) === judged.trim()) fs.rmSync(file, { force: true });
    } finally {
      fs.rmSync(guard, { force: true });
    }
    return true;
  }
  let text: string;
  let mtimeMs: number;
  try {
    text = fs.readFileSync(guard, 'utf8');
    mtimeMs = fs.statSync(guard).mtimeMs;
  } catch (err) {
    // The guard went between the two calls: its holder is done; try again.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  if (holdsForOther(text, mtimeMs)) return false;
  // Its holder died within the few microseconds it holds it (or it is ours, left by a throw): moved aside.
  moveAsideIf(guard, text);
  return true;
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
  // A takeover holds its guard for microseconds; a second of waiting covers a busy machine many times over.
  for (let attempt = 0; attempt < 200; attempt++) {
    if (createWith(file, mine)) {
      held.set(file, 1);
      return once(file);
    }
    let text: string;
    let mtimeMs: number;
    try {
      text = fs.readFileSync(file, 'utf8');
      mtimeMs = fs.statSync(file).mtimeMs;
    } catch (err) {
      // Gone between the two calls: its holder just released it, or a takeover removed it; try again.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const other = holdsForOther(text, mtimeMs);
    if (other) throw new DataDirInUse(dataDir, other.pid);
    // Stale (its holder is gone) or left by this very process: removed, and taken on the next pass.
    if (!removeStale(file, text, mine)) pause(5);
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
