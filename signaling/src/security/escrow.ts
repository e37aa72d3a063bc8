import { combine, split } from 'shamir-secret-sharing';
import { MasterKeys, macEqual, sha256 } from './crypto.js';

/**
 * Key escrow for the county master keys: k-of-n Shamir shares (the audited `shamir-secret-sharing` library), so
 * that losing the key file does not lose every identity, evidence file and recording, while no single custodian
 * can rebuild the key alone. Each share line carries the threshold and a short checksum that catches a typo.
 */
const PREFIX = 'VJKS1';

export class EscrowError extends Error {}

function checksum(share: Uint8Array): string {
  return sha256(Buffer.from(share)).subarray(0, 4).toString('hex');
}

export async function splitMasterKeys(master: MasterKeys, shares: number, threshold: number): Promise<string[]> {
  if (!Number.isInteger(shares) || !Number.isInteger(threshold) || threshold < 2 || shares < threshold || shares > 255) {
    throw new EscrowError('need 2 <= threshold <= shares <= 255');
  }
  const spec = Buffer.from(master.exportSpec(), 'utf8');
  // The digest in front proves a recovery right: too few shares combine to noise, never to a wrong key.
  const payload = Buffer.concat([sha256(spec), spec]);
  const parts = await split(new Uint8Array(payload), shares, threshold);
  return parts.map((p) => `${PREFIX}.${threshold}.${shares}.${Buffer.from(p).toString('base64url')}.${checksum(p)}`);
}

export async function recoverMasterKeys(lines: string[]): Promise<MasterKeys> {
  const parsed = lines
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^VJKS1\.(\d+)\.(\d+)\.([A-Za-z0-9_-]+)\.([0-9a-f]{8})$/.exec(l);
      if (!m) throw new EscrowError('a line is not a key share (VJKS1.…)');
      const share = new Uint8Array(Buffer.from(m[3]!, 'base64url'));
      if (checksum(share) !== m[4]) throw new EscrowError('a share fails its checksum (mistyped or damaged)');
      return { threshold: Number(m[1]), share };
    });
  const unique = [...new Map(parsed.map((p) => [Buffer.from(p.share).toString('hex'), p])).values()];
  const threshold = unique[0]?.threshold ?? 2;
  if (unique.length < Math.max(2, threshold)) throw new EscrowError(`need ${threshold} different shares, got ${unique.length}`);
  let combined: Uint8Array;
  try {
    combined = await combine(unique.map((p) => p.share));
  } catch {
    // The library refuses shares of unequal length or at the same position: only shares of different splits
    // (or hand-edited ones) do that, and the custodian must hear it in the same words as any other mismatch.
    throw new EscrowError('the shares do not recover a key (too few, or from different splits)');
  }
  const payload = Buffer.from(combined);
  const spec = payload.subarray(32);
  if (payload.length < 33 || !macEqual(payload.subarray(0, 32), sha256(spec)))
    throw new EscrowError('the shares do not recover a key (too few, or from different splits)');
  return MasterKeys.parse(spec.toString('utf8'));
}
