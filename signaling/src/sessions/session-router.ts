import { AppError, errorFields, type ClientEvent } from '@vj/shared';
import type { Claims } from '../security/jwt.js';
import type { CallService, ClusterParts } from './call-service.js';
import type { Reconnect } from './reconnect.js';

/** The socket an event came from, as a node that did not receive it needs it. */
export interface EventSource {
  socketId: string;
  principal: Claims;
}

/**
 * Where work on a live session runs, seen from this node: here in a single process; in a cluster, on the node
 * that owns the session. The topology picks one kind at start-up (topology.ts); nothing else asks which.
 */
export interface SessionRouter {
  /** Runs a client event where its session lives: `runHere` on this node, or forwarded to the owner node. */
  event(event: ClientEvent, from: EventSource, payload: unknown, runHere: () => Promise<unknown>): Promise<unknown>;
  /** Runs REST work on a live session where it lives: `runHere`, or the node method `method` on its owner. */
  onOwner(sessionId: string, method: string, params: unknown, runHere: () => Promise<unknown>): Promise<unknown>;
  /** Live sessions of a principal that other nodes hold; `whose` is asked only where other nodes exist. */
  heldElsewhere(whose: () => Promise<string | undefined>, here: string[]): Promise<{ principalId: string; sessionIds: string[] } | undefined>;
  socketOpened(socketId: string): Promise<void>;
  /** A browser socket on this node closed: whoever holds its sessions starts their grace periods. */
  socketClosed(socketId: string): Promise<void>;
}

/** One process: every session is here or nowhere. */
export class LocalRouter implements SessionRouter {
  constructor(private readonly reconnect: Reconnect) {}

  event(_event: ClientEvent, _from: EventSource, _payload: unknown, runHere: () => Promise<unknown>): Promise<unknown> {
    return runHere();
  }
  onOwner(_sessionId: string, _method: string, _params: unknown, runHere: () => Promise<unknown>): Promise<unknown> {
    return runHere();
  }
  async heldElsewhere(): Promise<undefined> {
    return undefined;
  }
  async socketOpened(): Promise<void> {}
  socketClosed(socketId: string): Promise<void> {
    return this.reconnect.socketGone(socketId);
  }
}

/**
 * Any signaling node serves any socket: an event about a session runs on the node that owns the session,
 * forwarded there with the socket's id and principal (pushes reach the socket through the socket.io
 * adapter). A session whose owner died is taken over by the node that sees the event first.
 */
export class ClusterRouter implements SessionRouter {
  constructor(
    private readonly calls: CallService,
    private readonly reconnect: Reconnect,
    private readonly cluster: ClusterParts,
  ) {
    cluster.bus.onMessage((msg) => {
      if (msg.type === 'socketGone')
        void reconnect.socketGone(msg.socketId).catch((err) => calls.log.warn('disconnect cleanup failed', { socketId: msg.socketId, ...errorFields(err) }));
    });
  }

  async event(event: ClientEvent, from: EventSource, payload: unknown, runHere: () => Promise<unknown>): Promise<unknown> {
    const { calls, cluster } = this;
    const forwarded = { event, socketId: from.socketId, principal: from.principal, payload };
    if (event === 'wall:join') {
      const owner = await calls.wall.owner();
      return owner ? cluster.bus.call(owner, 'event', forwarded) : runHere();
    }
    if (event === 'session:mine') return { sessions: await calls.store.openFor(from.principal.sub) };
    const sessionId = (payload as { sessionId?: unknown }).sessionId;
    if (typeof sessionId !== 'string' || calls.wall.isWall(sessionId)) return runHere();
    if (calls.session(sessionId)) {
      // Live here, perhaps only just taken over: the takeover's seal and recusal check runs before this event does.
      await this.reconnect.settled(sessionId);
      return runHere();
    }
    const owner = await cluster.ownership.ownerOf(sessionId);
    if (owner && owner !== cluster.bus.nodeId) return this.forward(owner, forwarded, sessionId, runHere);
    // Not held here yet: no owner (its node died and nobody took it), or ours while the takeover another
    // client's event began is still loading it. restore() waits for that takeover instead of starting a second,
    // so the kiosk and the console reaching this node at once both find the session (else one got NOT_FOUND
    // and ended its call).
    await this.reconnect.restore([sessionId]);
    return runHere();
  }

  private async forward(owner: string, forwarded: unknown, sessionId: string, runHere: () => Promise<unknown>): Promise<unknown> {
    const { bus, ownership } = this.cluster;
    try {
      return await bus.call(owner, 'event', forwarded);
    } catch (err) {
      // The owner stopped listening (it just died, perhaps with this request in hand): take the session over
      // here and answer, instead of failing the client. A request the dead node never answered is safe to redo.
      if (!(err instanceof AppError) || (err.code !== 'UNAVAILABLE' && err.code !== 'NODE_TIMEOUT')) throw err;
      if (err.code === 'NODE_TIMEOUT' && (await bus.listening(owner))) throw err;
      await ownership.seize(sessionId, owner);
      await this.reconnect.restore([sessionId]);
      if (!this.calls.session(sessionId)) throw err;
      return runHere();
    }
  }

  async onOwner(sessionId: string, method: string, params: unknown, runHere: () => Promise<unknown>): Promise<unknown> {
    const { bus, ownership } = this.cluster;
    if (this.calls.session(sessionId)) {
      await this.reconnect.settled(sessionId);
      return runHere();
    }
    const owner = await ownership.ownerOf(sessionId);
    if (!owner || owner === bus.nodeId) {
      // Ours (or nobody's) but not loaded yet: a takeover in progress is waited for, not raced (see event()).
      await this.reconnect.restore([sessionId]);
      return runHere();
    }
    return bus.call(owner, method, params);
  }

  async heldElsewhere(whose: () => Promise<string | undefined>, here: string[]): Promise<{ principalId: string; sessionIds: string[] } | undefined> {
    const principalId = await whose();
    if (!principalId) return undefined;
    const sessionIds = (await this.calls.store.openFor(principalId)).map((s) => s.sessionId).filter((id) => !here.includes(id));
    return { principalId, sessionIds };
  }

  socketOpened(socketId: string): Promise<void> {
    return this.cluster.ownership.socketOpened(socketId);
  }

  /** The sessions this socket was in may run on another node: every node hears that it is gone. */
  async socketClosed(socketId: string): Promise<void> {
    await this.cluster.ownership.socketClosed(socketId);
    await this.cluster.bus.broadcast({ type: 'socketGone', socketId });
  }
}
