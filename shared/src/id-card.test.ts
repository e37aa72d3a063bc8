import { describe, expect, it } from 'vitest';
import { isValidIdCard, withIdCardCheck } from './id-card.js';
import { IdentityInput } from './schemas/petition.js';

describe('resident ID-card numbers', () => {
  it('accepts numbers whose check character matches, X included', () => {
    expect(isValidIdCard('11010519491231002X')).toBe(true);
    expect(isValidIdCard('11010519491231002x')).toBe(true);
    expect(isValidIdCard(withIdCardCheck('43012119850607123'))).toBe(true);
  });

  it('refuses a wrong check character, a bad birth date, and wrong lengths', () => {
    expect(isValidIdCard('110105194912310021')).toBe(false);
    expect(isValidIdCard(withIdCardCheck('43012119850230123'))).toBe(false); // 30 February
    expect(isValidIdCard(withIdCardCheck('43012118850607123'))).toBe(false); // before 1900
    expect(isValidIdCard(withIdCardCheck('43012129990607123'))).toBe(false); // in the future
    expect(isValidIdCard('1101051949123100')).toBe(false);
    expect(isValidIdCard('11010519491231002XX')).toBe(false);
  });

  it('lets the identity schema take an empty number (anonymous) but not a bad one', () => {
    expect(IdentityInput.safeParse({ idCard: '' }).success).toBe(true);
    const bad = IdentityInput.safeParse({ idCard: '110105194912310021' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('身份证号码有误，请核对 18 位号码后重新输入');
    expect(IdentityInput.safeParse({ phone: '12345' }).success).toBe(false);
    expect(IdentityInput.safeParse({ phone: '0731-84012345' }).success).toBe(true);
  });
});
