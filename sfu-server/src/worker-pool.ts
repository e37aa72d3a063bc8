import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { TypedEmitter, errorFields, type Logger } from '@vj/shared';
import { MEDIA_CODECS, type SfuConfig } from './config.js';

export type WorkerPoolEvents = { workerDied: [pid: number] };

/**
 * One mediasoup worker per core. Routers go to the worker carrying the fewest; a worker that dies is logged,
 * announced (its routers close with "workerclose") and replaced so capacity comes back by itself.
 */
export class WorkerPool {
  readonly events: TypedEmitter<WorkerPoolEvents>;
  private readonly workers = new Map<types.Worker, number>();
  /** Workers that each carry one dedicated router; they leave with it. */
  private readonly dedicated = new Set<types.Worker>();
  private closed = false;
  /** Placements waiting for a replacement worker (the only one died): they wait rather than fail. */
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly config: SfuConfig,
    private readonly log: Logger,
  ) {
    this.events = new TypedEmitter((event, err) => log.error('listener failed', { event, ...errorFields(err) }));
  }

  static async create(config: SfuConfig, log: Logger): Promise<WorkerPool> {
    const pool = new WorkerPool(config, log);
    for (let i = 0; i < config.workers; i++) await pool.spawn();
    return pool;
  }

  private newWorker(): Promise<types.Worker> {
    return mediasoup.createWorker({ logLevel: this.config.logLevel, rtcMinPort: this.config.rtcMinPort, rtcMaxPort: this.config.rtcMaxPort });
  }

  private async spawn(): Promise<void> {
    const worker = await this.newWorker();
    this.workers.set(worker, 0);
    worker.on('died', () => this.onDied(worker));
    for (const w of this.waiters.splice(0)) w();
    this.log.info('mediasoup worker started', { pid: worker.pid });
  }

  private onDied(worker: types.Worker): void {
    this.workers.delete(worker);
    this.log.error('mediasoup worker died', { pid: worker.pid, remaining: this.workers.size });
    this.events.emit('workerDied', worker.pid);
    if (this.closed) return;
    this.spawn().catch((err) => this.log.error('could not replace dead worker', errorFields(err)));
  }

  async createRouter(dedicatedWorker = false): Promise<{ router: types.Router; pid: number }> {
    if (this.closed) throw new Error('worker pool is closed');
    if (dedicatedWorker) {
      const worker = await this.newWorker();
      this.dedicated.add(worker);
      worker.on('died', () => {
        this.dedicated.delete(worker);
        this.log.error('dedicated mediasoup worker died', { pid: worker.pid });
        this.events.emit('workerDied', worker.pid);
      });
      const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
      router.observer.once('close', () => {
        this.dedicated.delete(worker);
        worker.close();
      });
      return { router, pid: worker.pid };
    }
    // Routers close (workerclose) before the worker's "died" fires: a dead worker may still be listed here.
    const live = () => [...this.workers].filter(([w]) => !w.closed);
    if (live().length === 0) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no live mediasoup worker')), 10_000);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
    let best: types.Worker | undefined;
    for (const [w, n] of live()) if (!best || n < (this.workers.get(best) ?? 0)) best = w;
    if (!best) throw new Error('no live mediasoup worker');
    const worker = best;
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    this.workers.set(worker, (this.workers.get(worker) ?? 0) + 1);
    router.observer.once('close', () => {
      const n = this.workers.get(worker);
      if (n !== undefined) this.workers.set(worker, n - 1);
    });
    return { router, pid: worker.pid };
  }

  describe(): { pid: number; routers: number }[] {
    return [...this.workers].map(([w, routers]) => ({ pid: w.pid, routers }));
  }

  get size(): number {
    return this.workers.size;
  }

  /** Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.workers.keys(), ...this.dedicated]) w.close();
    this.workers.clear();
    this.dedicated.clear();
    this.events.removeAllListeners();
  }
}
