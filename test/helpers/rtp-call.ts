import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { kioskToken } from './fixtures.js';
import { waitFor } from './poll.js';
import type { InProcessServer } from './inprocess.js';
import { audioSender, rtpSender } from './rtp.js';
import { connect, send, type TestSocket } from './sockets.js';

const MEDIA = [
  { kind: 'video' as const, codec: { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }, source: 'camera' as const },
  { kind: 'audio' as const, codec: { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }, source: 'microphone' as const },
];

/**
 * A kiosk call in `room` whose camera and microphone are ffmpeg RTP senders on plain transports: media without a
 * browser, for recording tests and load. The caller kills the senders and closes the socket.
 */
export async function rtpCall(
  s: InProcessServer,
  room: string,
  clip: string,
): Promise<{ sessionId: string; videoProducer: string; kiosk: TestSocket; senders: ChildProcess[] }> {
  const kiosk = await connect(s.url, await kioskToken(s.url, s.server.demo!.kiosks[room]!));
  const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
  if (!started.ok) throw new Error(`call in ${room} did not start`);
  const { sessionId, peerId } = started.data;
  const { sfu, calls } = s.server.ctx;
  const peer = calls.session(sessionId)!.peers.get(peerId)!;
  const senders: ChildProcess[] = [];
  let videoProducer = '';
  for (const m of MEDIA) {
    const plain = await sfu.request('createPlainTransport', { sessionId, peerId, direction: 'send' });
    const ssrc = Math.floor(Math.random() * 1e6) + 1000;
    const { producerId } = await sfu.request('produce', {
      sessionId,
      peerId,
      transportId: plain.id,
      kind: m.kind,
      rtpParameters: { codecs: [m.codec], encodings: [{ ssrc }] },
      source: m.source,
    });
    if (m.kind === 'video') videoProducer = producerId;
    senders.push(m.kind === 'video' ? rtpSender(clip, plain.port, ssrc, m.codec.payloadType) : audioSender(plain.port, ssrc, m.codec.payloadType));
    await calls.recordProducer(sessionId, peer, producerId, m.kind, m.source);
  }
  return { sessionId, videoProducer, kiosk, senders };
}

/**
 * A kiosk camera on a plain RTP transport that nothing sends to: the session records it as the kiosk's rtc:produce
 * does, so the call and the video wall hold a producer, without a browser or an ffmpeg sender. Answers its id.
 */
export async function publishSilentCamera(s: InProcessServer, sessionId: string, peerId: string): Promise<string> {
  const { sfu, calls } = s.server.ctx;
  const plain = await sfu.request('createPlainTransport', { sessionId, peerId, direction: 'send' });
  const { producerId } = await sfu.request('produce', {
    sessionId,
    peerId,
    transportId: plain.id,
    kind: 'video',
    rtpParameters: {
      mid: '0',
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
      encodings: [{ ssrc: Math.floor(Math.random() * 1e6) + 1000 }],
      rtcp: { cname: 'kiosk' },
    },
    source: 'camera',
  });
  await calls.recordProducer(sessionId, calls.session(sessionId)!.peers.get(peerId)!, producerId, 'video', 'camera');
  return producerId;
}

/**
 * A finished recording: an RTP call in `room` that runs until each track has two stored segments, ended by the
 * kiosk, and waited on until the recorder has closed it. The senders are already killed; the caller closes the
 * returned kiosk socket.
 */
export async function recordedCall(
  s: InProcessServer,
  room: string,
  clip: string,
): Promise<{ recordingId: string; kiosk: TestSocket; senders: ChildProcess[] }> {
  const call = await rtpCall(s, room, clip);
  try {
    const segments = async () =>
      (
        await s.server.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM recording_segments s JOIN recordings r ON r.id = s.recording_id WHERE r.session_id = $1',
          [call.sessionId],
        )
      ).rows[0]!.n;
    await waitFor('two segments per track', async () => (await segments()) >= 4, { timeoutMs: 30_000 });
    const ended = await send(call.kiosk, 'session:end', { sessionId: call.sessionId });
    if (!ended.ok) throw new Error('the kiosk could not end the recorded call');
    const recordingId = await waitFor(
      'recording finalized',
      async () =>
        (await s.server.db.query<{ id: string }>(`SELECT id FROM recordings WHERE session_id = $1 AND status = 'complete'`, [call.sessionId])).rows[0]?.id,
      { timeoutMs: 30_000 },
    );
    return { recordingId, kiosk: call.kiosk, senders: call.senders };
  } finally {
    for (const p of call.senders) p.kill('SIGKILL');
  }
}
