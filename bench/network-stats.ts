// What one <video> element's viewer gets, read from the RTCRtpReceivers whose tracks are in that element's
// srcObject (so on the console, the call view and never a wall tile), and what codec settings a sending page
// negotiated. Pages must be made with newInstrumentedPage (window.__vjPcs).
import type { Page } from 'puppeteer-core';

export const VIDEO_FIELDS = [
  'framesDecoded',
  'framesReceived',
  'framesDropped',
  'keyFramesDecoded',
  'freezeCount',
  'totalFreezesDuration',
  'pauseCount',
  'totalPausesDuration',
  'packetsReceived',
  'packetsLost',
  'retransmittedPacketsReceived',
  'nackCount',
  'pliCount',
  'firCount',
] as const;

export const AUDIO_FIELDS = [
  'totalSamplesReceived',
  'concealedSamples',
  'silentConcealedSamples',
  'concealmentEvents',
  'insertedSamplesForDeceleration',
  'removedSamplesForAcceleration',
  'packetsReceived',
  'packetsLost',
  'fecPacketsReceived',
  'fecPacketsDiscarded',
] as const;

export type VideoCounters = Record<(typeof VIDEO_FIELDS)[number], number>;
export type AudioCounters = Record<(typeof AUDIO_FIELDS)[number], number>;

export interface ReceiverSample {
  /** The page's performance.now() when read. */
  at: number;
  /** The element exists and shows a live video track and an audio track. */
  found: boolean;
  videoTrackId: string | null;
  video: VideoCounters;
  audio: AudioCounters;
  frameWidth: number;
  frameHeight: number;
  videoCodec: string;
  audioCodec: string;
}

/** Sums the inbound-rtp stats of the receivers of the tracks `<video data-testid=testId>` shows. */
export async function elementReceiverStats(page: Page, testId: string): Promise<ReceiverSample> {
  return page.evaluate(
    async (id, videoFields, audioFields) => {
      const zero = (fields: readonly string[]) => Object.fromEntries(fields.map((f) => [f, 0])) as Record<string, number>;
      const out = {
        at: performance.now(),
        found: false,
        videoTrackId: null as string | null,
        video: zero(videoFields),
        audio: zero(audioFields),
        frameWidth: 0,
        frameHeight: 0,
        videoCodec: '',
        audioCodec: '',
      };
      const el = document.querySelector(`[data-testid="${id}"]`) as HTMLVideoElement | null;
      const stream = el?.srcObject as MediaStream | null | undefined;
      if (!stream) return out;
      const ids = new Set(stream.getTracks().map((t) => t.id));
      out.videoTrackId = stream.getVideoTracks().find((t) => t.readyState === 'live')?.id ?? null;
      out.found = out.videoTrackId !== null && stream.getAudioTracks().length > 0;
      for (const pc of (window as unknown as { __vjPcs?: RTCPeerConnection[] }).__vjPcs ?? []) {
        if (pc.connectionState === 'closed') continue;
        for (const receiver of pc.getReceivers()) {
          if (!ids.has(receiver.track.id)) continue;
          // getStats of a connection that closes meanwhile may never settle.
          const report = await Promise.race([receiver.getStats(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]);
          if (!report) continue;
          const byId = new Map<string, Record<string, unknown>>();
          report.forEach((r: Record<string, unknown>) => byId.set(r['id'] as string, r));
          for (const r of byId.values()) {
            if (r['type'] !== 'inbound-rtp') continue;
            const video = r['kind'] === 'video';
            const into = video ? out.video : out.audio;
            for (const f of video ? videoFields : audioFields) if (typeof r[f] === 'number') into[f] = (into[f] ?? 0) + (r[f] as number);
            const codec = byId.get(r['codecId'] as string);
            const name = codec ? `${String(codec['mimeType'])}${codec['sdpFmtpLine'] ? ` ${String(codec['sdpFmtpLine'])}` : ''}` : '';
            if (video) {
              out.frameWidth = Math.max(out.frameWidth, typeof r['frameWidth'] === 'number' ? r['frameWidth'] : 0);
              out.frameHeight = Math.max(out.frameHeight, typeof r['frameHeight'] === 'number' ? r['frameHeight'] : 0);
              out.videoCodec ||= name;
            } else out.audioCodec ||= name;
          }
        }
      }
      return out;
    },
    testId,
    VIDEO_FIELDS,
    AUDIO_FIELDS,
  ) as Promise<ReceiverSample>;
}

export interface SenderCodecs {
  /** Each outbound stream: kind, codec with its negotiated fmtp, and for video the layer (rid) and resolution. */
  streams: {
    kind: string;
    codec: string;
    ssrc: number;
    rid: string | null;
    frameWidth: number;
    framesPerSecond: number;
    targetBitrate: number;
    qualityLimitationReason: string;
    /** Cumulative: key-frame requests and NACKs the stream got from its receiver (the SFU or the P2P receiver), key frames sent. */
    pliCount: number;
    firCount: number;
    nackCount: number;
    keyFramesEncoded: number;
  }[];
}

/**
 * What a sending page's live connections send: codec and fmtp per stream (shows e.g. Opus useinbandfec), and
 * per video stream (simulcast layer) its resolution, frame rate, target bitrate and what limits it (cpu, bandwidth).
 */
export async function senderCodecs(page: Page): Promise<SenderCodecs> {
  return page.evaluate(async () => {
    const streams: SenderCodecs['streams'] = [];
    for (const pc of (window as unknown as { __vjPcs?: RTCPeerConnection[] }).__vjPcs ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const report = await Promise.race([pc.getStats(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]);
      if (!report) continue;
      const byId = new Map<string, Record<string, unknown>>();
      report.forEach((r: Record<string, unknown>) => byId.set(r['id'] as string, r));
      for (const r of byId.values()) {
        if (r['type'] !== 'outbound-rtp') continue;
        const codec = byId.get(r['codecId'] as string);
        const n = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : 0);
        streams.push({
          kind: String(r['kind']),
          ssrc: n('ssrc'),
          pliCount: n('pliCount'),
          firCount: n('firCount'),
          nackCount: n('nackCount'),
          keyFramesEncoded: n('keyFramesEncoded'),
          codec: codec ? `${String(codec['mimeType'])}${codec['sdpFmtpLine'] ? ` ${String(codec['sdpFmtpLine'])}` : ''}` : '?',
          rid: typeof r['rid'] === 'string' ? r['rid'] : null,
          frameWidth: typeof r['frameWidth'] === 'number' ? r['frameWidth'] : 0,
          framesPerSecond: typeof r['framesPerSecond'] === 'number' ? r['framesPerSecond'] : 0,
          targetBitrate: typeof r['targetBitrate'] === 'number' ? r['targetBitrate'] : 0,
          qualityLimitationReason: typeof r['qualityLimitationReason'] === 'string' ? r['qualityLimitationReason'] : '',
        });
      }
    }
    return { streams };
  });
}

/**
 * Seconds of the window [from, to] (ms, page clock) the viewer saw no new picture: every gap between presented
 * frames — and from the window's start to the first frame, and from the last to its end — longer than
 * max(3 × the mean of the previous 30 intervals, that mean + 150 ms), Chromium's own definition of a freeze.
 * Unlike totalFreezesDuration it also counts a picture that stops altogether (video paused, or still stalled
 * when the window ends), which the receiver's stats count only once the next frame comes, if ever.
 */
export function frozenSeen(frames: number[], from: number, to: number): number {
  const points = [from, ...frames, to];
  const recent: number[] = [];
  let frozen = 0;
  for (let i = 1; i < points.length; i++) {
    const gap = points[i]! - points[i - 1]!;
    const mean = recent.length > 0 ? recent.reduce((x, y) => x + y, 0) / recent.length : 50;
    if (gap > Math.max(3 * mean, mean + 150)) frozen += gap;
    else {
      recent.push(gap);
      if (recent.length > 30) recent.shift();
    }
  }
  return frozen / 1000;
}

/**
 * One line per sending page: each video stream as `rid width fps target-kbit/s limit`, and, given the sample
 * from the window's start, the key frames it sent and the key-frame requests and NACKs it got meanwhile.
 */
export function sendingSummary(end: SenderCodecs, start?: SenderCodecs): string {
  return end.streams
    .filter((x) => x.kind === 'video')
    .map((x) => {
      const was = start?.streams.find((y) => y.ssrc === x.ssrc);
      const delta = was
        ? ` kf+${x.keyFramesEncoded - was.keyFramesEncoded} pli+${x.pliCount - was.pliCount + x.firCount - was.firCount} nack+${x.nackCount - was.nackCount}`
        : '';
      return `${x.rid ?? 'v'} ${x.frameWidth}px ${Math.round(x.framesPerSecond)}fps ${Math.round(x.targetBitrate / 1000)}k ${x.qualityLimitationReason || '-'}${delta}`;
    })
    .join(', ');
}
