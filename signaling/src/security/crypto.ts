// All security-relevant use of node:crypto lives in this module (DESIGN §3): password hashing, secrets,
// token digests and constant-time comparison. Other modules call these functions instead of node:crypto.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomInt,
  randomUUID,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

// N=2^15, r=8, p=1: ~32 MiB and tens of ms per hash on the 2-core target; maxmem must allow 128*N*r.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, keylen: 32 };
const MAXMEM = 64 * 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: MAXMEM });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

// Verifying against this for unknown users makes "no such user" cost the same time as "wrong password".
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const encoded = stored ?? (await (dummyHash ??= hashPassword(randomBytes(16).toString('hex'))));
  const [alg, n, r, p, saltB64, keyB64] = encoded.split('$');
  if (alg !== 'scrypt' || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: MAXMEM,
  });
  return timingSafeEqual(key, expected) && stored !== undefined;
}

/** URL-safe random secret, e.g. a kiosk device secret or a JWT signing key. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function newId(): string {
  return randomUUID();
}

/** Digest for high-entropy secrets (device credentials): a slow hash buys nothing there. */
export function digestSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

// ---------------------------------------------------------------------------------------------------------
// Envelope encryption (DESIGN §3): a random 256-bit data key per petition encrypts its identity fields and
// attachments with AES-256-GCM; the data key is wrapped by the county master key. Every ciphertext is bound
// by its AAD to where it lives, so a blob copied to another row, column or key version fails to decrypt.
// ---------------------------------------------------------------------------------------------------------

const FORMAT_V1 = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class DecryptError extends Error {
  constructor() {
    super('ciphertext failed authentication');
    this.name = 'DecryptError';
  }
}

export interface FieldContext {
  table: string;
  column: string;
  rowId: string;
  keyVersion: number;
}

function aadOf(ctx: FieldContext): Buffer {
  return Buffer.from(`vj|${ctx.table}|${ctx.column}|${ctx.rowId}|v${ctx.keyVersion}`, 'utf8');
}

/** Layout: format byte | 12-byte random IV | 16-byte tag | ciphertext. */
export function seal(key: Buffer, plaintext: Buffer, ctx: FieldContext): Buffer {
  if (key.length !== KEY_BYTES) throw new Error('AES-256 key must be 32 bytes');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadOf(ctx));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), ct]);
}

export function open(key: Buffer, blob: Buffer, ctx: FieldContext): Buffer {
  if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_V1) throw new DecryptError();
  const iv = blob.subarray(1, 1 + IV_BYTES);
  const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aadOf(ctx));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptError();
  }
}

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * The county master keys by version. The highest version wraps new data keys; older versions stay only to
 * unwrap until `npm run keys:rotate` has re-wrapped everything under the newest.
 */
export class MasterKeys {
  private readonly keys: Map<number, Buffer>;
  readonly current: number;

  constructor(keys: Map<number, Buffer>) {
    if (keys.size === 0) throw new Error('at least one master key is required');
    for (const [v, k] of keys) {
      if (!Number.isInteger(v) || v < 1) throw new Error('master key versions are positive integers');
      if (k.length !== KEY_BYTES) throw new Error(`master key v${v} must be exactly 32 bytes (base64 of 32 random bytes)`);
    }
    this.keys = keys;
    this.current = Math.max(...keys.keys());
  }

  /** Parses "1:<base64>,2:<base64>". */
  static parse(spec: string): MasterKeys {
    const map = new Map<number, Buffer>();
    for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
      const i = part.indexOf(':');
      if (i <= 0) throw new Error('master keys look like 1:<base64 of 32 bytes>');
      map.set(Number(part.slice(0, i)), Buffer.from(part.slice(i + 1), 'base64'));
    }
    return new MasterKeys(map);
  }

  static generateSpec(version = 1): string {
    return `${version}:${randomBytes(KEY_BYTES).toString('base64')}`;
  }

  has(version: number): boolean {
    return this.keys.has(version);
  }

  wrap(dataKey: Buffer, ownerId: string): { wrapped: Buffer; kekVersion: number } {
    const kek = this.keys.get(this.current)!;
    return { wrapped: seal(kek, dataKey, { table: 'data_keys', column: 'wrapped', rowId: ownerId, keyVersion: this.current }), kekVersion: this.current };
  }

  unwrap(wrapped: Buffer, kekVersion: number, ownerId: string): Buffer {
    const kek = this.keys.get(kekVersion);
    if (!kek) throw new DecryptError();
    return open(kek, wrapped, { table: 'data_keys', column: 'wrapped', rowId: ownerId, keyVersion: kekVersion });
  }

  /**
   * A subkey for one purpose (HKDF-SHA256 of the oldest master key, so it survives rotations): receipt PINs
   * are derived from it, which makes a retried submission return the same PIN without storing it.
   */
  derive(purpose: string): Buffer {
    const base = this.keys.get(Math.min(...this.keys.keys()))!;
    return Buffer.from(hkdfSync('sha256', base, Buffer.alloc(0), `vj:${purpose}`, KEY_BYTES));
  }
}

/** n decimal digits from HMAC(key, message): deterministic, unguessable without the key. */
export function hmacDigits(key: Buffer, message: string, digits: number): string {
  const mac = createHmac('sha256', key).update(message).digest();
  const n = mac.readBigUInt64BE(0) % 10n ** BigInt(digits);
  return n.toString().padStart(digits, '0');
}

export function randomDigits(digits: number): string {
  let out = '';
  while (out.length < digits) out += randomInt(0, 10).toString();
  return out;
}

export function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The audit chain link: SHA-256(previous hash || canonical row). */
export function chainHash(prev: Buffer, canonicalRow: string): Buffer {
  return createHash('sha256').update(prev).update(canonicalRow, 'utf8').digest();
}

// Receipt PINs are short, so their hash is slow; the case code is the salt's partner, never the secret.
const PIN_SCRYPT = { N: 1 << 14, r: 8, p: 1 };

export async function hashPin(pin: string, caseCode: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(`${caseCode}:${pin}`, salt, 32, { ...PIN_SCRYPT, maxmem: MAXMEM });
  return ['scrypt', PIN_SCRYPT.N, PIN_SCRYPT.r, PIN_SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPin(pin: string, caseCode: string, stored: string): Promise<boolean> {
  return verifyPassword(`${caseCode}:${pin}`, stored);
}
