import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@vj/shared';
import { RECOVERY_ROOM, type StorageGuard } from '../storage-guard.js';
import type { EngineMessage, EngineWorkerData } from './embedded-worker.js';

/** How long a graceful close (checkpoint, files closed) may take before the thread is terminated. */
const CLOSE_GRACE_MS = 5000;

/**
 * The compiled worker sits next to this file in dist/. Tests that import the sources (vitest) have no .js here,
 * so they use the built one, as they use the built server.
 */
function workerFile(): URL {
  const here = new URL('./embedded-worker.js', import.meta.url);
  if (fs.existsSync(fileURLToPath(here))) return here;
  return new URL('../../dist/db/embedded-worker.js', import.meta.url);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * PGlite in a worker thread behind a unix socket, replaced when it breaks. A broken engine (it threw while
 * running a statement, or a statement outlived DB_QUERY_TIMEOUT_MS) is terminated and the data directory opened
 * again, which is PostgreSQL's crash recovery: every committed transaction is in the WAL. While DATA_DIR is
 * below its reserve the reopening waits, since recovery needs to write; it then takes about a second.
 */
export class EmbeddedEngine {
  state: 'starting' | 'up' | 'down' | 'closed' = 'starting';
  /** Replacements so far, for health and logs. */
  restarts = 0;
  private worker: Worker | undefined;
  /** A worker still opening the data directory, terminated too if the server closes meanwhile. */
  private opening: Worker | undefined;
  private recovering: Promise<void> | undefined;
  private waiters = new Set<() => void>();

  constructor(
    private readonly dataDir: string,
    readonly sockDir: string,
    private readonly storage: StorageGuard,
    private readonly log: Logger,
  ) {}

  get socketPath(): string {
    return path.join(this.sockDir, '.s.PGSQL.5432');
  }

  /** The first open: a failure here fails the start-up, as before. */
  async start(): Promise<void> {
    this.worker = await this.spawn();
    this.up();
  }

  /** Resolves true once the engine is up, false after timeoutMs (or when closed). */
  async waitUp(timeoutMs: number): Promise<boolean> {
    if (this.state === 'up') return true;
    if (this.state === 'closed') return false;
    let done!: () => void;
    const ready = new Promise<void>((r) => (done = r));
    this.waiters.add(done);
    const timer = setTimeout(done, timeoutMs);
    await ready;
    clearTimeout(timer);
    this.waiters.delete(done);
    // Read again: the state changed while this waited.
    return (this.state as EmbeddedEngine['state']) === 'up';
  }

  /** The engine broke or stopped answering: replace it. Does nothing while a replacement is under way. */
  fail(reason: string): void {
    if (this.state !== 'up') return;
    this.state = 'down';
    const old = this.worker;
    this.worker = undefined;
    const since = performance.now();
    this.log.warn('embedded database stopped answering; reopening it', { reason });
    this.recovering = (async () => {
      await old?.terminate();
      for (let attempt = 1; (this.state as EmbeddedEngine['state']) !== 'closed'; attempt++) {
        // Recovery writes (a new WAL segment, a checkpoint): reopening before there is room fails after seconds
        // of replay, and would delay the reopening that follows the space coming back.
        const free = await this.storage.freeBytes(0);
        if (free !== null && free < this.storage.reserveBytes + RECOVERY_ROOM) {
          await sleep(500);
          continue;
        }
        try {
          const worker = await this.spawn();
          if ((this.state as EmbeddedEngine['state']) === 'closed') {
            await worker.terminate();
            return;
          }
          this.worker = worker;
          this.restarts++;
          this.log.info('embedded database reopened', { attempt, downMs: Math.round(performance.now() - since) });
          this.up();
          return;
        } catch (err) {
          this.log.warn('embedded database did not reopen; trying again', { attempt, reason: (err as Error).message.slice(0, 200) });
          await sleep(Math.min(2000, 250 * attempt));
        }
      }
    })();
  }

  async close(): Promise<void> {
    const wasUp = this.state === 'up';
    this.state = 'closed';
    this.notify();
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      // A clean close checkpoints, so the next start has no recovery to do; a stuck engine is terminated.
      const closed = wasUp
        ? new Promise<boolean>((resolve) => worker.on('message', (m: EngineMessage) => m.type === 'closed' && resolve(true)))
        : Promise.resolve(false);
      if (wasUp) worker.postMessage({ type: 'close' });
      await Promise.race([closed, sleep(CLOSE_GRACE_MS)]);
      await worker.terminate();
    }
    await this.opening?.terminate();
    await this.recovering;
    fs.rmSync(this.sockDir, { recursive: true, force: true });
  }

  private up(): void {
    this.state = 'up';
    this.notify();
  }

  private notify(): void {
    for (const w of this.waiters) w();
  }

  /** Starts a worker and resolves once its socket listens; afterwards its failures call fail(). */
  private spawn(): Promise<Worker> {
    // A terminated thread leaves its socket file behind, and listen() would refuse the path.
    fs.rmSync(this.socketPath, { force: true });
    const data: EngineWorkerData = { dataDir: this.dataDir, socketPath: this.socketPath };
    const worker = new Worker(workerFile(), { workerData: data });
    this.opening = worker;
    const opened = new Promise<Worker>((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: EngineMessage) => {
        if (m.type === 'ready') {
          ready = true;
          resolve(worker);
        } else if (m.type === 'start-failed') {
          if (/no space left|ENOSPC|could not (write|extend)/i.test(m.message)) this.storage.noteDiskFull('data_dir');
          reject(new Error(`embedded database did not open: ${m.message}`));
        } else if (m.type === 'failed' && this.worker === worker) {
          this.fail(`engine error${m.code ? ` ${m.code}` : ''}`);
        }
      });
      worker.on('error', (err) => {
        if (!ready) reject(err);
        else if (this.worker === worker) this.fail(`engine thread error ${err.name}`);
      });
      worker.on('exit', (code) => {
        if (!ready) reject(new Error(`embedded database thread exited with ${code}`));
        else if (this.worker === worker) this.fail(`engine thread exited with ${code}`);
      });
    });
    return opened.finally(() => {
      if (this.opening === worker) this.opening = undefined;
    });
  }
}
