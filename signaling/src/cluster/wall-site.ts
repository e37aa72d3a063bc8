import { errorFields, type Logger, type SfuApi } from '@vj/shared';
import { newId } from '../security/crypto.js';
import type { NodeBus } from './node-bus.js';
import type { Ownership } from './ownership.js';

/** The key under which one node of a cluster owns the wall; the wall's router gets a new id per owner. */
export const WALL_KEY = '7a11c0de-7a11-4a11-8a11-c0de7a11c0de';

export interface WallShowRequest {
  sessionId: string;
  roomCode: string;
  producerId: string;
}

export interface WallHideRequest {
  sessionId: string;
}

/**
 * Where the video wall runs. One process runs it itself, under a fixed router id. In a cluster one signaling
 * node owns it; the others send it their cameras, and a node taking it over closes the router a dead owner left.
 */
export interface WallSite {
  /** The node running the wall, taking it when nobody live does; null means this node. */
  owner(): Promise<string | null>;
  /** Puts a camera on the wall of another node. */
  showOn(owner: string, req: WallShowRequest): Promise<void>;
  /** Takes a session's cameras off the wall of another node, for as long as that node runs it. */
  hideOn(owner: string, req: WallHideRequest): Promise<void>;
  /** The wall of another node may show that session's cameras again (its matter was unsealed). */
  unhideOn(owner: string, req: WallHideRequest): Promise<void>;
  /** Opens the wall's router on this node with `create` and records it; the router's id. */
  open(create: (routerId: string) => Promise<void>): Promise<string>;
  /** After Redis lost everything: this node, running the wall with `routerId`, says so again. */
  reassert(routerId: string): Promise<void>;
  /** Of these wall viewers' sockets, those held by a node that stopped without saying so. */
  deadViewers(socketIds: string[]): Promise<string[]>;
}

export class LocalWallSite implements WallSite {
  async owner(): Promise<string | null> {
    return null;
  }
  async showOn(): Promise<void> {
    throw new Error('a single process runs the wall itself');
  }
  async hideOn(): Promise<void> {
    throw new Error('a single process runs the wall itself');
  }
  async unhideOn(): Promise<void> {
    throw new Error('a single process runs the wall itself');
  }
  async open(create: (routerId: string) => Promise<void>): Promise<string> {
    await create(WALL_KEY);
    return WALL_KEY;
  }
  async reassert(): Promise<void> {}
  async deadViewers(): Promise<string[]> {
    return [];
  }
}

export class ClusterWallSite implements WallSite {
  constructor(
    private readonly sfu: SfuApi,
    private readonly ownership: Ownership,
    private readonly bus: NodeBus,
    private readonly log: Logger,
  ) {}

  async owner(): Promise<string | null> {
    const owner = await this.ownership.ownerOf(WALL_KEY);
    if (owner === this.bus.nodeId) return null;
    if (owner) return owner;
    // Our router, if we ever made one, is still good: a router a dead owner left is closed by open().
    if (await this.ownership.takeOver(WALL_KEY)) {
      await this.ownership.claim(WALL_KEY);
      return null;
    }
    return this.ownership.ownerOf(WALL_KEY);
  }

  async showOn(owner: string, req: WallShowRequest): Promise<void> {
    await this.bus.call(owner, 'wallShow', req);
  }

  async hideOn(owner: string, req: WallHideRequest): Promise<void> {
    await this.bus.call(owner, 'wallHide', req);
  }

  async unhideOn(owner: string, req: WallHideRequest): Promise<void> {
    await this.bus.call(owner, 'wallUnhide', req);
  }

  async open(create: (routerId: string) => Promise<void>): Promise<string> {
    const stale = await this.ownership.wallRouter();
    if (stale)
      await this.sfu
        .request('closeRouter', { sessionId: stale, reason: 'router_closed' })
        .catch((err) => this.log.warn('stale wall router not closed', errorFields(err)));
    const id = newId();
    await create(id);
    await this.ownership.claim(id);
    await this.ownership.setWallRouter(id);
    // Cameras shown on the old owner's router come back on this one: every node shows its own again.
    await this.bus.broadcast({ type: 'wallResync' });
    return id;
  }

  async reassert(routerId: string): Promise<void> {
    await this.ownership.claim(WALL_KEY);
    await this.ownership.claim(routerId);
    await this.ownership.setWallRouter(routerId);
  }

  deadViewers(socketIds: string[]): Promise<string[]> {
    return this.ownership.deadSockets(socketIds);
  }
}
