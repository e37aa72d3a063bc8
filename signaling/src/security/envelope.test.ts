import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptError, MasterKeys, hmacDigits, newDataKey, open, seal, type FieldContext } from './crypto.js';

const ctx = (over: Partial<FieldContext> = {}): FieldContext => ({
  table: 'petition_identity',
  column: 'name_ct',
  rowId: randomUUID(),
  keyVersion: 1,
  ...over,
});

describe('AES-256-GCM field encryption with bound AAD', () => {
  const key = newDataKey();
  const c = ctx();
  const blob = seal(key, Buffer.from('张三 CANARY'), c);

  it('round-trips, with a fresh IV every time', () => {
    expect(open(key, blob, c).toString()).toBe('张三 CANARY');
    expect(
      seal(key, Buffer.from('x'), c)
        .subarray(1, 13)
        .equals(seal(key, Buffer.from('x'), c).subarray(1, 13)),
    ).toBe(false);
    expect(blob.includes(Buffer.from('CANARY'))).toBe(false);
  });

  it('never gives two blobs the same IV, across many refills of the IV pool, in either suite', () => {
    // 4 KiB a draw: 3,000 seals of each suite go through about 20 draws.
    for (const [suite, at, len] of [
      ['intl', 1, 12],
      ['sm', 1, 16],
    ] as const) {
      const ivs = new Set<string>();
      for (let i = 0; i < 3000; i++) {
        const sealed = seal(key, Buffer.from(`第${i}条`), c, suite);
        ivs.add(sealed.subarray(at, at + len).toString('hex'));
        if (i % 500 === 0) expect(open(key, sealed, c).toString()).toBe(`第${i}条`);
      }
      expect(ivs.size).toBe(3000);
    }
  });

  const flip = (b: Buffer, i: number) => {
    const copy = Buffer.from(b);
    copy[i]! ^= 0x01;
    return copy;
  };
  const cases: [string, () => Buffer, FieldContext][] = [
    ['a flipped IV bit', () => flip(blob, 1), c],
    ['a flipped tag bit', () => flip(blob, 1 + 12 + 3), c],
    ['a flipped ciphertext bit', () => flip(blob, blob.length - 1), c],
    ['a changed format byte', () => flip(blob, 0), c],
    ['a truncated blob', () => blob.subarray(0, 20), c],
    ['another row id (a row swap)', () => blob, { ...c, rowId: randomUUID() }],
    ['another column', () => blob, { ...c, column: 'phone_ct' }],
    ['another table', () => blob, { ...c, table: 'petition_attachments' }],
    ['another key version', () => blob, { ...c, keyVersion: 2 }],
  ];
  for (const [name, mutate, context] of cases) {
    it(`fails to decrypt after ${name}`, () => {
      expect(() => open(key, mutate(), context)).toThrow(DecryptError);
    });
  }

  it('fails with another data key', () => {
    expect(() => open(newDataKey(), blob, c)).toThrow(DecryptError);
  });
});

describe('MasterKeys', () => {
  const v1 = MasterKeys.generateSpec(1);
  const v2 = MasterKeys.generateSpec(2);

  it('wraps data keys under the newest version and unwraps any version it holds', () => {
    const dek = newDataKey();
    const owner = randomUUID();
    const w1 = MasterKeys.parse(v1).wrap(dek, owner);
    expect(w1.kekVersion).toBe(1);
    const both = MasterKeys.parse(`${v1},${v2}`);
    expect(both.unwrap(w1.wrapped, 1, owner).equals(dek)).toBe(true);
    const w2 = both.wrap(dek, owner);
    expect(w2.kekVersion).toBe(2);
    expect(MasterKeys.parse(v2).unwrap(w2.wrapped, 2, owner).equals(dek)).toBe(true);
    expect(() => MasterKeys.parse(v2).unwrap(w1.wrapped, 1, owner)).toThrow(DecryptError);
    expect(() => both.unwrap(w1.wrapped, 1, randomUUID())).toThrow(DecryptError);
    expect(MasterKeys.parse(v1).current).toBe(1);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => MasterKeys.parse('1:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => MasterKeys.parse('x')).toThrow(/1:<base64/);
  });

  it('derives stable per-purpose subkeys and PIN digits', () => {
    const m = MasterKeys.parse(v1);
    expect(m.legacyDerive('receipt-pin').equals(m.legacyDerive('receipt-pin'))).toBe(true);
    expect(m.legacyDerive('receipt-pin').equals(m.legacyDerive('other'))).toBe(false);
    const pin = hmacDigits(m.legacyDerive('receipt-pin'), 'petition-1', 6);
    expect(pin).toMatch(/^\d{6}$/);
    expect(hmacDigits(m.legacyDerive('receipt-pin'), 'petition-1', 6)).toBe(pin);
  });

  it('keeps a key check value per version that tells two keys apart', () => {
    const a = MasterKeys.parse(v1);
    const b = MasterKeys.parse(MasterKeys.generateSpec(1));
    expect(a.checkValue(1).equals(MasterKeys.parse(v1).checkValue(1))).toBe(true);
    expect(a.checkValue(1).equals(b.checkValue(1))).toBe(false);
  });
});
