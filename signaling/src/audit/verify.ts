import type { Queryable } from '../db/db.js';
import { chainHash } from '../security/crypto.js';
import { GENESIS, canonicalRow, type AuditRow } from './audit-log.js';

export interface VerifyResult {
  ok: boolean;
  rows: number;
  head: { seq: string; hash: string } | null;
  /** The first row where the chain breaks, and how. */
  firstBroken: { seq: string; problem: 'missing row' | 'edited row' | 'broken link' | 'anchor mismatch' } | null;
}

/**
 * Walks the chain in order. A deleted row shows as a gap in seq, an edited or reordered row as a hash that no
 * longer matches, a spliced chain as a prev_hash that does not match its predecessor. Rows deleted from the
 * end are caught only against an anchor (a seq and hash recorded earlier, e.g. printed by a previous run).
 */
export async function verifyAuditChain(q: Queryable, anchor?: { seq: string; hash: string }): Promise<VerifyResult> {
  let prev: Buffer = GENESIS;
  let expected = 1n;
  let rows = 0;
  let head: VerifyResult['head'] = null;
  let anchorSeen = !anchor;
  for (;;) {
    const batch = await q.query<AuditRow>('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 1000', [expected.toString()]);
    if (batch.rows.length === 0) break;
    for (const r of batch.rows) {
      const seq = BigInt(r.seq);
      if (seq !== expected) return { ok: false, rows, head, firstBroken: { seq: expected.toString(), problem: 'missing row' } };
      if (!r.prev_hash.equals(prev)) return { ok: false, rows, head, firstBroken: { seq: r.seq, problem: 'broken link' } };
      const hash = chainHash(prev, canonicalRow(r));
      if (!hash.equals(r.hash)) return { ok: false, rows, head, firstBroken: { seq: r.seq, problem: 'edited row' } };
      if (anchor && r.seq === anchor.seq) {
        if (r.hash.toString('hex') !== anchor.hash) return { ok: false, rows, head, firstBroken: { seq: r.seq, problem: 'anchor mismatch' } };
        anchorSeen = true;
      }
      prev = r.hash;
      expected = seq + 1n;
      rows++;
      head = { seq: r.seq, hash: r.hash.toString('hex') };
    }
  }
  if (!anchorSeen) return { ok: false, rows, head, firstBroken: { seq: anchor!.seq, problem: 'missing row' } };
  return { ok: true, rows, head, firstBroken: null };
}
