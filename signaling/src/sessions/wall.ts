import { AppError, errorFields, type Logger, type SfuApi, type WallTile } from '@vj/shared';
import { newId } from '../security/crypto.js';
import type { MediaScope, Notifier } from './call-service.js';
import type { Peer } from './live.js';

/** The county video wall's own router: every room's kiosk camera is piped into it, and consoles consume from it. */
export const WALL_SESSION_ID = '7a11c0de-7a11-4a11-8a11-c0de7a11c0de';

/**
 * The 19-room wall. Each kiosk video producer is piped (same id) into one wall router, so a console watches
 * every room over a single receive transport, at the small simulcast layer; opening a tile raises that one.
 */
export class WallService {
  private readonly tiles = new Map<string, WallTile>();
  private readonly viewers = new Map<string, Peer>();
  private router: Promise<unknown> | undefined;

  constructor(
    private readonly sfu: SfuApi,
    private readonly notify: Pick<Notifier, 'toCounty'>,
    private readonly log: Logger,
  ) {
    sfu.on('producerClosed', ({ sessionId, producerId }) => {
      if (sessionId === WALL_SESSION_ID && this.tiles.delete(producerId)) this.notify.toCounty('wall:tileClosed', { producerId });
    });
    sfu.on('routerClosed', ({ sessionId }) => {
      if (sessionId !== WALL_SESSION_ID) return;
      this.router = undefined;
      for (const producerId of this.tiles.keys()) this.notify.toCounty('wall:tileClosed', { producerId });
      this.tiles.clear();
      this.viewers.clear();
    });
  }

  isWall(sessionId: string): boolean {
    return sessionId === WALL_SESSION_ID;
  }

  private ensure(): Promise<unknown> {
    this.router ??= this.sfu.request('createRouter', { sessionId: WALL_SESSION_ID, dedicatedWorker: true });
    return this.router;
  }

  async show(sessionId: string, roomCode: string, producerId: string): Promise<void> {
    try {
      await this.ensure();
      await this.sfu.request('pipeProducer', { fromSessionId: sessionId, toSessionId: WALL_SESSION_ID, producerId });
      const tile = { roomCode, sessionId, producerId };
      this.tiles.set(producerId, tile);
      this.notify.toCounty('wall:tile', tile);
    } catch (err) {
      // The call itself is unaffected; only its wall tile stays dark.
      this.log.warn('could not put a room on the wall', { sessionId, ...errorFields(err) });
    }
  }

  async join(socketId: string, who: { userId: string; name: string; role: Peer['role'] }): Promise<{ sessionId: string; tiles: WallTile[] }> {
    await this.ensure();
    if (!this.viewers.has(socketId)) {
      this.viewers.set(socketId, { peerId: newId(), role: who.role, name: who.name, principalId: who.userId, socketId, mode: 'monitor' });
    }
    return { sessionId: WALL_SESSION_ID, tiles: [...this.tiles.values()] };
  }

  scope(socketId: string): MediaScope {
    const peer = this.viewers.get(socketId);
    if (!peer) throw new AppError('NOT_FOUND', 'no such session');
    return {
      sessionId: WALL_SESSION_ID,
      peer,
      assertCanProduce: () => {
        throw new AppError('FORBIDDEN', 'the wall is for watching');
      },
      assertCanConsume: (producerId) => {
        if (!this.tiles.has(producerId)) throw new AppError('NOT_FOUND', 'no such producer');
      },
    };
  }

  async leave(socketId: string): Promise<void> {
    const peer = this.viewers.get(socketId);
    if (!peer) return;
    this.viewers.delete(socketId);
    await this.sfu.request('closePeer', { sessionId: WALL_SESSION_ID, peerId: peer.peerId, reason: 'peer_left' }).catch(() => {});
  }
}
