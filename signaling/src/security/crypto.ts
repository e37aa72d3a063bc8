// All security-relevant use of node:crypto lives in this module (DESIGN §3): password hashing, secrets,
// token digests and constant-time comparison. Other modules call these functions instead of node:crypto.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  hkdfSync,
  pbkdf2 as pbkdf2Cb,
  randomBytes,
  randomInt,
  randomUUID,
  scrypt as scryptCb,
  timingSafeEqual,
  type KeyObject,
  type ScryptOptions,
} from 'node:crypto';

export type { KeyObject };

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

// N=2^15, r=8, p=1: ~32 MiB and tens of ms per hash on the 2-core target; maxmem must allow 128*N*r.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, keylen: 32 };
const MAXMEM = 64 * 1024 * 1024;
// Suite `sm`: PBKDF2-HMAC-SM3 (GB/T 32905 hash). 100,000 iterations ≈ 100 ms on one core of the 2-core target.
const PBKDF2_SM3 = { iterations: 100_000, keylen: 32 };

function pbkdf2(password: string, salt: Buffer, iterations: number, keylen: number, digest: string): Promise<Buffer> {
  return new Promise((resolve, reject) => pbkdf2Cb(password, salt, iterations, keylen, digest, (err, key) => (err ? reject(err) : resolve(key))));
}

/** "scrypt$N$r$p$salt$key" (suite intl) or "pbkdf2-sm3$iterations$salt$key" (suite sm). */
export async function hashPassword(password: string, suite: SuiteId = DEFAULT_SUITE): Promise<string> {
  const salt = randomBytes(16);
  if (suite === 'sm') {
    const key = await pbkdf2(password, salt, PBKDF2_SM3.iterations, PBKDF2_SM3.keylen, 'sm3');
    return ['pbkdf2-sm3', PBKDF2_SM3.iterations, salt.toString('base64'), key.toString('base64')].join('$');
  }
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: MAXMEM });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when a stored password hash is not the configured suite's: it is replaced at the next successful login. */
export function passwordNeedsUpgrade(stored: string, suite: SuiteId): boolean {
  return !stored.startsWith(suite === 'sm' ? `pbkdf2-sm3$${PBKDF2_SM3.iterations}$` : `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$`);
}

// Verifying against this for unknown users makes "no such user" cost the same time as "wrong password".
const dummyHash: Partial<Record<SuiteId, Promise<string>>> = {};

async function derivePasswordKey(password: string, encoded: string): Promise<{ key: Buffer; expected: Buffer } | undefined> {
  const parts = encoded.split('$');
  if (parts[0] === 'pbkdf2-sm3' && parts.length === 4) {
    const expected = Buffer.from(parts[3]!, 'base64');
    const iterations = Number(parts[1]);
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10_000_000 || expected.length === 0) return undefined;
    return { key: await pbkdf2(password, Buffer.from(parts[2]!, 'base64'), iterations, expected.length, 'sm3'), expected };
  }
  const [alg, n, r, p, saltB64, keyB64] = parts;
  if (alg !== 'scrypt' || !saltB64 || !keyB64) return undefined;
  const expected = Buffer.from(keyB64, 'base64');
  return {
    key: await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: MAXMEM }),
    expected,
  };
}

export async function verifyPassword(password: string, stored: string | undefined, suite: SuiteId = DEFAULT_SUITE): Promise<boolean> {
  const encoded = stored ?? (await (dummyHash[suite] ??= hashPassword(randomBytes(16).toString('hex'), suite)));
  const d = await derivePasswordKey(password, encoded);
  return d !== undefined && d.key.length === d.expected.length && timingSafeEqual(d.key, d.expected) && stored !== undefined;
}

/** A JWT signing secret as a KeyObject (see jwt.ts: given raw bytes, jsonwebtoken tries a PEM parse first). */
export function jwtSecretKey(secret: Buffer): KeyObject {
  return createSecretKey(secret);
}

/** URL-safe random secret, e.g. a kiosk device secret or a JWT signing key. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The password of a short-lived TURN credential, by the TURN REST API convention that coturn checks with
 * use-auth-secret: base64(HMAC-SHA1(shared secret, username)), the username being "<expiry unix seconds>:<id>".
 * SHA-1 because that is what coturn computes; the credential only opens the relay until its expiry.
 */
export function turnRestPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username, 'utf8').digest('base64');
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
// attachments; the data key is wrapped by the county master key. Every ciphertext is bound by its AAD to where
// it lives, so a blob copied to another row, column or key version fails to decrypt. The first byte names the
// suite: 1 = intl (AES-256-GCM), 2 = sm (SM4-CTR, then HMAC-SM3 over header, AAD and ciphertext, with separate
// keys derived from the data key). Node's OpenSSL has no SM4-GCM, hence encrypt-then-MAC.
// ---------------------------------------------------------------------------------------------------------

const FORMAT_INTL = 1;
const FORMAT_SM = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const SM4_IV_BYTES = 16;
const SM3_MAC_BYTES = 32;

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

/**
 * Derived once per data key object and kept only as long as that object lives: a petition's identity seals five
 * fields with one key, and HKDF was a fifth of the sealing cost. Keys are never modified in place.
 */
const smKeyCache = new WeakMap<Buffer, { enc: Buffer; mac: Buffer }>();

/** SM4 takes 128-bit keys; cipher and MAC keys are separate, both derived from the 256-bit data key. */
function smKeys(key: Buffer): { enc: Buffer; mac: Buffer } {
  let k = smKeyCache.get(key);
  if (!k) {
    const okm = Buffer.from(hkdfSync('sm3', key, Buffer.alloc(0), 'vj:sm:envelope', 16 + 32));
    smKeyCache.set(key, (k = { enc: okm.subarray(0, 16), mac: okm.subarray(16) }));
  }
  return k;
}

/**
 * IVs cut from 4 KiB of CSPRNG output drawn at once, each byte handed out once: a petition seals several identity
 * fields, and one random draw per IV cost about 85 µs of a submit's ~3 ms in its profile (a system call each).
 * IVs are public (they travel in the blob); only their uniqueness matters, which fresh random bytes give.
 */
const ivPool = { bytes: Buffer.alloc(0), at: 0 };
function freshIv(length: number): Buffer {
  if (ivPool.at + length > ivPool.bytes.length) Object.assign(ivPool, { bytes: randomBytes(4096), at: 0 });
  // A copy, so no blob keeps the whole pool alive.
  const iv = Buffer.from(ivPool.bytes.subarray(ivPool.at, ivPool.at + length));
  ivPool.at += length;
  return iv;
}

/**
 * Layouts: intl = 1 | 12-byte IV | 16-byte GCM tag | ciphertext; sm = 2 | 16-byte IV | ciphertext | 32-byte
 * HMAC-SM3 tag. The suite is the caller's (MasterKeys.suite); open() reads it from the blob.
 */
export function seal(key: Buffer, plaintext: Buffer, ctx: FieldContext, suite: SuiteId = DEFAULT_SUITE): Buffer {
  if (key.length !== KEY_BYTES) throw new Error('data keys are 32 bytes');
  if (suite === 'sm') {
    const k = smKeys(key);
    const iv = freshIv(SM4_IV_BYTES);
    const cipher = createCipheriv('sm4-ctr', k.enc, iv);
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const head = Buffer.from([FORMAT_SM]);
    return Buffer.concat([head, iv, ct, mac('sm', k.mac, 'envelope', head, iv, aadOf(ctx), ct)]);
  }
  const iv = freshIv(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadOf(ctx));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_INTL]), iv, cipher.getAuthTag(), ct]);
}

export function open(key: Buffer, blob: Buffer, ctx: FieldContext): Buffer {
  if (blob[0] === FORMAT_SM) {
    if (blob.length < 1 + SM4_IV_BYTES + SM3_MAC_BYTES || key.length !== KEY_BYTES) throw new DecryptError();
    const k = smKeys(key);
    const head = blob.subarray(0, 1);
    const iv = blob.subarray(1, 1 + SM4_IV_BYTES);
    const ct = blob.subarray(1 + SM4_IV_BYTES, blob.length - SM3_MAC_BYTES);
    // MAC first: nothing is decrypted unless header, IV, place and ciphertext are all as sealed.
    if (!macEqual(mac('sm', k.mac, 'envelope', head, iv, aadOf(ctx), ct), blob.subarray(blob.length - SM3_MAC_BYTES))) throw new DecryptError();
    const decipher = createDecipheriv('sm4-ctr', k.enc, iv);
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  }
  if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_INTL) throw new DecryptError();
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

/** The first byte of a blob sealed in each suite (SQL can select stale blobs with get_byte(col, 0)). */
export const ENVELOPE_FORMAT: Record<SuiteId, number> = { intl: FORMAT_INTL, sm: FORMAT_SM };

/** The suite a sealed blob was made with (from its first byte), or undefined for something else. */
export function envelopeSuite(blob: Buffer): SuiteId | undefined {
  return blob[0] === FORMAT_SM ? 'sm' : blob[0] === FORMAT_INTL ? 'intl' : undefined;
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

  /** `suite` seals what is wrapped or encrypted from now on (CRYPTO_SUITE); blobs of either suite still open. */
  constructor(
    keys: Map<number, Buffer>,
    readonly suite: SuiteId = DEFAULT_SUITE,
  ) {
    if (keys.size === 0) throw new Error('at least one master key is required');
    for (const [v, k] of keys) {
      if (!Number.isInteger(v) || v < 1) throw new Error('master key versions are positive integers');
      if (k.length !== KEY_BYTES) throw new Error(`master key v${v} must be exactly 32 bytes (base64 of 32 random bytes)`);
    }
    this.keys = keys;
    this.current = Math.max(...keys.keys());
  }

  /** Parses "1:<base64>,2:<base64>". */
  static parse(spec: string, suite: SuiteId = DEFAULT_SUITE): MasterKeys {
    const map = new Map<number, Buffer>();
    for (const part of spec
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const i = part.indexOf(':');
      if (i <= 0) throw new Error('master keys look like 1:<base64 of 32 bytes>');
      map.set(Number(part.slice(0, i)), Buffer.from(part.slice(i + 1), 'base64'));
    }
    return new MasterKeys(map, suite);
  }

  static generateSpec(version = 1): string {
    return `${version}:${randomBytes(KEY_BYTES).toString('base64')}`;
  }

  has(version: number): boolean {
    return this.keys.has(version);
  }

  /** `table` names where the wrapped key lives (data_keys or system_keys), so a blob moved between them fails. */
  wrap(dataKey: Buffer, ownerId: string, table = 'data_keys'): { wrapped: Buffer; kekVersion: number } {
    const kek = this.keys.get(this.current)!;
    return { wrapped: seal(kek, dataKey, { table, column: 'wrapped', rowId: ownerId, keyVersion: this.current }, this.suite), kekVersion: this.current };
  }

  unwrap(wrapped: Buffer, kekVersion: number, ownerId: string, table = 'data_keys'): Buffer {
    const kek = this.keys.get(kekVersion);
    if (!kek) throw new DecryptError();
    return open(kek, wrapped, { table, column: 'wrapped', rowId: ownerId, keyVersion: kekVersion });
  }

  /** Encrypts under a data key in the configured suite (the data key itself came from wrap/unwrap). */
  seal(dataKey: Buffer, plaintext: Buffer, ctx: FieldContext): Buffer {
    return seal(dataKey, plaintext, ctx, this.suite);
  }

  versions(): number[] {
    return [...this.keys.keys()].sort((a, b) => a - b);
  }

  /**
   * Key check value of one version: a MAC of a fixed text, stored in the database at first use, so a different
   * key configured under the same version is refused at start instead of failing reveals later.
   */
  checkValue(version: number): Buffer {
    const k = this.keys.get(version);
    if (!k) throw new Error(`no master key v${version}`);
    return createHmac('sha256', k).update('vj:key-check-value').digest().subarray(0, 16);
  }

  /** Raw key bytes for escrow splitting (keys:split) only. */
  exportSpec(): string {
    return this.versions()
      .map((v) => `${v}:${this.keys.get(v)!.toString('base64')}`)
      .join(',');
  }

  /**
   * A subkey of the oldest configured master key. Only used to carry forward the receipt-PIN key of installs
   * made before system keys existed (see system-keys.ts); new keys are random and stored wrapped.
   */
  legacyDerive(purpose: string): Buffer {
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

/**
 * A file's content digest in a chain's suite: SM3 for the 国密 suite, SHA-256 otherwise. Both are 32 bytes, so
 * they share a column; the keyed chain link over the digest is what makes it unforgeable.
 */
export function fileDigest(suite: string, data: Buffer): Buffer {
  return createHash(suite === 'sm' ? 'sm3' : 'sha256')
    .update(data)
    .digest();
}

/**
 * Does `digest` match the data in this suite? Segments sealed under the 国密 suite before their digests
 * moved to SM3 carry SHA-256 ones; either hash is collision-resistant, and the keyed link binds whichever it is.
 */
export function fileDigestMatches(suite: string, data: Buffer, digest: Buffer): boolean {
  return fileDigest(suite, data).equals(digest) || (suite === 'sm' && sha256(data).equals(digest));
}

/** The audit chain link: SHA-256(previous hash || canonical row). */
export function chainHash(prev: Buffer, canonicalRow: string): Buffer {
  return createHash('sha256').update(prev).update(canonicalRow, 'utf8').digest();
}

// ---------------------------------------------------------------------------------------------------------
// Crypto suites and keyed integrity (DESIGN §3). Every keyed chain link, MAC and PIN verifier names the suite
// that made it, so a second suite (国密 SM3/SM4) can be added beside `intl` and old data stays checkable.
// `legacy` marks links made before the chains were keyed (plain SHA-256); they are verifiable, not forgeable
// after the first keyed link, which covers them.
// ---------------------------------------------------------------------------------------------------------

export const SUITES = ['intl', 'sm'] as const;
export type SuiteId = (typeof SUITES)[number];
/** New data is sealed with the 国密 suite unless CRYPTO_SUITE says otherwise. */
export const DEFAULT_SUITE: SuiteId = 'sm';

export function isSuite(v: unknown): v is SuiteId {
  return typeof v === 'string' && (SUITES as readonly string[]).includes(v);
}

const MAC_ALG: Record<SuiteId, string> = { intl: 'sha256', sm: 'sm3' };

/** MAC over the parts, each length-prefixed so that ("ab","c") and ("a","bc") differ. */
export function mac(suite: SuiteId, key: Buffer, ...parts: (Buffer | string)[]): Buffer {
  const h = createHmac(MAC_ALG[suite], key);
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    h.update(len).update(b);
  }
  return h.digest();
}

export function macEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A purpose-bound subkey of a root key (HKDF with the suite's hash). */
export function deriveKey(suite: SuiteId, root: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync(MAC_ALG[suite], root, Buffer.alloc(0), `vj:${suite}:${purpose}`, KEY_BYTES));
}

export function newRootKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** A keyed chain link: MAC(key, prev, suite, canonical row). Without the key nobody can forge or re-chain rows. */
export function keyedChainHash(suite: SuiteId, key: Buffer, prev: Buffer, canonical: string | Buffer): Buffer {
  return mac(suite, key, 'chain', prev, suite, canonical);
}

/**
 * Receipt PIN verifier: a MAC keyed by a system key that lives outside the database in the clear, so a dump
 * gives no offline PIN search, and checking costs microseconds (the online lock-out limits guessing).
 * Format "hmac$<suite>$<base64>".
 */
export function pinVerifier(suite: SuiteId, key: Buffer, petitionId: string, caseCode: string, pin: string): string {
  return `hmac$${suite}$${mac(suite, key, 'receipt-pin', petitionId, caseCode, pin).toString('base64')}`;
}

/** Verifies a PIN against its stored verifier: keyed MACs, or the older scrypt hashes still in the table. */
export async function checkPin(stored: string, keyFor: (suite: SuiteId) => Buffer, petitionId: string, caseCode: string, pin: string): Promise<boolean> {
  const [alg, suite] = stored.split('$');
  if (alg === 'hmac' && isSuite(suite)) {
    const want = Buffer.from(pinVerifier(suite, keyFor(suite), petitionId, caseCode, pin));
    const got = Buffer.from(stored);
    return want.length === got.length && timingSafeEqual(want, got);
  }
  if (alg === 'scrypt') return verifyPassword(`${caseCode}:${pin}`, stored);
  return false;
}

/** True when a stored PIN verifier is of an older kind and should be replaced after a successful check. */
export function pinVerifierIsLegacy(stored: string, suite: SuiteId): boolean {
  return !stored.startsWith(`hmac$${suite}$`);
}

// ---------------------------------------------------------------------------------------------------------
// Second factor (等保三级). TOTP itself is RFC 6238 with HMAC-SHA1, because that is what every authenticator
// app computes (no app speaks an SM3 OTP); its secret is sealed at rest by the suite like any key, and the
// recovery codes are kept as keyed digests of the suite.
// ---------------------------------------------------------------------------------------------------------

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no i, l, o, 0, 1: read aloud or copied by hand

/** A new TOTP secret: 160 bits, the size RFC 4226 recommends. */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding: how authenticator apps take a secret. */
export function base32(data: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** A recovery code "xxxxx-xxxxx" (about 49 bits), shown once. */
export function newRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += RECOVERY_ALPHABET[randomInt(0, RECOVERY_ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** What is stored of a recovery code: "<suite>$<hex MAC>" over the user and the normalised code. */
export function recoveryCodeDigest(suite: SuiteId, key: Buffer, userId: string, normalisedCode: string): string {
  return `${suite}$${mac(suite, key, 'recovery-code', userId, normalisedCode).toString('hex')}`;
}
