import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError, errorFields, type Logger, ERROR_MESSAGES } from '@vj/shared';
import { RedisRpc, type RpcHandler } from '@vj/rpc';
import { AlertOp } from '../alerts/alert-service.js';

/** Messages every signaling node hears. */
export const BusMessage = z.discriminatedUnion('type', [
  /** A browser socket closed on some node: the owner of its sessions starts the grace period. */
  z.object({ type: z.literal('socketGone'), socketId: z.string().min(1).max(64) }),
  /** The call queue changed: each node tells its own waiting kiosks their place. */
  z.object({ type: z.literal('queueChanged') }),
  /** The wall has a new owner: every node shows its live kiosk cameras on it again. */
  z.object({ type: z.literal('wallResync') }),
  /** A matter left the overdue alerts or came back (sealed, unsealed, acted on) on `from`: every node publishes them again. */
  z.object({ type: z.literal('overdueChanged'), from: z.string().max(64) }),
  /** A change to the alert bar made on `from`. */
  z.object({ type: z.literal('alert'), from: z.string().max(64), change: AlertOp }),
]);
export type BusMessage = z.infer<typeof BusMessage>;

/**
 * How signaling nodes talk to each other: a request to one node (forwarded socket events, wall updates),
 * and messages to all. The local bus is the single process talking to itself: it hears its own messages.
 */
export interface NodeBus {
  readonly nodeId: string;
  call(nodeId: string, method: string, params: unknown): Promise<unknown>;
  serve(handler: RpcHandler): Promise<void>;
  /** Whether a node still listens for requests (a killed node's subscription is gone at once). */
  listening(nodeId: string): Promise<boolean>;
  broadcast(msg: BusMessage): Promise<void>;
  onMessage(listener: (msg: BusMessage) => void): void;
  close(): Promise<void>;
}

export class LocalBus implements NodeBus {
  readonly nodeId = 'local';
  private readonly listeners: ((msg: BusMessage) => void)[] = [];

  async call(): Promise<unknown> {
    throw new AppError('INTERNAL', ERROR_MESSAGES.cluster.singleNode);
  }
  async serve(): Promise<void> {}
  async listening(nodeId: string): Promise<boolean> {
    return nodeId === this.nodeId;
  }
  async broadcast(msg: BusMessage): Promise<void> {
    for (const l of this.listeners) l(msg);
  }
  onMessage(listener: (msg: BusMessage) => void): void {
    this.listeners.push(listener);
  }
  async close(): Promise<void> {}
}

export class RedisBus implements NodeBus {
  private readonly listeners: ((msg: BusMessage) => void)[] = [];
  private readonly rpc: RedisRpc;
  private readonly channel: string;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    prefix: string,
    readonly nodeId: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.rpc = new RedisRpc(pub, sub, `${prefix}sig:`, nodeId, log.child('rpc'));
    this.channel = `${prefix}sig:bus`;
    sub.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      const msg = BusMessage.safeParse(JSON.parse(raw));
      if (!msg.success) return void log.warn('malformed bus message dropped');
      for (const l of this.listeners) {
        try {
          l(msg.data);
        } catch (err) {
          log.error('bus listener failed', { type: msg.data.type, ...errorFields(err) });
        }
      }
    });
  }

  /** Fails with RpcTimeoutError (NODE_TIMEOUT) when the node does not answer in time. */
  call(nodeId: string, method: string, params: unknown): Promise<unknown> {
    return this.rpc.call(nodeId, method, params, this.timeoutMs);
  }

  async serve(handler: RpcHandler): Promise<void> {
    await this.rpc.start(handler);
    await this.sub.subscribe(this.channel);
  }

  async listening(nodeId: string): Promise<boolean> {
    const res = (await this.pub.pubsub('NUMSUB', this.rpc.requestChannel(nodeId))) as [string, number];
    return Number(res[1]) > 0;
  }

  async broadcast(msg: BusMessage): Promise<void> {
    await this.pub.publish(this.channel, JSON.stringify(BusMessage.parse(msg)));
  }

  onMessage(listener: (msg: BusMessage) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.rpc.close();
  }
}
