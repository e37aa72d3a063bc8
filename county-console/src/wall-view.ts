import type { WallTile } from '@vj/shared';
import { retryTransient, RtcPeer, type SignalChannel } from '@vj/client';

/** The wall: every room's kiosk camera at the small layer over one transport; an opened room gets the large one. */
export class WallView {
  private peer: RtcPeer | undefined;
  readonly streams = new Map<string, MediaStream>();
  private readonly byProducer = new Map<string, string>();
  private opened: string | undefined;
  /** Tiles announced and not removed, shown or still being consumed. */
  private readonly announced = new Set<string>();

  constructor(
    private readonly channel: SignalChannel,
    private readonly onChange: () => void,
  ) {}

  async join(): Promise<void> {
    this.close();
    // The wall's capabilities and this console's receive transport come with the join: no further request.
    const { sessionId, tiles, rtpCapabilities, transport } = await this.channel.request('wall:join', {});
    this.peer = new RtcPeer(this.channel, sessionId);
    await this.peer.receiveWith(rtpCapabilities, transport);
    for (const t of tiles) await this.add(t);
  }

  async add(tile: WallTile): Promise<void> {
    const peer = this.peer;
    if (!peer) return;
    this.announced.add(tile.producerId);
    // A passing failure (a node taken over mid-request) is tried again, or the tile would stay black until the wall
    // was joined again; not once the tile is removed or the wall joined anew.
    const wanted = () => this.peer === peer && this.announced.has(tile.producerId);
    const r = await retryTransient(() => peer.consume(tile.producerId, { spatialLayer: tile.roomCode === this.opened ? 2 : 0 }), wanted).catch(
      (err: unknown) => {
        console.warn('wall tile not shown', tile.roomCode, err instanceof Error ? err.message : err);
        return undefined;
      },
    );
    if (!r) return;
    // Removed while it was being consumed: its consumer came after remove() dropped the tile.
    if (!wanted()) return void (this.peer === peer && peer.dropProducer(tile.producerId));
    this.byProducer.set(tile.producerId, tile.roomCode);
    this.streams.set(tile.roomCode, new MediaStream([r.track]));
    this.onChange();
  }

  remove(producerId: string): void {
    const room = this.byProducer.get(producerId);
    this.announced.delete(producerId);
    this.byProducer.delete(producerId);
    this.peer?.dropProducer(producerId);
    if (room) this.streams.delete(room);
    this.onChange();
  }

  /** Opening a room raises its tile to the full picture; the previously opened one goes back to small. */
  async open(room: string | undefined): Promise<void> {
    const before = this.opened;
    this.opened = room;
    for (const [producerId, r] of this.byProducer) {
      if (r === room) await this.peer?.setLayer(producerId, 2);
      else if (r === before) await this.peer?.setLayer(producerId, 0);
    }
  }

  close(): void {
    this.peer?.close();
    this.peer = undefined;
    this.streams.clear();
    this.byProducer.clear();
    this.announced.clear();
  }
}
