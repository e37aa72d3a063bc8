import { describe, expect, it } from 'vitest';
import { constantTimeEqual, digestSecret, hashPassword, randomSecret, turnRestPassword, verifyPassword } from './crypto.js';

describe('crypto module', () => {
  it('hashes passwords with scrypt and a random salt, and verifies them', async () => {
    const a = await hashPassword('correct horse', 'intl');
    const b = await hashPassword('correct horse', 'intl');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
  });

  it('answers false for an unknown user after doing the same work', async () => {
    expect(await verifyPassword('anything', undefined)).toBe(false);
  });

  it('rejects malformed stored hashes', async () => {
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });

  it('makes url-safe secrets and stable digests', () => {
    const s = randomSecret(32);
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(digestSecret(s)).toBe(digestSecret(s));
    expect(constantTimeEqual(digestSecret(s), digestSecret(`${s}x`))).toBe(false);
  });

  it('makes TURN REST passwords as coturn checks them: base64(HMAC-SHA1(secret, username))', () => {
    // Known answer from `printf %s 1700000600:abc | openssl dgst -sha1 -hmac north-county-turn-secret-0123456789 -binary | base64`.
    expect(turnRestPassword('north-county-turn-secret-0123456789', '1700000600:abc')).toBe('GJWq+TxKVXpw7VFMMk9Opwyh7uc=');
  });
});
