/**
 * How long a closed socket is remembered: far beyond any event's way to the node that runs it (a node gives up on a
 * relayed request after its request timeout).
 */
const GONE_KEPT_MS = 120_000;

/**
 * Sockets that closed, on this node's word or another's, kept for GONE_KEPT_MS. Work that attaches a socket to a
 * session or to the wall can still be under way when the socket's close is handled here, and the close then finds
 * nothing to undo; that work reads this record once it has attached, and undoes or settles what it made. In a cluster
 * the attaching event is relayed over Redis while the close travels every node on another channel, so the close can
 * come first. Socket ids are never reused, so remembering one refuses nothing that is live. One per node.
 */
export class GoneSockets {
  /** By socket id, with when (monotonic ms); oldest first (insertion order). */
  private readonly gone = new Map<string, number>();

  mark(socketId: string): void {
    const now = performance.now();
    // Deleted first, so a socket marked twice moves to the end and the oldest stay in front.
    this.gone.delete(socketId);
    this.gone.set(socketId, now);
    for (const [id, at] of this.gone) {
      if (now - at < GONE_KEPT_MS) break;
      this.gone.delete(id);
    }
  }

  has(socketId: string): boolean {
    return this.gone.has(socketId);
  }
}
