import type { JoinAnswer, ProducerInfo, RtpCapabilities } from '@vj/shared';
import type { SignalChannel } from './channel.js';
import { RtcPeer, type PublishOptions, type RemoteTrack } from './rtc-peer.js';
import { isTransient, retryTransient } from './transient-retry.js';

/** Drops shorter than this keep the transports and restart ICE on them, when the server still holds them. */
export const ICE_RESTART_WITHIN_MS = 20_000;

export type ResumePlan = 'ice_restart' | 'rebuild';

/**
 * The one rule, for kiosk and console alike, for getting media back after the signaling socket returns.
 * ICE restart only helps transports that still exist at both ends: the server says whether it kept ours
 * (a restarted server or a lost SFU worker did not), and our own must be healthy and not long stale.
 */
export function resumePlan(server: JoinAnswer['media'], peer: { healthy: boolean } | undefined, awayMs: number): ResumePlan {
  if (server === 'fresh' || !peer?.healthy || awayMs >= ICE_RESTART_WITHIN_MS) return 'rebuild';
  return 'ice_restart';
}

export interface SessionMediaOptions {
  /** Opens the camera and microphone when we speak and have no live tracks (first time, or after a rebuild). */
  openLocal: () => Promise<MediaStream>;
  publish?: PublishOptions;
  /** Publishes from the start (the kiosk always does; a console only when it talks). */
  speak?: boolean;
  /** Something shown changed: the remote stream, its tracks, or our own preview. */
  onChange: () => void;
}

/**
 * One participant's media in one session, shared by the kiosk and the console: what the others publish in one
 * MediaStream, our camera and microphone while we speak, and the way back after a drop (ICE restart or a
 * rebuild on new transports). Producers announced while the media is being (re)built wait and are consumed
 * once the new transports are ready; a producer announced twice (join answer and push) is consumed once.
 */
export class SessionMedia {
  private peer: RtcPeer | undefined;
  private remoteStream = new MediaStream();
  private local: MediaStream | undefined;
  private readonly consumed = new Set<string>();
  private readonly waiting = new Set<string>();
  private speaking: boolean;
  private videoPaused = false;
  private closed = false;
  /** session:mediaReset came: new producers wait for the rebuild (see lost()). */
  private rebuildDue = false;

  constructor(
    private readonly channel: SignalChannel,
    readonly sessionId: string,
    private readonly opts: SessionMediaOptions,
  ) {
    this.speaking = opts.speak ?? false;
  }

  /** What the others publish. A rebuild gives a new stream, so a <video> bound to it starts afresh. */
  get remote(): MediaStream {
    return this.remoteStream;
  }

  get localStream(): MediaStream | undefined {
    return this.local;
  }

  /** Camera and microphone opened before the call (the kiosk checks them first); published by `start`. */
  useLocal(stream: MediaStream): void {
    this.local = stream;
  }

  /** Enters the session's media: transports, what others publish, and our own tracks when we speak. */
  async start(joined: { producers: ProducerInfo[]; rtpCapabilities?: RtpCapabilities | undefined }, speak: boolean): Promise<void> {
    const peer = new RtcPeer(this.channel, this.sessionId);
    peer.setVideoPaused(this.videoPaused);
    this.peer = peer;
    // Loading first: the receive transport asked for beside it waits on this same load.
    const loading = peer.load(joined.rtpCapabilities);
    if (joined.producers.length > 0 || this.waiting.size > 0) peer.prepareReceiving();
    await loading;
    const pending = [...this.waiting];
    this.waiting.clear();
    // Pictures first: the video's key frame is the slowest thing to arrive, and the sound needs no wait.
    const producers = [...joined.producers].sort((a, b) => Number(b.kind === 'video') - Number(a.kind === 'video'));
    for (const id of new Set([...producers.map((p) => p.producerId), ...pending])) await this.consume(id);
    if (speak) await this.setSpeaking(true);
  }

  async consume(producerId: string): Promise<void> {
    const peer = this.peer;
    if (!peer || this.rebuildDue) return void this.waiting.add(producerId);
    if (this.consumed.has(producerId)) return;
    this.consumed.add(producerId);
    const failed = (err: unknown) => void console.warn('consume failed', producerId, err instanceof Error ? err.message : err);
    const shown = (r: RemoteTrack | undefined) => {
      if (!r) return void (peer === this.peer && this.consumed.delete(producerId));
      // A rebuild replaced the peer meanwhile: this track belongs to the old one and is already closed.
      if (peer !== this.peer) return;
      // Dropped while a retry was under way: its consumer came after the drop.
      if (!this.consumed.has(producerId)) return void peer.dropProducer(producerId);
      this.remoteStream.addTrack(r.track);
      this.opts.onChange();
    };
    try {
      shown(await peer.consume(producerId));
    } catch (err) {
      failed(err);
      if (!isTransient(err)) return shown(undefined);
      // A passing failure (a node taken over mid-request answers UNAVAILABLE) is tried again in the background, so
      // that the rest of start() and our own camera do not wait on it. Given up at once, the picture never came
      // back and the call stayed behind its reconnecting overlay with nothing wrong any more. It stops when the
      // producer is dropped, the media rebuilt on another peer, or the session closed.
      const wanted = () => !this.closed && peer === this.peer && this.consumed.has(producerId);
      void retryTransient(() => peer.consume(producerId), wanted)
        .catch((e: unknown) => void failed(e))
        .then(shown);
    }
  }

  drop(producerId: string): void {
    this.waiting.delete(producerId);
    this.consumed.delete(producerId);
    this.peer?.dropProducer(producerId);
    for (const t of this.remoteStream.getTracks()) if (t.readyState === 'ended') this.remoteStream.removeTrack(t);
    this.opts.onChange();
  }

  /** The server closed our consumers (private mode for reception staff): clear what we showed. */
  dropAllRemote(): void {
    this.consumed.clear();
    for (const t of this.remoteStream.getTracks()) {
      t.stop();
      this.remoteStream.removeTrack(t);
    }
    this.opts.onChange();
  }

  async setSpeaking(on: boolean): Promise<void> {
    this.speaking = on;
    if (!this.peer) return;
    if (!on) return this.peer.stopPublishing();
    if (this.peer.publishing) return;
    // Closing producers stops their tracks: open the devices again when they are no longer live.
    if (!this.local || this.local.getTracks().some((t) => t.readyState === 'ended')) this.local = await this.opts.openLocal();
    await this.peer.publish(this.local, this.opts.publish);
    this.opts.onChange();
  }

  /** The server says the line cannot carry video (or can again): holds across ICE restarts and rebuilds. */
  setVideoPaused(paused: boolean): void {
    this.videoPaused = paused;
    this.peer?.setVideoPaused(paused);
  }

  /**
   * After the signaling socket came back and the session was rejoined. An ICE restart the server refuses (its
   * transports went away after all) falls back to a rebuild: the call goes on either way.
   */
  async resume(joined: JoinAnswer, awayMs: number): Promise<ResumePlan> {
    const t0 = Date.now();
    if (resumePlan(joined.media, this.peer, awayMs) === 'ice_restart') {
      try {
        await this.peer!.restartIce();
        console.info(`media resumed by ICE restart in ${Date.now() - t0} ms`);
        return 'ice_restart';
      } catch (err) {
        console.warn('ICE restart refused; rebuilding the media', err instanceof Error ? err.message : err);
      }
    }
    await this.rebuild(joined);
    console.info(`media rebuilt in ${Date.now() - t0} ms (server: ${joined.media}, away ${awayMs} ms)`);
    return 'rebuild';
  }

  /**
   * Resumes, and while the call is still `wanted` keeps rebuilding after a failure, with growing pauses: on a
   * loaded machine a request can time out or a camera be busy for a moment, and that must not end a call
   * nobody hung up. Returns false only when the call stopped being wanted first.
   */
  async resumeUntilDone(joined: JoinAnswer, awayMs: number, wanted: () => boolean, onFailure: (attempt: number) => void = () => {}): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (!wanted() || this.closed) return false;
      try {
        if (attempt === 0) await this.resume(joined, awayMs);
        else await this.rebuild(joined);
        return wanted();
      } catch (err) {
        console.warn('media resume failed', attempt, err instanceof Error ? err.message : err);
        onFailure(attempt + 1);
        await new Promise((r) => setTimeout(r, Math.min(10_000, 1000 * 2 ** attempt)));
      }
    }
  }

  /**
   * The server says this session's media was made anew (its SFU worker died, or a node was taken for dead): a
   * rebuild follows the rejoin's answer. Until then what still plays keeps playing (the old media may be alive), but
   * a producer announced meanwhile waits for the rebuild: consumed on the old transports it would fail and never be
   * consumed again.
   */
  lost(): void {
    this.rebuildDue = true;
  }

  /** New transports and tracks in the same session (after a reload too, when the SFU still has the old ones). */
  async rebuild(joined: { producers: ProducerInfo[] }, speak = this.speaking): Promise<void> {
    this.speaking = speak;
    this.rebuildDue = false;
    this.peer?.close();
    this.peer = undefined;
    this.consumed.clear();
    for (const t of this.remoteStream.getTracks()) t.stop();
    this.remoteStream = new MediaStream();
    this.opts.onChange();
    // Whatever the SFU still holds of ours (a reload, a short drop) goes, so nothing stale is left consuming.
    await this.channel.request('rtc:reset', { sessionId: this.sessionId });
    if (this.closed) return;
    await this.start(joined, this.speaking);
  }

  /** Safe to call more than once. */
  close(): void {
    this.closed = true;
    this.peer?.close();
    this.peer = undefined;
    this.waiting.clear();
    for (const t of this.local?.getTracks() ?? []) t.stop();
  }
}
