import type { WallTile } from '@vj/shared';
import { RtcPeer, type SignalChannel } from '@vj/client';

/** The wall: every room's kiosk camera at the small layer over one transport; an opened room gets the large one. */
export class WallView {
  private peer: RtcPeer | undefined;
  readonly streams = new Map<string, MediaStream>();
  private readonly byProducer = new Map<string, string>();
  private opened: string | undefined;

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
    const r = await this.peer?.consume(tile.producerId, { spatialLayer: tile.roomCode === this.opened ? 2 : 0 }).catch(() => undefined);
    if (!r) return;
    this.byProducer.set(tile.producerId, tile.roomCode);
    this.streams.set(tile.roomCode, new MediaStream([r.track]));
    this.onChange();
  }

  remove(producerId: string): void {
    const room = this.byProducer.get(producerId);
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
  }
}
