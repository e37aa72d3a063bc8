import { describe, expect, it } from 'vitest';
import { MasterKeys } from './crypto.js';
import { EscrowError, recoverMasterKeys, splitMasterKeys } from './escrow.js';

function combinations<T>(items: T[], k: number): T[][] {
  if (k === 0) return [[]];
  return items.flatMap((x, i) => combinations(items.slice(i + 1), k - 1).map((rest) => [x, ...rest]));
}

describe('master key escrow (k-of-n)', () => {
  const spec = `${MasterKeys.generateSpec(1)},${MasterKeys.generateSpec(2)}`;
  const master = MasterKeys.parse(spec);

  it('recovers the keys from any 3 of 5 shares, and from all 5', async () => {
    const shares = await splitMasterKeys(master, 5, 3);
    expect(new Set(shares).size).toBe(5);
    for (const pick of [...combinations(shares, 3), shares]) {
      const back = await recoverMasterKeys(pick);
      expect(back.exportSpec()).toBe(master.exportSpec());
      expect(back.current).toBe(2);
    }
  });

  it('refuses every set of 2 of the 5 shares, and shares mixed from two splits', async () => {
    const shares = await splitMasterKeys(master, 5, 3);
    for (const pick of combinations(shares, 2)) await expect(recoverMasterKeys(pick)).rejects.toBeInstanceOf(EscrowError);
    const other = await splitMasterKeys(master, 5, 3);
    await expect(recoverMasterKeys([shares[0]!, shares[1]!, other[2]!])).rejects.toBeInstanceOf(EscrowError);
  });

  it('catches a mistyped share and a bad threshold', async () => {
    const shares = await splitMasterKeys(master, 3, 2);
    const parts = shares[0]!.split('.');
    parts[3] = (parts[3]![5] === 'A' ? 'B' : 'A').padStart(6, parts[3]!.slice(0, 5)) + parts[3]!.slice(6);
    const typo = parts.join('.');
    expect(typo).not.toBe(shares[0]);
    await expect(recoverMasterKeys([typo, shares[1]!])).rejects.toThrow(/checksum/);
    await expect(splitMasterKeys(master, 2, 3)).rejects.toBeInstanceOf(EscrowError);
    await expect(splitMasterKeys(master, 3, 1)).rejects.toBeInstanceOf(EscrowError);
  });
});
