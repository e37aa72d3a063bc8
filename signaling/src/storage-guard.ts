import fs from 'node:fs';
import { AppError, errorFields, type Logger, ERROR_MESSAGES } from '@vj/shared';

const MB = 1024 * 1024;
/**
 * Free space beyond the reserve that counts as "space is back" after a disk-full error: what the embedded
 * engine's recovery writes (a WAL segment of 16 MB and a checkpoint).
 */
export const RECOVERY_ROOM = 24 * MB;

export interface StorageStatus {
  state: 'ok' | 'full';
  /** Free bytes of DATA_DIR's filesystem for this process (statfs bavail), or null if it could not be read. */
  freeBytes: number | null;
  reserveBytes: number;
  /** Why the state is 'full', in Chinese for the operator, with the figures. */
  reasons: string[];
}

/** What health reads (an interface, so a Db built from the sources and one from dist/ stay interchangeable). */
export interface StorageWatch {
  status(): Promise<StorageStatus>;
}

/** The user's answer when a write is refused or failed for lack of space: stable code, Chinese message. */
export function storageFullError(): AppError {
  return new AppError('STORAGE_FULL', ERROR_MESSAGES.storage.full);
}

/** A write that failed because the disk is full: PostgreSQL's disk_full (53100) or the OS's ENOSPC. */
export function isDiskFullError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === '53100' || code === 'ENOSPC' || code === 'EDQUOT') return true;
  return err instanceof Error && /No space left on device|ENOSPC|disk quota exceeded/i.test(err.message);
}

const mb = (bytes: number) => Math.floor(bytes / MB);

/**
 * Watches the free space of DATA_DIR's filesystem. The embedded database, recordings and the audit checkpoint
 * live there: writes are refused with STORAGE_FULL while free space is below the reserve (DISK_RESERVE_MB), so
 * the engine never reaches a write it cannot finish, and they pass again as soon as space returns, with no
 * restart. A disk-full error from the engine itself (the reserve was too small, or the database is elsewhere)
 * is remembered for health until a write succeeds or the space is back.
 */
export class StorageGuard implements StorageWatch {
  private cached: { at: number; free: number | null } | undefined;
  private reading: Promise<number | null> | undefined;
  private engineFull: { at: number; where: 'database' | 'data_dir' } | undefined;
  private lastState: 'ok' | 'full' = 'ok';
  private timer: NodeJS.Timeout | undefined;
  private unreadable = false;

  constructor(
    readonly dir: string,
    readonly reserveBytes: number,
    private readonly log: Logger,
    /** How old a statfs reading may be before a write check reads again: a syscall, cheap, but not per row. */
    private readonly maxAgeMs = 250,
  ) {}

  /** Free bytes for this process on DATA_DIR's filesystem; null if statfs failed (then nothing is refused). */
  async freeBytes(maxAgeMs = this.maxAgeMs): Promise<number | null> {
    const now = performance.now();
    if (this.cached && now - this.cached.at <= maxAgeMs) return this.cached.free;
    this.reading ??= fs.promises
      .statfs(this.dir)
      .then(
        (s) => {
          this.unreadable = false;
          return Number(s.bavail) * Number(s.bsize);
        },
        (err: unknown) => {
          if (!this.unreadable) this.log.warn('could not read free space of DATA_DIR', errorFields(err));
          this.unreadable = true;
          return null;
        },
      )
      .then((free) => {
        this.cached = { at: performance.now(), free };
        this.reading = undefined;
        return free;
      });
    return this.reading;
  }

  /** Throws STORAGE_FULL when DATA_DIR is below its reserve; a reserve of 0 turns the check off. */
  async assertWritable(): Promise<void> {
    if (this.reserveBytes <= 0) return;
    const free = await this.freeBytes();
    if (free !== null && free < this.reserveBytes) {
      this.transition('full', free);
      throw storageFullError();
    }
  }

  /** From what is already known, without reading again: below the reserve, or a write failed for space. */
  knownFull(): boolean {
    const free = this.cached?.free;
    return this.engineFull !== undefined || (free !== undefined && free !== null && free < this.reserveBytes);
  }

  /** A write failed with a disk-full error: health says so until a write succeeds or space is back. */
  noteDiskFull(where: 'database' | 'data_dir'): void {
    if (!this.engineFull) this.log.warn('a write failed: disk full', { where });
    this.engineFull = { at: performance.now(), where };
    this.cached = undefined;
  }

  /** A write went through: whatever disk-full error came before is over. */
  noteWriteOk(): void {
    if (this.engineFull) this.log.info('writes succeed again after a disk-full error');
    this.engineFull = undefined;
  }

  async status(): Promise<StorageStatus> {
    const free = await this.freeBytes();
    const reasons: string[] = [];
    if (free !== null && this.reserveBytes > 0 && free < this.reserveBytes) {
      reasons.push(ERROR_MESSAGES.storage.belowReserve(this.dir, mb(free), mb(this.reserveBytes)));
    }
    if (this.engineFull && free !== null && free >= this.reserveBytes + RECOVERY_ROOM && this.engineFull.where === 'data_dir') {
      this.engineFull = undefined;
    }
    if (this.engineFull) {
      reasons.push(this.engineFull.where === 'database' ? ERROR_MESSAGES.storage.databaseDiskFull : ERROR_MESSAGES.storage.dataDirDiskFull(this.dir));
    }
    const state = reasons.length ? 'full' : 'ok';
    this.transition(state, free);
    return { state, freeBytes: free, reserveBytes: this.reserveBytes, reasons };
  }

  /** Checks every intervalMs, so the log shows when space ran out and when it came back even with no traffic. */
  start(intervalMs: number): void {
    this.timer ??= setInterval(() => void this.status(), intervalMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private transition(state: 'ok' | 'full', free: number | null): void {
    if (state === this.lastState) return;
    this.lastState = state;
    const fields = { dir: this.dir, freeMb: free === null ? null : mb(free), reserveMb: mb(this.reserveBytes) };
    if (state === 'full') this.log.warn('storage full: writes are refused until space returns', fields);
    else this.log.info('storage recovered: writes accepted again', fields);
  }
}
