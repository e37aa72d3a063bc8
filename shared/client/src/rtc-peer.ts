import { Device } from 'mediasoup-client';
import type { types as ms } from 'mediasoup-client';
import type { ClientResult, RtpCapabilities, RtpParameters, TrackSource } from '@vj/shared';
import type { SignalChannel } from './channel.js';

export interface PublishOptions {
  /** Three VP8 simulcast layers so the county wall can take the small one and an opened tile the large one. */
  simulcast?: boolean;
}

export interface RemoteTrack {
  producerId: string;
  consumerId: string;
  kind: 'audio' | 'video';
  source: TrackSource;
  track: MediaStreamTrack;
}

export type PeerState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

const SIMULCAST: ms.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 100_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 300_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 900_000 },
];

let lastDevice: { key: string; device: Promise<Device> } | undefined;

/**
 * A loaded Device for these router capabilities. Every router is made with the same codecs, so the device of the
 * last call serves the next: loading one costs two probing RTCPeerConnections (tens of ms on a kiosk PC), and that
 * was on the way to the officer's first picture of every call.
 */
function loadedDevice(routerRtpCapabilities: ms.RtpCapabilities): Promise<Device> {
  const key = JSON.stringify(routerRtpCapabilities);
  if (lastDevice?.key !== key) {
    const device = (async () => {
      const d = await Device.factory();
      await d.load({ routerRtpCapabilities });
      return d;
    })();
    lastDevice = { key, device };
    // A failed load is not kept: the next call tries again.
    device.catch(() => {
      if (lastDevice?.device === device) lastDevice = undefined;
    });
  }
  return lastDevice.device;
}

/**
 * One participant's media in one session, through mediasoup-client: a send transport for the local camera and
 * microphone, a receive transport for the others. Server-side consumers start paused; this resumes each one
 * only after its track is wired, so no early keyframe is lost.
 */
export class RtcPeer {
  private device: Device | undefined;
  private loading: Promise<void> | undefined;
  private sendTransport: ms.Transport | undefined;
  private recvTransport: ms.Transport | undefined;
  private recvTransportPending: Promise<ms.Transport> | undefined;
  private readonly producers = new Map<string, ms.Producer>();
  private readonly consumers = new Map<string, ms.Consumer>();
  private closed = false;
  private videoPaused = false;

  constructor(
    private readonly channel: SignalChannel,
    readonly sessionId: string,
    private readonly onState: (direction: 'send' | 'recv', state: PeerState) => void = () => {},
  ) {}

  /** Loads the device, with the router capabilities the server already sent when it did (the answer to a call). */
  load(given?: RtpCapabilities): Promise<void> {
    this.loading ??= (async () => {
      const rtpCapabilities = given ?? (await this.channel.request('rtc:capabilities', { sessionId: this.sessionId })).rtpCapabilities;
      this.device = await loadedDevice(rtpCapabilities as ms.RtpCapabilities);
    })();
    return this.loading;
  }

  /**
   * Asks for the receive transport now, beside the capabilities, instead of after them: one round trip less
   * before the first picture. A failure shows on the first consume, which waits on the same request.
   */
  prepareReceiving(): void {
    // Not lost: the consume that needs the transport awaits this same promise and reports its failure.
    this.recv().catch(() => undefined);
  }

  private requireDevice(): Device {
    if (!this.device) throw new Error('RtcPeer.load() must run first');
    return this.device;
  }

  /**
   * Loads with the router capabilities and receives over the transport the server already made (the wall's join
   * brings both): no request for either. Call it before the first consume.
   */
  async receiveWith(rtpCapabilities: RtpCapabilities, given: ClientResult<'rtc:createTransport'>): Promise<void> {
    this.recvTransportPending ??= this.load(rtpCapabilities).then(() => (this.recvTransport = this.buildTransport('recv', given)));
    await this.recvTransportPending;
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<ms.Transport> {
    const [given] = await Promise.all([this.channel.request('rtc:createTransport', { sessionId: this.sessionId, direction }), this.load()]);
    return this.buildTransport(direction, given);
  }

  private buildTransport(direction: 'send' | 'recv', { iceServers, ...opts }: ClientResult<'rtc:createTransport'>): ms.Transport {
    // iceServers: the county's TURN relay with credentials made for this transport, when it runs one.
    const device = this.requireDevice();
    const options = { ...(opts as unknown as ms.TransportOptions), ...(iceServers ? { iceServers } : {}) };
    const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      this.channel.request('rtc:connectTransport', { sessionId: this.sessionId, transportId: transport.id, dtlsParameters }).then(() => done(), fail);
    });
    transport.on('connectionstatechange', (state) => this.onState(direction, state));
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
        const source = appData['source'] as TrackSource;
        this.channel
          .request('rtc:produce', {
            sessionId: this.sessionId,
            transportId: transport.id,
            kind,
            // mediasoup-client types parameter values as unknown; the server schema checks them.
            rtpParameters: rtpParameters as unknown as RtpParameters,
            source,
          })
          .then(({ producerId }) => done({ id: producerId }), fail);
      });
    }
    return transport;
  }

  async publish(stream: MediaStream, options: PublishOptions = {}): Promise<string[]> {
    this.sendTransport ??= await this.createTransport('send');
    const ids: string[] = [];
    for (const track of stream.getTracks()) {
      const video = track.kind === 'video';
      const producer = await this.sendTransport.produce({
        track,
        appData: { source: video ? 'camera' : 'microphone' },
        ...(video && options.simulcast ? { encodings: SIMULCAST } : {}),
        // Paused for a line that cannot carry video: send nothing at all (not black frames), and keep the
        // camera on so the villager still sees themself and the picture comes back at once.
        ...(video ? { zeroRtpOnPause: true, disableTrackOnPause: false } : { codecOptions: { opusStereo: false, opusDtx: true, opusFec: true } }),
      });
      if (video && this.videoPaused) producer.pause();
      this.producers.set(producer.id, producer);
      ids.push(producer.id);
    }
    return ids;
  }

  private async recv(): Promise<ms.Transport> {
    this.recvTransportPending ??= this.createTransport('recv').then((t) => (this.recvTransport = t));
    return this.recvTransportPending;
  }

  async consume(producerId: string, opts: { spatialLayer?: number } = {}): Promise<RemoteTrack> {
    // The transport waits for load() too: a push announcing a producer can arrive while it is still running.
    const transport = await this.recv();
    const device = this.requireDevice();
    const res = await this.channel.request('rtc:consume', {
      sessionId: this.sessionId,
      transportId: transport.id,
      producerId,
      rtpCapabilities: device.recvRtpCapabilities as unknown as RtpCapabilities,
      ...(opts.spatialLayer !== undefined ? { spatialLayer: opts.spatialLayer } : {}),
    });
    const consumer = await transport.consume({
      id: res.consumerId,
      producerId: res.producerId,
      kind: res.kind,
      rtpParameters: res.rtpParameters as unknown as ms.RtpParameters,
    });
    this.consumers.get(producerId)?.close();
    this.consumers.set(producerId, consumer);
    try {
      await this.channel.request('rtc:resumeConsumer', { sessionId: this.sessionId, consumerId: consumer.id });
    } catch (err) {
      // Not resumed, so nothing will ever play on it: closed here, so that a retry's consumer is the only one.
      consumer.close();
      if (this.consumers.get(producerId) === consumer) this.consumers.delete(producerId);
      throw err;
    }
    return { producerId, consumerId: consumer.id, kind: res.kind, source: res.source, track: consumer.track };
  }

  /** Switches a received video between the small wall layer (0) and the full picture (2). */
  async setLayer(producerId: string, spatialLayer: number): Promise<void> {
    const consumer = this.consumers.get(producerId);
    if (consumer) await this.channel.request('rtc:setLayer', { sessionId: this.sessionId, consumerId: consumer.id, spatialLayer });
  }

  /** False once a transport has failed or closed: then the peer must be rebuilt, not merely restarted. */
  get healthy(): boolean {
    return [this.sendTransport, this.recvTransport].every((t) => !t || (t.connectionState !== 'failed' && t.connectionState !== 'closed' && !t.closed));
  }

  /** After a short network drop: new ICE credentials on both transports, keeping every track. */
  async restartIce(): Promise<void> {
    for (const t of [this.sendTransport, this.recvTransport]) {
      if (!t || t.closed) continue;
      const { iceParameters, iceServers } = await this.channel.request('rtc:restartIce', { sessionId: this.sessionId, transportId: t.id });
      if (iceServers) await t.updateIceServers({ iceServers });
      await t.restartIce({ iceParameters: iceParameters as ms.IceParameters });
    }
  }

  /** Closes locally produced tracks (switching to silent monitoring). */
  stopPublishing(): void {
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
  }

  /** Stops (or restarts) sending our camera, keeping the microphone: the call's fall back to sound only. */
  setVideoPaused(paused: boolean): void {
    this.videoPaused = paused;
    for (const p of this.producers.values()) {
      if (p.kind !== 'video') continue;
      if (paused) p.pause();
      else p.resume();
    }
  }

  get publishing(): boolean {
    return this.producers.size > 0;
  }

  dropProducer(producerId: string): void {
    this.consumers.get(producerId)?.close();
    this.consumers.delete(producerId);
  }

  /** Safe to call more than once: hang-up, a server "ended" push and a page unload may all land. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.consumers.values()) c.close();
    for (const p of this.producers.values()) p.close();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.consumers.clear();
    this.producers.clear();
  }
}
