import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DecryptError,
  MasterKeys,
  checkPin,
  envelopeSuite,
  fileDigest,
  fileDigestMatches,
  hashPassword,
  mac,
  newDataKey,
  open,
  passwordNeedsUpgrade,
  pinVerifier,
  seal,
  verifyPassword,
  type FieldContext,
} from './crypto.js';

const ctx: FieldContext = { table: 'petition_identity', column: 'name_ct', rowId: '9f0c3f55-6a8e-4f0b-9d6c-2b1c5c7a1e01', keyVersion: 1 };
const flip = (b: Buffer, i: number) => {
  const c = Buffer.from(b);
  c[i] = c[i]! ^ 0x01;
  return c;
};

describe('国密 suite: known answers', () => {
  it('SM3 gives the GB/T 32905-2016 example digests', () => {
    expect(createHash('sm3').update('abc').digest('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(createHash('sm3').update('abcd'.repeat(16)).digest('hex')).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('SM4 gives the GB/T 32907-2016 example ciphertext', () => {
    const k = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    const c = createCipheriv('sm4-ecb', k, null).setAutoPadding(false);
    expect(Buffer.concat([c.update(k), c.final()]).toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
  });

  it('the suite MAC is HMAC-SM3 (differs from HMAC-SHA-256 over the same parts)', () => {
    const key = Buffer.alloc(32, 7);
    expect(mac('sm', key, 'a', 'b')).toHaveLength(32);
    expect(mac('sm', key, 'a', 'b').equals(mac('intl', key, 'a', 'b'))).toBe(false);
    expect(mac('sm', key, 'ab', 'c').equals(mac('sm', key, 'a', 'bc'))).toBe(false);
  });
});

describe('国密 suite: envelopes', () => {
  const key = newDataKey();
  const text = Buffer.from('王某，430121198001010010', 'utf8');

  it('seals with SM4-CTR + HMAC-SM3 and opens; the blob names its suite', () => {
    const blob = seal(key, text, ctx, 'sm');
    expect(blob[0]).toBe(2);
    expect(envelopeSuite(blob)).toBe('sm');
    expect(blob.includes(text)).toBe(false);
    expect(open(key, blob, ctx).equals(text)).toBe(true);
    expect(envelopeSuite(seal(key, text, ctx, 'intl'))).toBe('intl');
  });

  it('a flipped bit in the header, IV, ciphertext or MAC fails, and nothing is decrypted', () => {
    const blob = seal(key, text, ctx, 'sm');
    for (const i of [1, 8, 16, 17, 17 + Math.floor(text.length / 2), blob.length - 32, blob.length - 1]) {
      expect(() => open(key, flip(blob, i), ctx), `byte ${i}`).toThrow(DecryptError);
    }
    expect(() => open(key, blob.subarray(0, blob.length - 1), ctx)).toThrow(DecryptError);
  });

  it('suite mix-ups fail: an sm blob relabelled intl, an intl blob relabelled sm', () => {
    const sm = seal(key, text, ctx, 'sm');
    const intl = seal(key, text, ctx, 'intl');
    const asIntl = Buffer.from(sm);
    asIntl[0] = 1;
    const asSm = Buffer.from(intl);
    asSm[0] = 2;
    expect(() => open(key, asIntl, ctx)).toThrow(DecryptError);
    expect(() => open(key, asSm, ctx)).toThrow(DecryptError);
  });

  it('the AAD binding holds: another row, column, key version or key fails', () => {
    const blob = seal(key, text, ctx, 'sm');
    expect(() => open(key, blob, { ...ctx, rowId: '9f0c3f55-6a8e-4f0b-9d6c-2b1c5c7a1e02' })).toThrow(DecryptError);
    expect(() => open(key, blob, { ...ctx, column: 'phone_ct' })).toThrow(DecryptError);
    expect(() => open(key, blob, { ...ctx, keyVersion: 2 })).toThrow(DecryptError);
    expect(() => open(newDataKey(), blob, ctx)).toThrow(DecryptError);
  });

  it('master keys wrap in their configured suite and unwrap either', () => {
    const spec = MasterKeys.generateSpec();
    const sm = MasterKeys.parse(spec, 'sm');
    const intl = MasterKeys.parse(spec, 'intl');
    const a = sm.wrap(key, 'owner');
    const b = intl.wrap(key, 'owner');
    expect(envelopeSuite(a.wrapped)).toBe('sm');
    expect(envelopeSuite(b.wrapped)).toBe('intl');
    expect(intl.unwrap(a.wrapped, a.kekVersion, 'owner').equals(key)).toBe(true);
    expect(sm.unwrap(b.wrapped, b.kekVersion, 'owner').equals(key)).toBe(true);
    expect(() => sm.unwrap(a.wrapped, a.kekVersion, 'other')).toThrow(DecryptError);
  });
});

describe('国密 suite: passwords and PIN verifiers', () => {
  it('PBKDF2-HMAC-SM3 passwords verify; scrypt ones still do, and are marked for upgrade', async () => {
    const sm = await hashPassword('正确的密码-2026', 'sm');
    expect(sm.startsWith('pbkdf2-sm3$')).toBe(true);
    expect(await verifyPassword('正确的密码-2026', sm, 'sm')).toBe(true);
    expect(await verifyPassword('错误的密码-2026', sm, 'sm')).toBe(false);
    expect(await verifyPassword('正确的密码-2026', undefined, 'sm')).toBe(false);
    const old = await hashPassword('正确的密码-2026', 'intl');
    expect(await verifyPassword('正确的密码-2026', old, 'sm')).toBe(true);
    expect(passwordNeedsUpgrade(old, 'sm')).toBe(true);
    expect(passwordNeedsUpgrade(sm, 'sm')).toBe(false);
    expect(passwordNeedsUpgrade(sm, 'intl')).toBe(true);
    // A stored hash with its salt or key bytes altered does not verify.
    const parts = sm.split('$');
    expect(await verifyPassword('正确的密码-2026', [parts[0], parts[1], Buffer.alloc(16).toString('base64'), parts[3]].join('$'), 'sm')).toBe(false);
  });

  it('PIN verifiers carry their suite; a verifier checked under the other suite fails', async () => {
    const key = Buffer.alloc(32, 3);
    const v = pinVerifier('sm', key, 'p1', '2612000001', '123456');
    expect(v.startsWith('hmac$sm$')).toBe(true);
    expect(await checkPin(v, () => key, 'p1', '2612000001', '123456')).toBe(true);
    expect(await checkPin(v, () => key, 'p1', '2612000001', '123457')).toBe(false);
    expect(await checkPin(v.replace('hmac$sm$', 'hmac$intl$'), () => key, 'p1', '2612000001', '123456')).toBe(false);
  });

  it('recording segment digests are SM3 under the 国密 suite; older SHA-256 ones still match, a changed byte never', () => {
    const data = Buffer.from('一段录像分段的密文');
    expect(fileDigest('sm', data).equals(createHash('sm3').update(data).digest())).toBe(true);
    expect(fileDigest('intl', data).equals(createHash('sha256').update(data).digest())).toBe(true);
    expect(fileDigestMatches('sm', data, fileDigest('sm', data))).toBe(true);
    expect(fileDigestMatches('sm', data, createHash('sha256').update(data).digest())).toBe(true);
    expect(fileDigestMatches('intl', data, fileDigest('sm', data))).toBe(false);
    const flipped = Buffer.from(data);
    flipped[3] = flipped[3]! ^ 1;
    expect(fileDigestMatches('sm', flipped, fileDigest('sm', data))).toBe(false);
  });
});
