import type { JoinResult } from '@vj/shared';
import { RtcPeer, type SignalChannel } from '@vj/shared/client';

const REBUILD_AFTER_MS = 20_000;

/**
 * One session this console takes part in: the received tracks in one MediaStream, and our own camera and
 * microphone when we speak. Survives reconnects: ICE restart after a short drop, rebuilt after a long one.
 */
export class JoinedSession {
  readonly remote = new MediaStream();
  private peer: RtcPeer | undefined;
  private readonly consumed = new Set<string>();
  /** Producers announced while the media is being rebuilt: consumed once the new peer is ready. */
  private readonly waiting = new Set<string>();
  private local: MediaStream | undefined;

  constructor(
    private readonly channel: SignalChannel,
    readonly sessionId: string,
    private readonly onChange: () => void,
  ) {}

  get localStream(): MediaStream | undefined {
    return this.local;
  }

  async start(joined: JoinResult, speak: boolean): Promise<void> {
    this.peer = new RtcPeer(this.channel, this.sessionId);
    await this.peer.load();
    const pending = [...this.waiting];
    this.waiting.clear();
    for (const id of new Set([...joined.producers.map((p) => p.producerId), ...pending])) await this.consume(id);
    if (speak) await this.setSpeaking(true);
  }

  async consume(producerId: string): Promise<void> {
    // The same producer can be announced twice (in the join answer and by a push): take it once.
    if (!this.peer) return void this.waiting.add(producerId);
    if (this.consumed.has(producerId)) return;
    this.consumed.add(producerId);
    const r = await this.peer.consume(producerId).catch((err: unknown) => {
      console.warn('consume failed', producerId, err instanceof Error ? err.message : err);
      return undefined;
    });
    if (!r) return void this.consumed.delete(producerId);
    this.remote.addTrack(r.track);
    this.onChange();
  }

  drop(producerId: string): void {
    this.waiting.delete(producerId);
    this.consumed.delete(producerId);
    this.peer?.dropProducer(producerId);
    for (const t of this.remote.getTracks()) if (t.readyState === 'ended') this.remote.removeTrack(t);
    this.onChange();
  }

  /** Private mode closed our consumers on the server: clear what we showed. */
  dropAllRemote(): void {
    this.consumed.clear();
    for (const t of this.remote.getTracks()) {
      t.stop();
      this.remote.removeTrack(t);
    }
    this.onChange();
  }

  async setSpeaking(on: boolean): Promise<void> {
    if (!this.peer) return;
    if (!on) {
      this.peer.stopPublishing();
      return;
    }
    if (this.peer.publishing) return;
    this.local ??= await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: true });
    await this.peer.publish(this.local);
    this.onChange();
  }

  /** After the socket came back. */
  async resume(joined: JoinResult, awayMs: number, speak: boolean): Promise<void> {
    if (this.peer && this.peer.healthy && awayMs < REBUILD_AFTER_MS) return this.peer.restartIce();
    this.peer?.close();
    this.peer = undefined;
    this.dropAllRemote();
    // Closing the producers stopped our camera and microphone: open them again when we speak.
    if (this.local?.getTracks().some((t) => t.readyState === 'ended')) this.local = undefined;
    await this.channel.request('rtc:reset', { sessionId: this.sessionId });
    await this.start(joined, speak);
  }

  close(): void {
    this.peer?.close();
    for (const t of this.local?.getTracks() ?? []) t.stop();
  }
}
