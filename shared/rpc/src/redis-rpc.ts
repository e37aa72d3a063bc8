import type { Redis } from 'ioredis';
import { AppError, errorFields, isErrorCode, type Logger, ERROR_MESSAGES } from '@vj/shared';
import { RpcReply, RpcRequest } from './messages.js';
import { RpcTimeoutError } from './rpc-timeout.js';

export type RpcHandler = (method: string, params: unknown) => Promise<unknown>;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Request/reply between nodes over Redis pub/sub. Each node listens on its own channel; every request carries
 * an id, a reply channel and a deadline, and the caller gives up at the deadline with RpcTimeoutError. A request to
 * a channel nobody listens on fails at once instead of waiting for the timeout.
 */
export class RedisRpc {
  private readonly pending = new Map<string, Pending>();
  private readonly replyChannel: string;
  private handler: RpcHandler | undefined;
  private closed = false;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix: string,
    readonly nodeId: string,
    private readonly log: Logger,
  ) {
    this.replyChannel = `${prefix}rpc-reply:${nodeId}`;
    sub.on('message', (channel: string, message: string) => {
      if (channel === this.replyChannel) this.onReply(message);
      else if (channel === this.requestChannel(this.nodeId)) void this.onRequest(message);
    });
  }

  requestChannel(nodeId: string): string {
    return `${this.prefix}rpc:${nodeId}`;
  }

  async start(handler?: RpcHandler): Promise<void> {
    this.handler = handler;
    await this.sub.subscribe(this.replyChannel, ...(handler ? [this.requestChannel(this.nodeId)] : []));
  }

  async call(nodeId: string, method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) throw new AppError('UNAVAILABLE', ERROR_MESSAGES.cluster.shuttingDown);
    const req: RpcRequest = { id: crypto.randomUUID(), method, params, replyTo: this.replyChannel, deadline: Date.now() + timeoutMs };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(req.id);
        reject(new RpcTimeoutError(method, nodeId, timeoutMs));
      }, timeoutMs);
      this.pending.set(req.id, { resolve, reject, timer });
      this.pub.publish(this.requestChannel(nodeId), JSON.stringify(req)).then(
        (receivers) => {
          if (receivers > 0 || !this.pending.has(req.id)) return;
          clearTimeout(timer);
          this.pending.delete(req.id);
          reject(new AppError('UNAVAILABLE', ERROR_MESSAGES.cluster.nodeGone));
        },
        (err: Error) => {
          clearTimeout(timer);
          this.pending.delete(req.id);
          this.log.warn('rpc request not published', { method, nodeId, ...errorFields(err) });
          reject(new AppError('UNAVAILABLE', ERROR_MESSAGES.cluster.busDown));
        },
      );
    });
  }

  private onReply(message: string): void {
    let reply: RpcReply;
    try {
      reply = RpcReply.parse(JSON.parse(message));
    } catch {
      this.log.warn('malformed rpc reply dropped');
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) return; // timed out already
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new AppError(reply.error.code, reply.error.message));
  }

  private async onRequest(message: string): Promise<void> {
    let req: RpcRequest;
    try {
      req = RpcRequest.parse(JSON.parse(message));
    } catch {
      this.log.warn('malformed rpc request dropped');
      return;
    }
    if (Date.now() > req.deadline) return this.log.warn('rpc request arrived after its deadline', { method: req.method });
    let reply: RpcReply;
    try {
      reply = { id: req.id, ok: true, result: await this.handler!(req.method, req.params) };
    } catch (err) {
      const code = err instanceof AppError && isErrorCode(err.code) ? err.code : 'INTERNAL';
      if (!(err instanceof AppError)) this.log.error('rpc handler failed', { method: req.method, ...errorFields(err) });
      reply = { id: req.id, ok: false, error: { code, message: err instanceof AppError ? err.message.slice(0, 500) : ERROR_MESSAGES.common.internal } };
    }
    await this.pub.publish(req.replyTo, JSON.stringify(reply)).catch(() => this.log.warn('rpc reply not sent', { method: req.method }));
  }

  /** Fails whatever is still waiting. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new AppError('UNAVAILABLE', ERROR_MESSAGES.cluster.shuttingDown));
      this.pending.delete(id);
    }
  }
}
