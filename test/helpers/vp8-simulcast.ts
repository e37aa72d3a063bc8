// Hand-made VP8 simulcast packets and RTCP reading, for tests that play a browser's encoder against the real
// mediasoup worker through plain transports.

export const VP8_PT = 101;

/** One VP8 frame in one packet, with the picture id, TL0PICIDX and TID a simulcast consumer reads. */
export function vp8(ssrc: number, seq: number, keyFrame: boolean): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = 0x80 | VP8_PT; // marker: each frame is one packet
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE((seq * 1800) >>> 0, 4);
  header.writeUInt32BE(ssrc, 8);
  // X and S set; I, L and T set; a 15-bit picture id; TL0PICIDX; TID 0 with Y set. Then the VP8 frame tag (bit 0
  // clear: a key frame) and, for a key frame, its start code and a 16×16 size.
  const descriptor = [0x90, 0xe0, 0x80 | ((seq >> 8) & 0x7f), seq & 0xff, seq & 0xff, 0x20];
  const frame = keyFrame ? [0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00] : [0x11, 0x00, 0x00, 0x00];
  return Buffer.concat([header, Buffer.from([...descriptor, ...frame])]);
}

/** The media SSRC of every PLI in a compound RTCP datagram. */
export function plis(datagram: Buffer): number[] {
  const out: number[] = [];
  for (let at = 0; at + 12 <= datagram.length;) {
    const fmt = datagram[at]! & 0x1f;
    const pt = datagram[at + 1]!;
    const bytes = (datagram.readUInt16BE(at + 2) + 1) * 4;
    if (pt === 206 && fmt === 1) out.push(datagram.readUInt32BE(at + 8));
    at += bytes;
  }
  return out;
}

/** RTCP on a muxed port (sender and receiver reports, feedback): not media. */
export const isRtcp = (m: Buffer) => (m[1]! & 0x7f) >= 72 && (m[1]! & 0x7f) <= 79;

/** An RTCP sender report for `ssrc`, its RTP time matching `vp8(ssrc, seq)`: a simulcast consumer needs one per layer to switch layers. */
export function senderReport(ssrc: number, seq: number): Buffer {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(ssrc, 4);
  const ms = Date.now() + 2_208_988_800_000; // NTP counts from 1900
  b.writeUInt32BE(Math.floor(ms / 1000) >>> 0, 8);
  b.writeUInt32BE(Math.floor(((ms % 1000) / 1000) * 2 ** 32) >>> 0, 12);
  b.writeUInt32BE((seq * 1800) >>> 0, 16);
  b.writeUInt32BE(seq, 20);
  b.writeUInt32BE(seq * 20, 24);
  return b;
}
