import { createHash, createHmac, randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Page } from 'puppeteer-core';

/** What a TURN server answered to an Allocate: 200 with the relayed address, or its error code. */
export interface AllocateAnswer {
  status: number;
  reason?: string;
  relayed?: string;
}

const MAGIC = 0x2112a442;
const ALLOCATE = 0x0003;
const SUCCESS = 0x0100;
const ERROR = 0x0110;
const ATTR = {
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_TRANSPORT: 0x0019,
};

/**
 * A minimal TURN client (RFC 5766 over TCP, long-term credentials): one Allocate for a UDP relay, challenged
 * first (401 with realm and nonce), then sent again signed with `username`/`password`. Enough to ask coturn
 * itself whether it takes a credential, without a browser.
 */
export async function allocate(port: number, username: string, password: string): Promise<AllocateAnswer> {
  const sock = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  try {
    const read = reader(sock);
    const transport = attr(ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0]));
    sock.write(message(ALLOCATE, [transport]));
    const challenge = parse(await read());
    if (challenge.status !== 401 || !challenge.attrs.has(ATTR.NONCE) || !challenge.attrs.has(ATTR.REALM)) return answer(challenge);
    const realm = challenge.attrs.get(ATTR.REALM)!;
    const key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
    const attrs = [transport, attr(ATTR.USERNAME, Buffer.from(username)), attr(ATTR.REALM, realm), attr(ATTR.NONCE, challenge.attrs.get(ATTR.NONCE)!)];
    sock.write(signed(message(ALLOCATE, attrs), key));
    return answer(parse(await read()));
  } finally {
    sock.destroy();
  }
}

function attr(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function message(type: number, attrs: Buffer[]): Buffer {
  const body = Buffer.concat(attrs);
  const head = Buffer.alloc(20);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(body.length, 2);
  head.writeUInt32BE(MAGIC, 4);
  randomBytes(12).copy(head, 8);
  return Buffer.concat([head, body]);
}

/** Appends MESSAGE-INTEGRITY: HMAC-SHA1 over the message with its length already counting the attribute. */
function signed(msg: Buffer, key: Buffer): Buffer {
  const out = Buffer.from(msg);
  out.writeUInt16BE(msg.length - 20 + 24, 2);
  const mac = createHmac('sha1', key).update(out).digest();
  return Buffer.concat([out, attr(ATTR.MESSAGE_INTEGRITY, mac)]);
}

function reader(sock: net.Socket): () => Promise<Buffer> {
  let buf = Buffer.alloc(0);
  const waiting: (() => void)[] = [];
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    waiting.splice(0).forEach((w) => w());
  });
  sock.on('close', () => waiting.splice(0).forEach((w) => w()));
  return async () => {
    const deadline = Date.now() + 5000;
    while (buf.length < 20 || buf.length < 20 + buf.readUInt16BE(2)) {
      if (sock.destroyed || Date.now() > deadline) throw new Error('no complete TURN answer');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        waiting.push(() => (clearTimeout(t), resolve()));
      });
    }
    const n = 20 + buf.readUInt16BE(2);
    const msg = buf.subarray(0, n);
    buf = buf.subarray(n);
    return msg;
  };
}

function parse(msg: Buffer): { status: number; attrs: Map<number, Buffer> } {
  const type = msg.readUInt16BE(0);
  const attrs = new Map<number, Buffer>();
  for (let i = 20; i + 4 <= msg.length;) {
    const t = msg.readUInt16BE(i);
    const len = msg.readUInt16BE(i + 2);
    if (!attrs.has(t)) attrs.set(t, msg.subarray(i + 4, i + 4 + len));
    i += 4 + len + ((4 - (len % 4)) % 4);
  }
  const cls = type & 0x0110;
  if (cls === SUCCESS) return { status: 200, attrs };
  const err = attrs.get(ATTR.ERROR_CODE);
  return { status: cls === ERROR && err ? (err[2]! & 0x7) * 100 + err[3]! : 0, attrs };
}

function answer(r: { status: number; attrs: Map<number, Buffer> }): AllocateAnswer {
  const err = r.attrs.get(ATTR.ERROR_CODE);
  const relay = r.attrs.get(ATTR.XOR_RELAYED_ADDRESS);
  return {
    status: r.status,
    ...(err ? { reason: err.subarray(4).toString() } : {}),
    ...(relay && relay[1] === 1
      ? { relayed: `${[0, 1, 2, 3].map((i) => relay[4 + i]! ^ [0x21, 0x12, 0xa4, 0x42][i]!).join('.')}:${relay.readUInt16BE(2) ^ 0x2112}` }
      : {}),
  };
}

/**
 * What Chromium gathers, relay candidates only, from one TURN server with the given credential: the candidate
 * types, the ICE error codes (401: refused credential; 701: no connection to the relay) and the final state.
 */
export async function gatherRelay(
  page: Page,
  url: string,
  username: string,
  credential: string,
): Promise<{ types: string[]; errors: number[]; state: string }> {
  return page.evaluate(
    async (u: string, user: string, cred: string) => {
      const pc = new RTCPeerConnection({ iceServers: [{ urls: u, username: user, credential: cred }], iceTransportPolicy: 'relay' });
      const types: string[] = [];
      const errors: number[] = [];
      pc.addEventListener('icecandidate', (e) => e.candidate && types.push(e.candidate.type ?? ''));
      pc.addEventListener('icecandidateerror', (e) => errors.push((e as RTCPeerConnectionIceErrorEvent).errorCode));
      pc.createDataChannel('probe');
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
        setTimeout(resolve, 20_000);
      });
      const state = pc.iceGatheringState;
      pc.close();
      return { types, errors, state };
    },
    url,
    username,
    credential,
  );
}
