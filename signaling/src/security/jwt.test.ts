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
