import type { Queryable } from '../db/db.js';
import { chainHash, isSuite, keyedChainHash } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';
import { GENESIS, canonicalRow, type AuditRow } from './audit-log.js';
import type { Checkpoint } from './checkpoints.js';

export type ChainProblem = 'missing row' | 'edited row' | 'broken link' | 'anchor mismatch' | 'checkpoint mismatch' | 'unkeyed row';

export interface VerifyResult {
  ok: boolean;
  rows: number;
  head: { seq: string; hash: string } | null;
  /** The first row where the chain breaks, and how. */
  firstBroken: { seq: string; problem: ChainProblem } | null;
  /** The newest signed checkpoint the chain was held against (rows cut from the end show against it). */
  checkpoint: { seq: string; at: string } | null;
}

export interface VerifyOptions {
  keys?: IntegrityKeyring | undefined;
  /** A seq and hash recorded elsewhere by hand (the older way to catch rows cut from the end). */
  anchor?: { seq: string; hash: string } | undefined;
  /** Signed checkpoints written outside the database (see checkpoints.ts); forged lines were dropped already. */
  checkpoints?: Checkpoint[] | undefined;
  /** Start after a row already verified (the checkpoint job verifies only what is new). */
  from?: { seq: string; hash: string } | undefined;
}

/**
 * Walks the chain in order. A deleted row shows as a gap in seq, an edited or reordered row as a link that no
 * longer matches, a spliced chain as a prev_hash that does not match its predecessor. Links are MACs keyed by
 * the integrity key, so a forged row appended with a correct-looking hash fails too. Rows made before the chain
 * was keyed ('legacy') are covered by the first keyed link after them; a legacy row after a keyed one is forged.
 * Rows cut from the end are caught against the checkpoints (and an optional hand-kept anchor).
 */
export async function verifyAuditChain(q: Queryable & { integrity?: IntegrityKeyring | undefined }, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const keys = opts.keys ?? q.integrity;
  if (!keys) throw new Error('audit chain key not loaded');
  // Every hash signed for a seq, not only the newest: rows cut from the end and appended again re-use their seqs, and
  // a later checkpoint of the new rows must not hide the earlier one of the rows cut (two hashes for one seq is a
  // rewrite; no row can match both).
  const marks = new Map<string, string[]>();
  const mark = (seq: string, hash: string) => marks.set(seq, [...new Set([...(marks.get(seq) ?? []), hash])]);
  for (const c of opts.checkpoints ?? []) mark(c.seq, c.hash);
  if (opts.anchor) mark(opts.anchor.seq, opts.anchor.hash);
  const newest = (opts.checkpoints ?? []).reduce<Checkpoint | null>((a, c) => (!a || BigInt(c.seq) > BigInt(a.seq) ? c : a), null);
  const furthest = [...marks.keys()].reduce((m, s) => (BigInt(s) > m ? BigInt(s) : m), 0n);

  let prev: Buffer = opts.from ? Buffer.from(opts.from.hash, 'hex') : GENESIS;
  let expected = opts.from ? BigInt(opts.from.seq) + 1n : 1n;
  let keyedSeen = false;
  let rows = 0;
  let head: VerifyResult['head'] = opts.from ?? null;
  const checkpoint = newest ? { seq: newest.seq, at: newest.at } : null;
  const broken = (seq: string, problem: ChainProblem): VerifyResult => ({ ok: false, rows, head, firstBroken: { seq, problem }, checkpoint });
  if (opts.from) {
    // The row verified last time must still be there as it was: rows cut back past it show at once.
    const r = await q.query<{ suite: string; hash: Buffer }>('SELECT suite, hash FROM audit_log WHERE seq = $1', [opts.from.seq]);
    const row = r.rows[0];
    if (!row) return broken(opts.from.seq, 'missing row');
    if (row.hash.toString('hex') !== opts.from.hash) return broken(opts.from.seq, 'checkpoint mismatch');
    keyedSeen = row.suite !== 'legacy';
  }
  for (;;) {
    // A few hundred rows at a time: each batch is checked in one synchronous stretch, and the checkpoint job runs
    // this on a serving node (its first pass walks the whole chain). At 1,000 a batch that stretch was 50-100 ms of
    // every request on the node waiting (seen as the submit benchmark's p99); at 200 it is a fifth of that.
    const batch = await q.query<AuditRow>('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 200', [expected.toString()]);
    if (batch.rows.length === 0) break;
    for (const r of batch.rows) {
      const seq = BigInt(r.seq);
      if (seq !== expected) return broken(expected.toString(), 'missing row');
      if (!r.prev_hash.equals(prev)) return broken(r.seq, 'broken link');
      let hash: Buffer;
      if (r.suite === 'legacy') {
        if (keyedSeen) return broken(r.seq, 'unkeyed row');
        hash = chainHash(prev, canonicalRow(r));
      } else if (isSuite(r.suite)) {
        keyedSeen = true;
        hash = keyedChainHash(r.suite, keys.key('audit-chain', r.suite), prev, canonicalRow(r));
      } else {
        return broken(r.seq, 'edited row');
      }
      if (!hash.equals(r.hash)) return broken(r.seq, 'edited row');
      const signed = marks.get(r.seq);
      if (signed?.some((h) => h !== r.hash.toString('hex'))) return broken(r.seq, opts.anchor?.seq === r.seq ? 'anchor mismatch' : 'checkpoint mismatch');
      prev = r.hash;
      expected = seq + 1n;
      rows++;
      head = { seq: r.seq, hash: r.hash.toString('hex') };
    }
  }
  // A checkpoint or anchor beyond the last row: rows were cut from the end.
  if (furthest >= expected) return broken(expected.toString(), 'missing row');
  return { ok: true, rows, head, firstBroken: null, checkpoint };
}
