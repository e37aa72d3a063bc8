import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError, ROLES, ERROR_MESSAGES } from '@vj/shared';
import { jwtSecretKey, randomSecret } from './crypto.js';
import type { KeyObject } from './crypto.js';

export const ISSUER = 'vj-signaling';
/** vj:2fa: the short-lived challenge between a right password and the second factor; it opens nothing else. */
export type Audience = 'vj:console' | 'vj:kiosk' | 'vj:2fa';
const ALGORITHM = 'HS256';
const MAX_TOKEN_LENGTH = 4096;
const MIN_SECRET_BYTES = 32;

export const Claims = z.object({
  sub: z.uuid(),
  role: z.enum(ROLES),
  name: z.string().max(100),
  /** Kiosk tokens: the room the device is provisioned for. */
  room: z.string().max(40).optional(),
  /** Console tokens: the login session, which logout or disable revokes at once. */
  sid: z.uuid().optional(),
  /** Township roles: their township. */
  twp: z.string().max(40).optional(),
  exp: z.number().int(),
  iat: z.number().int(),
  aud: z.string(),
  iss: z.literal(ISSUER),
});
export type Claims = z.infer<typeof Claims>;

interface Key {
  kid: string;
  /**
   * A KeyObject, not a Buffer: given bytes, jsonwebtoken first tries them as a PEM public key and catches the
   * failure, on every verify; that throw cost ~3 ms of CPU per request under load, more than the rest of auth.
   */
  secret: KeyObject;
}

/**
 * HS256 signing keys by kid. The first key signs; all keys verify, so a new key can be rolled out while
 * tokens signed with the old one are still valid (the overlap), then the old one removed.
 */
export class KeyRing {
  private readonly keys: Key[];

  constructor(keys: { kid: string; secret: string }[]) {
    if (keys.length === 0) throw new Error('at least one JWT signing key is required');
    this.keys = keys.map(({ kid, secret }) => {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(kid)) throw new Error('JWT key id must be 1-32 url-safe characters');
      const buf = Buffer.from(secret, 'utf8');
      if (buf.length < MIN_SECRET_BYTES) throw new Error(`JWT secret "${kid}" is shorter than ${MIN_SECRET_BYTES} bytes`);
      return { kid, secret: jwtSecretKey(buf) };
    });
  }

  /** Parses "kid:secret,kid2:secret2". */
  static parse(spec: string): KeyRing {
    return new KeyRing(
      spec.split(',').map((pair) => {
        const i = pair.indexOf(':');
        if (i <= 0) throw new Error('JWT_SECRETS entries look like kid:secret');
        return { kid: pair.slice(0, i).trim(), secret: pair.slice(i + 1).trim() };
      }),
    );
  }

  static generate(kid = 'k1'): { kid: string; secret: string } {
    return { kid, secret: randomSecret(48) };
  }

  sign(claims: Pick<Claims, 'sub' | 'role' | 'name' | 'room' | 'sid' | 'twp'>, audience: Audience, ttlSeconds: number): { token: string; expiresAt: Date } {
    const key = this.keys[0]!;
    const extra = { ...(claims.room ? { room: claims.room } : {}), ...(claims.sid ? { sid: claims.sid } : {}), ...(claims.twp ? { twp: claims.twp } : {}) };
    const token = jwt.sign({ role: claims.role, name: claims.name, ...extra }, key.secret, {
      algorithm: ALGORITHM,
      keyid: key.kid,
      subject: claims.sub,
      audience,
      issuer: ISSUER,
      expiresIn: ttlSeconds,
    });
    return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
  }

  /**
   * A token for one of `audiences` (the socket handshake takes kiosks and consoles), verified once against the
   * audience it names. Trying each audience in turn verified a console's token twice, the first time to fail and
   * throw: a third of the handshake's CPU.
   */
  verifyFor(token: unknown, audiences: readonly Audience[]): Claims {
    return this.check(token, audiences);
  }

  /** Every failure is the same UNAUTHENTICATED: a caller learns nothing about why a forged token failed. */
  verify(token: unknown, audience: Audience): Claims {
    return this.check(token, [audience]);
  }

  private check(token: unknown, audiences: readonly Audience[]): Claims {
    const fail = () => new AppError('UNAUTHENTICATED', ERROR_MESSAGES.auth.expired);
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw fail();
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string' || decoded.header.alg !== ALGORITHM) throw fail();
    const audience = audiences.find((a) => a === (decoded.payload as { aud?: unknown }).aud);
    if (!audience) throw fail();
    const key = this.keys.find((k) => k.kid === decoded.header.kid);
    if (!key) throw fail();
    let payload: unknown;
    try {
      payload = jwt.verify(token, key.secret, { algorithms: [ALGORITHM], audience, issuer: ISSUER, clockTolerance: 5 });
    } catch {
      throw fail();
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw fail(); // e.g. a token without exp
    const isKiosk = claims.data.role === 'kiosk';
    if (isKiosk !== (audience === 'vj:kiosk') || (isKiosk ? !claims.data.room : !claims.data.sid)) throw fail();
    return claims.data;
  }
}
