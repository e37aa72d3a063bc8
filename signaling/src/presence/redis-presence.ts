import type { Redis } from 'ioredis';
import type { KioskCheckView } from '@vj/shared';
import type { Presence, RoomPresence, SessionPresence } from './presence.js';

// A kiosk entry expires unless the node holding its socket refreshes it, so a crashed node's kiosks go
// offline by themselves instead of staying "online" forever.
const KIOSK_TTL_MS = 15_000;

// Compare-and-delete: only the socket that still owns the entry may mark the kiosk offline.
const RELEASE = `if redis.call('HGET', KEYS[1], 'socket') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'socket', '', 'since', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1 end return 0`;

export class RedisPresence implements Presence {
  readonly kind = 'redis';
  private readonly owned = new Map<string, { socketId: string; deviceId: string }>();
  private readonly timer: NodeJS.Timeout;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'vj:',
  ) {
    this.timer = setInterval(() => (this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined))), KIOSK_TTL_MS / 3);
    this.timer.unref();
  }

  private kioskKey(room: string): string {
    return `${this.prefix}kiosk:${room}`;
  }

  private sessionKey(room: string): string {
    return `${this.prefix}session:${room}`;
  }

  /** Renews this node's kiosks; one that vanished (Redis restarted empty) is written again. */
  private async refresh(): Promise<void> {
    const rooms = [...this.owned];
    const pipe = this.redis.pipeline();
    for (const [room] of rooms) pipe.pexpire(this.kioskKey(room), KIOSK_TTL_MS);
    // eslint-disable-next-line no-restricted-syntax -- Redis down: nothing to renew now; the keys are written again on the next tick, or by the Redis watch
    const res = await pipe.exec().catch(() => null);
    if (!res) return;
    // eslint-disable-next-line no-restricted-syntax -- as above: retried on the next tick
    for (const [i, [room, k]] of rooms.entries()) if (res[i]?.[1] === 0) await this.write(room, k.socketId, k.deviceId).catch(() => {});
  }

  async kioskConnected(room: string, socketId: string, deviceId: string): Promise<void> {
    this.owned.set(room, { socketId, deviceId });
    await this.write(room, socketId, deviceId);
  }

  private async write(room: string, socketId: string, deviceId: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.kioskKey(room), 'socket', socketId, 'device', deviceId, 'since', new Date().toISOString())
      .pexpire(this.kioskKey(room), KIOSK_TTL_MS)
      .exec();
  }

  async kiosk(room: string): Promise<{ socketId: string; deviceId: string } | null> {
    const [socketId, deviceId] = await this.redis.hmget(this.kioskKey(room), 'socket', 'device');
    return socketId && deviceId ? { socketId, deviceId } : null;
  }

  async kioskDisconnected(room: string, socketId: string): Promise<boolean> {
    if (this.owned.get(room)?.socketId === socketId) this.owned.delete(room);
    const r = await this.redis.eval(RELEASE, 1, this.kioskKey(room), socketId, new Date().toISOString(), String(24 * 3600 * 1000));
    return r === 1;
  }

  async setSession(room: string, session: SessionPresence | null): Promise<void> {
    if (session) await this.redis.set(this.sessionKey(room), JSON.stringify(session));
    else await this.redis.del(this.sessionKey(room));
  }

  private checkKey(room: string): string {
    return `${this.prefix}check:${room}`;
  }

  async setCheck(room: string, check: KioskCheckView): Promise<void> {
    await this.redis.set(this.checkKey(room), JSON.stringify(check));
  }

  async get(rooms: string[]): Promise<RoomPresence[]> {
    if (rooms.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const r of rooms) pipe.hgetall(this.kioskKey(r)).get(this.sessionKey(r)).get(this.checkKey(r));
    const res = (await pipe.exec()) ?? [];
    return rooms.map((code, i) => {
      const kiosk = (res[3 * i]?.[1] ?? {}) as Record<string, string>;
      const session = res[3 * i + 1]?.[1] as string | null;
      const check = res[3 * i + 2]?.[1] as string | null;
      return {
        code,
        kioskOnline: Boolean(kiosk['socket']),
        kioskSince: kiosk['since'] ?? null,
        session: session ? (JSON.parse(session) as SessionPresence) : null,
        check: check ? (JSON.parse(check) as KioskCheckView) : null,
      };
    });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing;
  }
}
