import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { forgedConsoleTokens } from '../../../test/helpers/forged-tokens.js';
import { ISSUER, KeyRing } from './jwt.js';

const SECRET = 'a'.repeat(20) + 'b'.repeat(20);
const ring = new KeyRing([{ kid: 'k1', secret: SECRET }]);
const sub = randomUUID();
const sid = randomUUID();

describe('KeyRing (JWT with pinned algorithm, audience and issuer)', () => {
  it('accepts its own token for the right audience', () => {
    const { token } = ring.sign({ sub, sid, role: 'county_officer', name: '王干事' }, 'vj:console', 600);
    expect(ring.verify(token, 'vj:console')).toMatchObject({ sub, role: 'county_officer', iss: ISSUER });
  });

  const variants = forgedConsoleTokens({ kid: 'k1', secret: SECRET });
  it(`has at least 30 forged variants (${Object.keys(variants).length})`, () => {
    expect(Object.keys(variants).length).toBeGreaterThanOrEqual(30);
  });
  for (const [name, token] of Object.entries(variants)) {
    it(`refuses: ${name}`, () => {
      expect(() => ring.verify(token, 'vj:console')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
    });
  }

  it('refuses a console token without a login session id', () => {
    const token = jwt.sign({ role: 'county_officer', name: 'x' }, SECRET, {
      algorithm: 'HS256',
      keyid: 'k1',
      subject: sub,
      audience: 'vj:console',
      issuer: ISSUER,
      expiresIn: 60,
    });
    expect(() => ring.verify(token, 'vj:console')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it('refuses a console token on the kiosk audience', () => {
    const { token } = ring.sign({ sub, sid, role: 'county_officer', name: 'x' }, 'vj:console', 600);
    expect(() => ring.verify(token, 'vj:kiosk')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it('verifyFor (the socket handshake) takes a token for any audience it lists, verified against the one it names', () => {
    const both = ['vj:kiosk', 'vj:console'] as const;
    const console = ring.sign({ sub, sid, role: 'county_officer', name: 'x' }, 'vj:console', 600).token;
    const kiosk = ring.sign({ sub, role: 'kiosk', name: '星沙', room: 'xingsha' }, 'vj:kiosk', 600).token;
    expect(ring.verifyFor(console, both)).toMatchObject({ sub, role: 'county_officer' });
    expect(ring.verifyFor(kiosk, both)).toMatchObject({ sub, role: 'kiosk', room: 'xingsha' });
    const refused = expect.objectContaining({ code: 'UNAUTHENTICATED' });
    // An audience it does not list (a second-factor challenge), a kiosk's claims under the console's audience, every forgery
    // of a console token (the variant that is a kiosk's own good token is one the handshake rightly takes).
    expect(() => ring.verifyFor(ring.sign({ sub, sid, role: 'county_officer', name: 'x' }, 'vj:2fa', 600).token, both)).toThrow(refused);
    expect(() =>
      ring.verifyFor(
        jwt.sign({ role: 'kiosk', name: 'x', room: 'xingsha' }, SECRET, {
          algorithm: 'HS256',
          keyid: 'k1',
          subject: sub,
          audience: 'vj:console',
          issuer: ISSUER,
          expiresIn: 600,
        }),
        both,
      ),
    ).toThrow(refused);
    expect(() =>
      ring.verifyFor(
        jwt.sign({ role: 'county_officer', name: 'x', sid }, SECRET, {
          algorithm: 'HS256',
          keyid: 'k1',
          subject: sub,
          audience: ['vj:kiosk', 'vj:console'],
          issuer: ISSUER,
          expiresIn: 600,
        }),
        both,
      ),
    ).toThrow(refused);
    for (const bad of [undefined, '', 'x'.repeat(20_000), ...Object.entries(variants).flatMap(([name, t]) => (name === 'kiosk token' ? [] : [t]))])
      expect(() => ring.verifyFor(bad, both)).toThrow(refused);
  });

  it('rotates keys with an overlap: old tokens verify until the old key is removed', () => {
    const oldRing = new KeyRing([{ kid: 'k1', secret: SECRET }]);
    const old = oldRing.sign({ sub, sid, role: 'county_officer', name: 'x' }, 'vj:console', 600).token;
    const rotated = new KeyRing([
      { kid: 'k2', secret: 'n'.repeat(40) },
      { kid: 'k1', secret: SECRET },
    ]);
    expect(rotated.verify(old, 'vj:console').sub).toBe(sub);
    const fresh = rotated.sign({ sub, sid, role: 'county_officer', name: 'x' }, 'vj:console', 600).token;
    expect(JSON.parse(Buffer.from(fresh.split('.')[0]!, 'base64url').toString()).kid).toBe('k2');
    const retired = new KeyRing([{ kid: 'k2', secret: 'n'.repeat(40) }]);
    expect(() => retired.verify(old, 'vj:console')).toThrow();
  });

  it('refuses secrets shorter than 32 bytes and malformed specs', () => {
    expect(() => new KeyRing([{ kid: 'k1', secret: 'short' }])).toThrow(/shorter than 32 bytes/);
    expect(() => KeyRing.parse('nokid')).toThrow(/kid:secret/);
    expect(KeyRing.parse(`a:${SECRET},b:${SECRET}`)).toBeInstanceOf(KeyRing);
  });
});
