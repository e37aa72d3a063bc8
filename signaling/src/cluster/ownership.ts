import type { Redis } from 'ioredis';
import { errorFields, type Logger, type ProducerInfo } from '@vj/shared';

export const NODE_HEARTBEAT_MS = 2000;
const NODE_TTL_MS = 3 * NODE_HEARTBEAT_MS;

export type StoredProducer = ProducerInfo & { peerId: string };

/**
 * Which signaling node runs each live session. The local kind owns everything. The Redis kind keeps an
 * owner key per session and a heartbeat per node; when a node stops beating, one survivor (by lock) takes
 * over its sessions. Producers are kept beside the owner so whoever takes over knows what is published.
 */
export interface Ownership {
  readonly nodeId: string;
  claim(sessionId: string): Promise<void>;
  release(sessionId: string): Promise<void>;
  /** The live node running the session; null when nobody does (never claimed, or its node died). */
  ownerOf(sessionId: string): Promise<string | null>;
  /** Makes this node the owner unless a live node already is; true when it is now ours. */
  takeOver(sessionId: string): Promise<boolean>;
  /**
   * Takes the session from `deadNode`, which no longer listens on its request channel (killed), without
   * waiting for its heartbeat to lapse. Only if that node still owns it.
   */
  seize(sessionId: string, deadNode: string): Promise<boolean>;
  /** Which node holds a browser socket, so a node taking over a session knows who is still connected. */
  socketOpened(socketId: string): Promise<void>;
  socketClosed(socketId: string): Promise<void>;
  rememberSockets(sessionId: string, peers: { peerId: string; socketId: string | null }[]): Promise<void>;
  /** Peers of the session whose sockets are on a live node: they stay connected through a takeover. */
  liveSockets(sessionId: string): Promise<Map<string, string>>;
  /** Of these sockets, those held by a node that is no longer running (killed: nobody said they closed). */
  deadSockets(socketIds: string[]): Promise<string[]>;
  rememberProducer(sessionId: string, p: StoredProducer): Promise<void>;
  forgetProducer(sessionId: string, producerId: string): Promise<void>;
  producers(sessionId: string): Promise<StoredProducer[]>;
  /** The wall router's session id, so the next wall owner can close a dead owner's router. */
  wallRouter(): Promise<string | null>;
  setWallRouter(sessionId: string): Promise<void>;
  /** After Redis lost everything: this node's heartbeat and membership go back in. */
  reassert(): Promise<void>;
  /** Called with the sessions of a node that died, on the one survivor that won them. */
  onOrphans(listener: (sessionIds: string[], deadNode: string) => void): void;
  close(): Promise<void>;
}

export class LocalOwnership implements Ownership {
  readonly nodeId = 'local';
  async claim(): Promise<void> {}
  async release(): Promise<void> {}
  async ownerOf(): Promise<string | null> {
    return this.nodeId;
  }
  async takeOver(): Promise<boolean> {
    return true;
  }
  async seize(): Promise<boolean> {
    return true;
  }
  async socketOpened(): Promise<void> {}
  async socketClosed(): Promise<void> {}
  async rememberSockets(): Promise<void> {}
  async liveSockets(): Promise<Map<string, string>> {
    return new Map();
  }
  async deadSockets(): Promise<string[]> {
    return [];
  }
  async rememberProducer(): Promise<void> {}
  async forgetProducer(): Promise<void> {}
  async producers(): Promise<StoredProducer[]> {
    return [];
  }
  async wallRouter(): Promise<string | null> {
    return null;
  }
  async setWallRouter(): Promise<void> {}
  async reassert(): Promise<void> {}
  onOrphans(): void {}
  async close(): Promise<void> {}
}

// Takes a session only if its owner key is missing or names a node that is no longer beating.
const TAKE_OVER = `local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then return 1 end
if cur and redis.call('EXISTS', ARGV[3] .. cur) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
if cur then redis.call('SREM', ARGV[2] .. cur, ARGV[4]) end
redis.call('SADD', ARGV[2] .. ARGV[1], ARGV[4])
return 1`;

const SEIZE = `if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SREM', ARGV[3] .. ARGV[2], ARGV[4])
redis.call('SADD', ARGV[3] .. ARGV[1], ARGV[4])
return 1`;

export class RedisOwnership implements Ownership {
  private readonly timer: NodeJS.Timeout;
  private readonly listeners: ((ids: string[], dead: string) => void)[] = [];
  private closed = false;
  /** The beat in progress: closing waits for it, so no command goes out on a connection being shut. */
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly nodeId: string,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => (this.ticking ??= this.tick().finally(() => (this.ticking = undefined))), NODE_HEARTBEAT_MS);
    this.timer.unref();
  }

  private k(name: string): string {
    return `${this.prefix}sig:${name}`;
  }

  async start(): Promise<void> {
    await this.redis
      .multi()
      .sadd(this.k('nodes'), this.nodeId)
      .set(this.k(`node:${this.nodeId}`), String(process.pid), 'PX', NODE_TTL_MS)
      .exec();
  }

  /** Beats, and looks for nodes that stopped beating: the first survivor to lock one adopts its sessions. */
  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      await this.redis
        .multi()
        .sadd(this.k('nodes'), this.nodeId)
        .set(this.k(`node:${this.nodeId}`), String(process.pid), 'PX', NODE_TTL_MS)
        .exec();
      for (const node of await this.redis.smembers(this.k('nodes'))) {
        if (node === this.nodeId || (await this.redis.exists(this.k(`node:${node}`)))) continue;
        if ((await this.redis.set(this.k(`adopting:${node}`), this.nodeId, 'PX', 15_000, 'NX')) !== 'OK') continue;
        const ids = await this.redis.smembers(this.k(`owned:${node}`));
        const won: string[] = [];
        for (const id of ids) if (await this.takeOver(id)) won.push(id);
        await this.redis
          .multi()
          .srem(this.k('nodes'), node)
          .del(this.k(`owned:${node}`))
          .exec();
        this.log.warn('signaling node stopped beating; its sessions are taken over', { deadNode: node, sessions: won.length });
        if (won.length) for (const l of this.listeners) l(won, node);
      }
    } catch (err) {
      this.log.warn('cluster heartbeat failed', errorFields(err));
    }
  }

  async claim(sessionId: string): Promise<void> {
    await this.redis
      .multi()
      .set(this.k(`owner:${sessionId}`), this.nodeId)
      .sadd(this.k(`owned:${this.nodeId}`), sessionId)
      .exec();
  }

  async release(sessionId: string): Promise<void> {
    await this.redis
      .multi()
      .del(this.k(`owner:${sessionId}`), this.k(`producers:${sessionId}`), this.k(`sockets:${sessionId}`))
      .srem(this.k(`owned:${this.nodeId}`), sessionId)
      .exec();
  }

  async ownerOf(sessionId: string): Promise<string | null> {
    const owner = await this.redis.get(this.k(`owner:${sessionId}`));
    if (!owner) return null;
    return (await this.redis.exists(this.k(`node:${owner}`))) ? owner : null;
  }

  async takeOver(sessionId: string): Promise<boolean> {
    const r = await this.redis.eval(TAKE_OVER, 1, this.k(`owner:${sessionId}`), this.nodeId, this.k('owned:'), this.k('node:'), sessionId);
    return r === 1;
  }

  async seize(sessionId: string, deadNode: string): Promise<boolean> {
    const r = await this.redis.eval(SEIZE, 1, this.k(`owner:${sessionId}`), this.nodeId, deadNode, this.k('owned:'), sessionId);
    if (r === 1) this.log.warn('took a session from a node that stopped listening', { sessionId, deadNode });
    return r === 1;
  }

  async socketOpened(socketId: string): Promise<void> {
    await this.redis.set(this.k(`socket:${socketId}`), this.nodeId, 'PX', 24 * 3600_000);
  }

  async socketClosed(socketId: string): Promise<void> {
    await this.redis.del(this.k(`socket:${socketId}`));
  }

  async rememberSockets(sessionId: string, peers: { peerId: string; socketId: string | null }[]): Promise<void> {
    const key = this.k(`sockets:${sessionId}`);
    const m = this.redis.multi().del(key);
    const held = peers.filter((p) => p.socketId);
    if (held.length) m.hset(key, Object.fromEntries(held.map((p) => [p.peerId, p.socketId!])));
    await m.exec();
  }

  async liveSockets(sessionId: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [peerId, socketId] of Object.entries(await this.redis.hgetall(this.k(`sockets:${sessionId}`)))) {
      const node = await this.redis.get(this.k(`socket:${socketId}`));
      if (node && (await this.redis.exists(this.k(`node:${node}`)))) out.set(peerId, socketId);
    }
    return out;
  }

  async deadSockets(socketIds: string[]): Promise<string[]> {
    // Where the sockets are, a thousand to a request, then each node named asked about once: asking socket by
    // socket, the wall's sweep of 2,000 viewers was 4,000 round trips to Redis every five seconds.
    const nodes: (string | null)[] = [];
    for (let i = 0; i < socketIds.length; i += 1000) nodes.push(...(await this.redis.mget(socketIds.slice(i, i + 1000).map((id) => this.k(`socket:${id}`)))));
    const stopped = new Set<string>();
    for (const node of new Set(nodes)) if (node && !(await this.redis.exists(this.k(`node:${node}`)))) stopped.add(node);
    // A socket whose node is unknown (just connecting, or Redis lost its keys) is left alone: only a socket known
    // to be on a node that stopped beating is dead.
    return socketIds.filter((_, i) => stopped.has(nodes[i] ?? ''));
  }

  async rememberProducer(sessionId: string, p: StoredProducer): Promise<void> {
    await this.redis.hset(this.k(`producers:${sessionId}`), p.producerId, JSON.stringify(p));
  }

  async forgetProducer(sessionId: string, producerId: string): Promise<void> {
    await this.redis.hdel(this.k(`producers:${sessionId}`), producerId);
  }

  async producers(sessionId: string): Promise<StoredProducer[]> {
    return Object.values(await this.redis.hgetall(this.k(`producers:${sessionId}`))).map((v) => JSON.parse(v) as StoredProducer);
  }

  async wallRouter(): Promise<string | null> {
    return this.redis.get(this.k('wall-router'));
  }

  async setWallRouter(sessionId: string): Promise<void> {
    await this.redis.set(this.k('wall-router'), sessionId);
  }

  async reassert(): Promise<void> {
    await this.start();
  }

  onOrphans(listener: (ids: string[], dead: string) => void): void {
    this.listeners.push(listener);
  }

  /** A clean stop leaves its sessions for others to take over at once instead of after the TTL. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.ticking;
    // eslint-disable-next-line no-restricted-syntax -- Redis gone at shutdown: the node key expires by itself and the other nodes see this one as dead then
    await this.redis.del(this.k(`node:${this.nodeId}`)).catch(() => {});
  }
}
