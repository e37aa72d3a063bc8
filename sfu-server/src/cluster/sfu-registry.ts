import type { Redis } from 'ioredis';
import { AppError, SfuNodeInfo, ERROR_MESSAGES } from '@vj/shared';

export const HEARTBEAT_MS = 2000;
/** A node missing three heartbeats is gone: its entry expires and placement stops choosing it. */
export const NODE_TTL_MS = 3 * HEARTBEAT_MS;
const LOCK_TTL_MS = 3000;

// Compare-and-delete: only the holder releases the lock.
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
// A closed router frees its place, once, and only if the session still maps to this node.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1]) redis.call('ZINCRBY', KEYS[2], -1, ARGV[1]) redis.call('SREM', KEYS[3], ARGV[2]) return 1 end return 0`;

/**
 * The SFU nodes in Redis: each node's load under a key that expires unless heartbeats renew it, and which
 * node holds which session's router. Placement takes a lock so two signaling nodes placing at once both see
 * each other's choice, and picks the node with the fewest sessions (reported load breaks ties).
 */
export class SfuRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private nodeKey(id: string): string {
    return `${this.prefix}sfu:node:${id}`;
  }
  private get nodesKey(): string {
    return `${this.prefix}sfu:nodes`;
  }
  private get countsKey(): string {
    return `${this.prefix}sfu:sessions-per-node`;
  }
  sessionKey(sessionId: string): string {
    return `${this.prefix}sfu:session:${sessionId}`;
  }

  /** A (re)started node holds no sessions: its count starts from zero. */
  async register(info: SfuNodeInfo): Promise<void> {
    await this.redis
      .multi()
      .sadd(this.nodesKey, info.nodeId)
      .zadd(this.countsKey, 0, info.nodeId)
      .set(this.nodeKey(info.nodeId), JSON.stringify(info), 'PX', NODE_TTL_MS)
      .exec();
  }

  async heartbeat(info: SfuNodeInfo): Promise<void> {
    await this.redis.set(this.nodeKey(info.nodeId), JSON.stringify(info), 'PX', NODE_TTL_MS);
  }

  async deregister(nodeId: string): Promise<void> {
    await this.redis.multi().del(this.nodeKey(nodeId)).srem(this.nodesKey, nodeId).zrem(this.countsKey, nodeId).exec();
  }

  async liveNodes(): Promise<SfuNodeInfo[]> {
    const ids = await this.redis.smembers(this.nodesKey);
    if (ids.length === 0) return [];
    const raw = await this.redis.mget(ids.map((id) => this.nodeKey(id)));
    const live: SfuNodeInfo[] = [];
    for (const r of raw) {
      const parsed = r ? SfuNodeInfo.safeParse(JSON.parse(r)) : undefined;
      if (parsed?.success) live.push(parsed.data);
    }
    return live;
  }

  async isLive(nodeId: string): Promise<boolean> {
    return (await this.redis.exists(this.nodeKey(nodeId))) === 1;
  }

  async nodeOf(sessionId: string): Promise<string | null> {
    return this.redis.get(this.sessionKey(sessionId));
  }

  /** The node holding the session's router; a session on no live node is placed on the least-loaded one. */
  async place(sessionId: string): Promise<string> {
    const current = await this.nodeOf(sessionId);
    if (current && (await this.isLive(current))) return current;
    return this.withLock(async () => {
      const again = await this.nodeOf(sessionId);
      if (again && (await this.isLive(again))) return again;
      const nodes = await this.liveNodes();
      if (nodes.length === 0) throw new AppError('UNAVAILABLE', ERROR_MESSAGES.sfu.noNode);
      const counts = new Map<string, number>();
      const flat = await this.redis.zrange(this.countsKey, 0, -1, 'WITHSCORES');
      for (let i = 0; i < flat.length; i += 2) counts.set(flat[i]!, Number(flat[i + 1]));
      nodes.sort((a, b) => (counts.get(a.nodeId) ?? 0) - (counts.get(b.nodeId) ?? 0) || a.load - b.load);
      const chosen = nodes[0]!.nodeId;
      await this.redis.multi().set(this.sessionKey(sessionId), chosen).zincrby(this.countsKey, 1, chosen).sadd(this.nodeSessionsKey(chosen), sessionId).exec();
      return chosen;
    });
  }

  /** After Redis lost everything: the node's sessions map to it again, and its count is their number. */
  async reclaim(nodeId: string, sessionIds: string[]): Promise<void> {
    const m = this.redis.multi();
    for (const id of sessionIds) m.set(this.sessionKey(id), nodeId).sadd(this.nodeSessionsKey(nodeId), id);
    m.zadd(this.countsKey, sessionIds.length, nodeId);
    await m.exec();
  }

  async release(sessionId: string, nodeId: string): Promise<void> {
    await this.redis.eval(RELEASE, 3, this.sessionKey(sessionId), this.countsKey, this.nodeSessionsKey(nodeId), nodeId, sessionId);
  }

  private nodeSessionsKey(nodeId: string): string {
    return `${this.prefix}sfu:node-sessions:${nodeId}`;
  }

  /** Sessions placed on a node that died without closing them; the list is handed over once. */
  async takeSessionsOf(nodeId: string): Promise<string[]> {
    const res = await this.redis.multi().smembers(this.nodeSessionsKey(nodeId)).del(this.nodeSessionsKey(nodeId)).exec();
    return (res?.[0]?.[1] as string[] | undefined) ?? [];
  }

  /** Node ids ever registered (live or not): a dead one stays listed until it is cleaned up. */
  knownNodes(): Promise<string[]> {
    return this.redis.smembers(this.nodesKey);
  }

  /** Forgets a dead node: the one caller that gets true handles its sessions. */
  async forget(nodeId: string): Promise<boolean> {
    const res = await this.redis.multi().srem(this.nodesKey, nodeId).zrem(this.countsKey, nodeId).exec();
    return Number(res?.[0]?.[1] ?? 0) === 1;
  }

  async sessionCounts(): Promise<Record<string, number>> {
    const flat = await this.redis.zrange(this.countsKey, 0, -1, 'WITHSCORES');
    const out: Record<string, number> = {};
    for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = Number(flat[i + 1]);
    return out;
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const key = `${this.prefix}sfu:place-lock`;
    const token = crypto.randomUUID();
    const giveUp = Date.now() + 2 * LOCK_TTL_MS;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      if ((await this.redis.set(key, token, 'PX', LOCK_TTL_MS, 'NX')) === 'OK') break;
      if (Date.now() > giveUp) throw new AppError('UNAVAILABLE', ERROR_MESSAGES.sfu.busy);
      await new Promise((r) => setTimeout(r, wait));
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(UNLOCK, 1, key, token);
    }
  }
}
