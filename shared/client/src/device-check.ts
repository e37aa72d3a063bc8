import { Device } from 'mediasoup-client';
import type { types as ms } from 'mediasoup-client';
import type { KioskCheckReport, KioskCheckView, RtpParameters } from '@vj/shared';
import type { SignalChannel } from './channel.js';

/** How long the check publishes before it reads what was sent: a few hundred packets of each kind. */
const PUBLISH_MS = 3000;
/** A transport not connected by then counts as not connected (the SFU then reports nothing received). */
const CONNECT_WAIT_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the browser's own stats say of the devices and the path: frames, sound energy, round trip. */
function readStats(report: RTCStatsReport, tracks: MediaStreamTrack[]): Pick<KioskCheckReport, 'camera' | 'microphone' | 'rttMs'> {
  let frames = 0;
  let energy = 0;
  let rttMs: number | null = null;
  report.forEach((s: Record<string, unknown>) => {
    if (s['type'] === 'media-source' && s['kind'] === 'video') frames += Number(s['frames'] ?? 0);
    if (s['type'] === 'media-source' && s['kind'] === 'audio') energy += Number(s['totalAudioEnergy'] ?? 0);
    if (s['type'] === 'candidate-pair' && s['state'] === 'succeeded' && s['nominated'] && typeof s['currentRoundTripTime'] === 'number')
      rttMs = s['currentRoundTripTime'] * 1000;
  });
  const live = (kind: string) => tracks.some((t) => t.kind === kind && t.readyState === 'live');
  return {
    camera: live('video') && frames > 0 ? 'ok' : 'failed',
    // A microphone that opens but whose energy stays at exactly zero hears nothing: unplugged or muted.
    microphone: !live('audio') ? 'failed' : energy > 0 ? 'ok' : 'silent',
    rttMs,
  };
}

/**
 * The kiosk's check of itself: opens the camera and microphone, publishes them for a few seconds to a router of
 * the check's own (never a call's), reads what the browser saw, and lets the server judge it against what the SFU
 * received. Everything it opened is closed on every outcome.
 */
export async function runDeviceCheck(channel: SignalChannel, signal?: AbortSignal): Promise<KioskCheckView> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 360 } }, audio: true }).catch(() => undefined);
  const tracks = stream?.getTracks() ?? [];
  let transport: ms.Transport | undefined;
  // A villager pressed call: the check gives way at its next step, closing what it opened.
  const go = () => signal?.throwIfAborted();
  try {
    go();
    const { checkId, rtpCapabilities, transport: options, iceServers } = await channel.request('kiosk:checkStart', {});
    go();
    const device = await Device.factory();
    await device.load({ routerRtpCapabilities: rtpCapabilities as ms.RtpCapabilities });
    const t0 = performance.now();
    let connectMs: number | null = null;
    const t = device.createSendTransport({ ...(options as unknown as ms.TransportOptions), ...(iceServers ? { iceServers } : {}) });
    transport = t;
    const connected = new Promise<void>((resolve) => {
      t.on('connectionstatechange', (state) => {
        if (state !== 'connected') return;
        connectMs = performance.now() - t0;
        resolve();
      });
    });
    t.on('connect', ({ dtlsParameters }, done, fail) => void channel.request('kiosk:checkConnect', { checkId, dtlsParameters }).then(() => done(), fail));
    t.on('produce', ({ kind, rtpParameters }, done, fail) => {
      void channel
        .request('kiosk:checkProduce', { checkId, kind, rtpParameters: rtpParameters as unknown as RtpParameters })
        .then(({ producerId }) => done({ id: producerId }), fail);
    });
    // A device whose track ended (or that the encoder refuses) sends nothing; the verdict below says which.
    let produced = 0;
    for (const track of tracks.filter((x) => x.readyState === 'live')) {
      go();
      await t.produce({ track, stopTracks: false }).then(
        () => produced++,
        (err: unknown) => console.warn('device check could not send', track.kind, err instanceof Error ? err.message : err),
      );
    }
    go();
    if (produced) await Promise.race([connected, sleep(CONNECT_WAIT_MS)]);
    go();
    if (connectMs !== null) await sleep(PUBLISH_MS);
    go();
    const seen = readStats(await t.getStats(), tracks);
    const { check } = await channel.request('kiosk:checkFinish', { checkId, report: { ...seen, connectMs } });
    return check;
  } finally {
    transport?.close();
    for (const track of tracks) track.stop();
  }
}
