import { AppError, errorFields, type Logger, type RtpCapabilities, type SfuApi, type TransportOptions, type WallTile, ERROR_MESSAGES } from '@vj/shared';
import type { WallSite } from '../cluster/wall-site.js';
import { newId } from '../security/crypto.js';
import type { MediaScope, Notifier } from './call-service.js';
import type { GoneSockets } from './gone-sockets.js';
import type { Peer } from './live.js';

/** What a console joining the wall is given. */
export interface WallJoin {
  sessionId: string;
  tiles: WallTile[];
  rtpCapabilities: RtpCapabilities;
  transport: TransportOptions;
}

/**
 * The 19-room wall. Each kiosk video producer is piped (same id) into one wall router, so a console watches
 * every room over a single receive transport, at the small simulcast layer; opening a tile raises that one.
 * In a cluster one signaling node owns the wall; the others send it their cameras and forward its viewers.
 */
export class WallService {
  private readonly tiles = new Map<string, WallTile>();
  private readonly viewers = new Map<string, Peer>();
  /**
   * Sessions taken off the wall (their matter was sealed): show() refuses them while they live. Kept on the wall's
   * owner, which refuses what other nodes send it, and on the node that owns the session, whose cameras a new
   * wall owner asks for again (wallResync).
   */
  private readonly hidden = new Set<string>();
  /** The last join under way, by socket: the next one on that socket waits for it. */
  private readonly joins = new Map<string, Promise<unknown>>();
  /** Cameras being piped into the wall now, by producer id. */
  private readonly piping = new Map<string, Promise<void>>();
  private router: Promise<{ id: string; rtpCapabilities: RtpCapabilities }> | undefined;
  private routerId: string | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly sfu: SfuApi,
    private readonly notify: Pick<Notifier, 'toCounty'>,
    private readonly log: Logger,
    private readonly site: WallSite,
    /**
     * Sockets that closed. A join under way when its socket leaves (any of them, queued or at the SFU) reads it and
     * keeps nothing; in a cluster the relayed join can even arrive after the leave, and would keep a viewer and a
     * transport for a socket nobody holds (the sweep cannot find it: its node is alive).
     */
    private readonly gone: GoneSockets,
  ) {
    sfu.on('producerClosed', ({ sessionId, producerId }) => {
      if (sessionId === this.routerId && this.tiles.delete(producerId)) this.notify.toCounty('wall:tileClosed', { producerId });
    });
    sfu.on('routerClosed', ({ sessionId }) => {
      if (sessionId !== this.routerId) return;
      this.router = undefined;
      this.routerId = undefined;
      for (const producerId of this.tiles.keys()) this.notify.toCounty('wall:tileClosed', { producerId });
      this.tiles.clear();
      this.viewers.clear();
    });
  }

  /**
   * In a cluster, viewers whose signaling node was killed never say they left (their node cannot tell anyone):
   * the node running the wall looks for them every `intervalMs` and closes their transports. A single process
   * has no other node, and its sweep never finds one.
   */
  startSweep(intervalMs = 5000): void {
    this.sweeper = setInterval(() => void this.sweep().catch((err) => this.log.warn('wall viewer sweep failed', errorFields(err))), intervalMs);
    this.sweeper.unref();
  }

  async sweep(): Promise<number> {
    if (!this.routerId || this.viewers.size === 0) return 0;
    const dead = await this.site.deadViewers([...this.viewers.keys()]);
    for (const socketId of dead) await this.leave(socketId);
    if (dead.length) this.log.info('wall viewers of a stopped node removed', { count: dead.length });
    return dead.length;
  }

  /** Safe to call more than once. */
  close(): void {
    clearInterval(this.sweeper);
  }

  isWall(sessionId: string): boolean {
    return sessionId === this.routerId;
  }

  /** The wall's router, created by whichever node owns the wall (wall-site.ts: the stale one a dead owner left is closed). */
  private ensure(): Promise<{ id: string; rtpCapabilities: RtpCapabilities }> {
    this.router ??= (async () => {
      let rtpCapabilities: RtpCapabilities | undefined;
      const id = await this.site.open(async (routerId) => {
        ({ rtpCapabilities } = await this.sfu.request('createRouter', { sessionId: routerId, dedicatedWorker: true }));
      });
      if (!rtpCapabilities) throw new Error('the wall router was opened without its capabilities');
      this.routerId = id;
      return { id, rtpCapabilities };
    })().catch((err: unknown) => {
      this.router = undefined;
      throw err;
    });
    return this.router;
  }

  /** After Redis lost everything: if this node runs the wall, it says so again. */
  async reassert(): Promise<void> {
    if (this.routerId) await this.site.reassert(this.routerId);
  }

  /** The node that owns the wall, taking it when nobody live does; null means this node. */
  owner(): Promise<string | null> {
    return this.site.owner();
  }

  async show(sessionId: string, roomCode: string, producerId: string): Promise<void> {
    try {
      if (this.hidden.has(sessionId)) return;
      const owner = await this.owner();
      if (owner) return void (await this.site.showOn(owner, { sessionId, roomCode, producerId }));
      const { id: wall } = await this.ensure();
      // Once per camera: the show that opens a new wall is asked for again by that wall's resync, and a second pipe
      // of the same producer fails across SFU nodes, taking the first one down with it as it cleans up.
      if (this.tiles.has(producerId)) return;
      let piping = this.piping.get(producerId);
      if (!piping) {
        piping = this.sfu
          .request('pipeProducer', { fromSessionId: sessionId, toSessionId: wall, producerId })
          .then(() => undefined)
          .finally(() => this.piping.delete(producerId));
        this.piping.set(producerId, piping);
      }
      await piping;
      // Hidden while the pipe was being made: the copy comes straight off again, and no viewer hears of it.
      if (this.hidden.has(sessionId)) {
        await this.sfu.request('closeProducer', { sessionId: wall, producerId, reason: 'withdrawn' });
        return;
      }
      if (this.tiles.has(producerId)) return;
      const tile = { roomCode, sessionId, producerId };
      this.tiles.set(producerId, tile);
      this.notify.toCounty('wall:tile', tile);
    } catch (err) {
      // The call itself is unaffected; only its wall tile stays dark.
      this.log.warn('could not put a room on the wall', { sessionId, ...errorFields(err) });
    }
  }

  /**
   * Takes a live call off the wall for every viewer, for as long as the session lives (its matter was sealed): its
   * tiles close and the copies piped into the wall's router go, while the call itself goes on. Idempotent. On a
   * node that does not run the wall it is remembered here and sent on to the owner. Throws when the wall's owner
   * or the SFU could not be reached (the caller logs it): the session stays refused here all the same.
   */
  async hide(sessionId: string): Promise<void> {
    this.hidden.add(sessionId);
    const owner = await this.owner();
    if (owner) return void (await this.site.hideOn(owner, { sessionId }));
    const wall = this.routerId;
    if (!wall) return;
    for (const tile of [...this.tiles.values()]) {
      if (tile.sessionId !== sessionId) continue;
      // Off the screens and out of reach of new viewers first, then out of the SFU.
      if (this.tiles.delete(tile.producerId)) this.notify.toCounty('wall:tileClosed', { producerId: tile.producerId });
      await this.sfu.request('closeProducer', { sessionId: wall, producerId: tile.producerId, reason: 'withdrawn' });
    }
    this.log.info('a call was taken off the wall', { sessionId });
  }

  /**
   * The session's matter was unsealed (by the principal leader, as sealed by mistake): the wall may show its cameras
   * again, here and on the wall's owner. It does not show them itself: the node that owns the session shows them
   * (show()), as it does when a kiosk publishes. Throws when the wall's owner could not be reached (the caller logs it).
   */
  async unhide(sessionId: string): Promise<void> {
    this.hidden.delete(sessionId);
    const owner = await this.owner();
    if (owner) await this.site.unhideOn(owner, { sessionId });
  }

  /** The session ended: nothing of it is left to refuse. */
  forget(sessionId: string): void {
    this.hidden.delete(sessionId);
  }

  /**
   * A console joins the wall: with the router's capabilities and its receive transport already made, so it can ask
   * for tiles at once (one request instead of three, each relayed to this node in a cluster). Joining again on the
   * same socket (the console rebuilt its wall) starts a new viewer: the old one's transport and consumers go first.
   * One socket's joins run one after another, and a socket that leaves while its join is under way keeps nothing:
   * each join now makes a transport, and one made for a viewer nobody holds would stay on the SFU.
   */
  join(socketId: string, who: { userId: string; name: string; role: Peer['role'] }): Promise<WallJoin> {
    const before = this.joins.get(socketId);
    const run = (async () => {
      // eslint-disable-next-line no-restricted-syntax -- the earlier join's failure was answered to its own request
      await before?.catch(() => undefined);
      return this.joinNow(socketId, who);
    })();
    this.joins.set(socketId, run);
    const forget = () => {
      if (this.joins.get(socketId) === run) this.joins.delete(socketId);
    };
    run.then(forget, forget);
    return run;
  }

  private async joinNow(socketId: string, who: { userId: string; name: string; role: Peer['role'] }): Promise<WallJoin> {
    // Its socket closed before the join got here (see `gone`): nothing is made for it.
    if (this.gone.has(socketId)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
    const { id: sessionId, rtpCapabilities } = await this.ensure();
    const previous = this.viewers.get(socketId);
    if (previous) await this.closeViewer(socketId, previous);
    const peer: Peer = { peerId: newId(), role: who.role, name: who.name, principalId: who.userId, socketId, mode: 'monitor' };
    this.viewers.set(socketId, peer);
    const transport = await this.sfu.request('createWebRtcTransport', { sessionId, peerId: peer.peerId, direction: 'recv' });
    if (this.gone.has(socketId)) {
      // Gone while the transport was being made: a close that reached the SFU before the transport did closed
      // nothing, so it is closed again now that it exists.
      await this.closeViewer(socketId, peer);
      throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
    }
    return { sessionId, tiles: [...this.tiles.values()], rtpCapabilities, transport };
  }

  scope(socketId: string): MediaScope {
    const peer = this.viewers.get(socketId);
    if (!peer || !this.routerId) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
    return {
      sessionId: this.routerId,
      peer,
      assertCanProduce: () => {
        throw new AppError('FORBIDDEN', ERROR_MESSAGES.sessions.wallWatchOnly);
      },
      assertCanConsume: (producerId) => {
        if (!this.tiles.has(producerId)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.streamGone);
      },
    };
  }

  /**
   * The socket left (Reconnect.socketGone, which has marked it gone: a join it has under way keeps nothing), or the
   * sweep found its node stopped. The sweep marks nothing: a node that only stalled past its heartbeat still holds
   * its sockets, and the record of closed sockets is the live sessions' too (a mark would end their calls).
   */
  async leave(socketId: string): Promise<void> {
    const peer = this.viewers.get(socketId);
    if (peer) await this.closeViewer(socketId, peer);
  }

  private async closeViewer(socketId: string, peer: Peer): Promise<void> {
    if (this.viewers.get(socketId) === peer) this.viewers.delete(socketId);
    if (!this.routerId) return;
    await this.sfu
      .request('closePeer', { sessionId: this.routerId, peerId: peer.peerId, reason: 'peer_left' })
      .catch((err) => this.log.warn('wall viewer not closed on the SFU', { peerId: peer.peerId, ...errorFields(err) }));
  }
}
