import dgram from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/poll.js';

// The worker this project builds carries two source fixes (scripts/lib/mediasoup-patches.mjs): an RTX copy of a
// lost packet is forwarded even when it arrives before the producer's NACK went out, or before any later packet
// showed the loss. Chromium sends such copies when it pads bandwidth probes; unpatched 3.12 dropped them and the
// hole was never asked for again, so every viewer's picture stopped until the next key frame (issue 19).
// These tests drive the real worker with hand-made VP8 packets through plain transports and read what it forwards.

const VP8_PT = 101;
const RTX_PT = 102;
const SSRC = 1111;
const RTX_SSRC = 1112;

/** One VP8 frame in one packet; its last payload byte names the original sequence number it was sent with. */
function vp8(seq: number, keyFrame: boolean): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = 0x80 | VP8_PT; // marker: each frame is one packet
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(seq * 3000, 4);
  header.writeUInt32BE(SSRC, 8);
  // Payload descriptor: X and S set, I set with a 15-bit picture id; then the VP8 frame tag (bit 0 clear: key frame).
  const payload = Buffer.from([0x90, 0x80, 0x80 | ((seq >> 8) & 0x7f), seq & 0xff, keyFrame ? 0x10 : 0x11, 0x00, 0x00, 0x9d, 0x01, 0x2a, seq & 0xff]);
  return Buffer.concat([header, payload]);
}

/** The RTX form of `vp8(seq)` (RFC 4588): its own SSRC, sequence and payload type, the original sequence first. */
function rtx(rtxSeq: number, seq: number): Buffer {
  const original = vp8(seq, false);
  const header = Buffer.from(original.subarray(0, 12));
  header[1] = 0x80 | RTX_PT;
  header.writeUInt16BE(rtxSeq, 2);
  header.writeUInt32BE(RTX_SSRC, 8);
  const osn = Buffer.alloc(2);
  osn.writeUInt16BE(seq);
  return Buffer.concat([header, osn, original.subarray(12)]);
}

describe('the built mediasoup worker forwards RTX copies that repair a loss', () => {
  let worker: types.Worker;
  let sender: dgram.Socket;
  let sink: dgram.Socket;
  let received: number[];
  let sendTo: (b: Buffer) => Promise<void>;

  beforeEach(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'error' });
    const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
    const inbound = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
    const producer = await inbound.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [
          { mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] },
          { mimeType: 'video/rtx', payloadType: RTX_PT, clockRate: 90000, parameters: { apt: VP8_PT } },
        ],
        encodings: [{ ssrc: SSRC, rtx: { ssrc: RTX_SSRC } }],
      },
    });
    sink = dgram.createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    received = [];
    // What the consumer forwards: the last payload byte is the original sequence number (mod 256).
    sink.on('message', (m) => {
      if ((m[1]! & 0x7f) >= 72 && (m[1]! & 0x7f) <= 79) return; // RTCP (sender reports) on the muxed port
      received.push(m[m.length - 1]!);
    });
    const outbound = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
    await outbound.connect({ ip: '127.0.0.1', port: sink.address().port });
    await outbound.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    sender = dgram.createSocket('udp4');
    await new Promise<void>((r) => sender.bind(0, '127.0.0.1', () => r()));
    sendTo = (b) => new Promise<void>((r, j) => sender.send(b, inbound.tuple.localPort, '127.0.0.1', (e) => (e ? j(e) : r())));
  });

  afterEach(() => {
    sender.close();
    sink.close();
    worker.close();
  });

  it('forwards a copy that arrives before the NACK for it went out', async () => {
    await sendTo(vp8(100, true));
    await waitFor('the key frame forwarded', () => received.includes(100), { timeoutMs: 5000, intervalMs: 10 });
    await sendTo(vp8(101, false));
    await sendTo(vp8(102, false));
    // 103 is lost; 104 shows the hole, and the copy of 103 follows at once, inside the producer's NACK delay.
    await sendTo(vp8(104, false));
    await sendTo(rtx(1, 103));
    await sendTo(vp8(105, false));
    await waitFor('the packets after the hole forwarded', () => received.includes(105), { timeoutMs: 5000, intervalMs: 10 });
    await waitFor('the RTX copy of 103 forwarded', () => received.includes(103), { timeoutMs: 5000, intervalMs: 10 });
    expect(received.filter((s) => s === 103)).toHaveLength(1);
  });

  it('forwards a copy of a packet newer than any seen, and does not forward it twice', async () => {
    await sendTo(vp8(100, true));
    await waitFor('the key frame forwarded', () => received.includes(100), { timeoutMs: 5000, intervalMs: 10 });
    await sendTo(vp8(101, false));
    // 102 is lost and its copy comes before anything after it: nothing yet shows the hole.
    await sendTo(rtx(1, 102));
    await sendTo(vp8(103, false));
    await waitFor('the packet after the hole forwarded', () => received.includes(103), { timeoutMs: 5000, intervalMs: 10 });
    await waitFor('the RTX copy of 102 forwarded', () => received.includes(102), { timeoutMs: 5000, intervalMs: 10 });
    // A second copy (a retransmission racing the probe) is a duplicate, not a repair: it is not forwarded again.
    await sendTo(rtx(2, 102));
    await sendTo(vp8(104, false));
    await waitFor('the next packet forwarded', () => received.includes(104), { timeoutMs: 5000, intervalMs: 10 });
    expect(received.filter((s) => s === 102)).toHaveLength(1);
  });
});
