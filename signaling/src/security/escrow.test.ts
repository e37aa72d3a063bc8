import { describe, expect, it } from 'vitest';
import { MasterKeys, sha256 } from './crypto.js';
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

  it('refuses, as a mismatch, a share from another split that lands on the same position', async () => {
    // Each split picks its share positions at random, so two splits collide now and then (CI once drew one):
    // build the collision on purpose. The position is the share's last byte.
    const shares = await splitMasterKeys(master, 5, 3);
    const other = await splitMasterKeys(master, 5, 3);
    const raw = (line: string) => Buffer.from(line.split('.')[3]!, 'base64url');
    const moved = raw(other[2]!);
    moved[moved.length - 1] = raw(shares[0]!).at(-1)!;
    const sum = sha256(moved).subarray(0, 4).toString('hex');
    const line = `VJKS1.3.5.${moved.toString('base64url')}.${sum}`;
    await expect(recoverMasterKeys([shares[0]!, shares[1]!, line])).rejects.toThrow(EscrowError);
    await expect(recoverMasterKeys([shares[0]!, shares[1]!, line])).rejects.toThrow(/different splits/);
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
