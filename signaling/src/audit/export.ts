import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { SUITES, chainHash, isSuite, keyedChainHash, mac, type SuiteId } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';
import { ABOUT_SEALED, SEALED_MATTERS, redactedRowFields, type CheckedAuditRow } from './about-sealed.js';
import { auditRowFields, canonicalRow } from './audit-log.js';

/** More rows than this in one file is a range to split, not one download held in memory. */
export const EXPORT_MAX_ROWS = 200_000;

export interface ExportSignature {
  type: 'signature';
  from: string;
  to: string;
  rows: number;
  firstSeq: string | null;
  lastSeq: string | null;
  exportedAt: string;
  suite: SuiteId;
  mac: string;
}

/** The audit rows of a range of China days, both ends included, in chain order, each saying whether it is about a sealed matter. */
export async function auditRowsBetween(q: Queryable, from: string, to: string): Promise<CheckedAuditRow[]> {
  const r = await q.query<CheckedAuditRow>(
    `WITH ${SEALED_MATTERS}
     SELECT a.*, ${ABOUT_SEALED} AS about_sealed FROM audit_log a
     WHERE a.at >= ($1 || 'T00:00:00+08:00')::timestamptz AND a.at < (($2::date + 1)::text || 'T00:00:00+08:00')::timestamptz ORDER BY a.seq LIMIT $3`,
    [from, to, EXPORT_MAX_ROWS + 1],
  );
  return r.rows;
}

/**
 * A row about a sealed matter is redacted (issue 16): a matter sealed today may have rows from before the seal whose
 * details name its category, class, township or a reveal's reason. Its link stays, so the chain still holds across it.
 */
const line = (a: CheckedAuditRow) =>
  JSON.stringify({
    ...(a.about_sealed ? redactedRowFields(a) : auditRowFields(a)),
    suite: a.suite,
    prevHash: a.prev_hash.toString('hex'),
    hash: a.hash.toString('hex'),
  });

const sign = (keys: IntegrityKeyring, suite: SuiteId, body: string, meta: Omit<ExportSignature, 'mac'>) =>
  mac(suite, keys.key('audit-export', suite), body, JSON.stringify(meta)).toString('hex');

/**
 * JSON lines: one per audit row (with its chain link, so the rows can also be held against the chain), then one
 * signature line: the range, the count, the first and last sequence number and a MAC over every byte before it
 * under the integrity key's export subkey. A row changed, dropped, added or reordered in the file, or a changed
 * range, fails `verifyExport` (`npm run audit:verify-export`). Rows about a sealed matter are redacted (see `line`).
 */
export function exportLines(keys: IntegrityKeyring, rows: CheckedAuditRow[], from: string, to: string, now = new Date()): string {
  const body = rows.map((r) => `${line(r)}\n`).join('');
  const meta: Omit<ExportSignature, 'mac'> = {
    type: 'signature',
    from,
    to,
    rows: rows.length,
    firstSeq: rows[0]?.seq ?? null,
    lastSeq: rows.at(-1)?.seq ?? null,
    exportedAt: now.toISOString(),
    suite: keys.suite,
  };
  return `${body}${JSON.stringify({ ...meta, mac: sign(keys, keys.suite, body, meta) })}\n`;
}

export type ExportCheck = { ok: true; rows: number; redacted: number; from: string; to: string } | { ok: false; problem: string };

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);
const link = {
  seq: z.string().regex(/^\d+$/),
  at: z.iso.datetime(),
  action: z.string(),
  objectType: z.string().nullable(),
  suite: z.string(),
  prevHash: hex32,
  hash: hex32,
};
/** A row line as `line` writes it: whole, or redacted (no actor, object, township or details). Strict: nothing else. */
const ExportRow = z.union([
  z.strictObject({ ...link, redacted: z.literal(true) }),
  z.strictObject({
    ...link,
    actorId: z.string().nullable(),
    actorRole: z.string().nullable(),
    objectId: z.string().nullable(),
    townshipCode: z.string().nullable(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  }),
]);

/**
 * The rows held against the chain, as far as a file can be: each row links to the one before it (its prevHash is
 * that row's hash, its seq the next number), and the link of every whole row is computed again from its fields
 * under the chain key. A redacted row's fields are not in the file, so its link cannot be computed: it is accepted
 * by continuity alone, and a changed one shows at the next row, whose prevHash no longer matches or whose own
 * link, computed from that prevHash, no longer does. A run of redacted rows is pinned at both ends by the whole
 * rows around it; the links inside the run, a redacted row at either end of the file and what a redacted row still
 * says (time, action) are held by the signature alone.
 */
function chainProblem(keys: IntegrityKeyring, body: string): { problem: string } | { redacted: number } {
  let prev: { seq: bigint; hash: string } | null = null;
  let redacted = 0;
  for (const [i, text] of body.split('\n').slice(0, -1).entries()) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { problem: `line ${i + 1} is not JSON` };
    }
    const parsed = ExportRow.safeParse(json);
    if (!parsed.success) return { problem: `line ${i + 1} is not an audit row` };
    const r = parsed.data;
    if (prev && BigInt(r.seq) !== prev.seq + 1n) return { problem: `row ${r.seq} does not follow row ${prev.seq}` };
    if (prev && r.prevHash !== prev.hash) return { problem: `row ${r.seq} does not link to row ${prev.seq}` };
    if ('redacted' in r) redacted++;
    else {
      const fields = {
        seq: r.seq,
        at: new Date(r.at),
        actor_id: r.actorId,
        actor_role: r.actorRole,
        action: r.action,
        object_type: r.objectType,
        object_id: r.objectId,
        township_code: r.townshipCode,
        details: r.details,
      };
      const prevHash = Buffer.from(r.prevHash, 'hex');
      let hash: Buffer;
      if (r.suite === 'legacy') hash = chainHash(prevHash, canonicalRow(fields));
      else if (isSuite(r.suite)) hash = keyedChainHash(r.suite, keys.key('audit-chain', r.suite), prevHash, canonicalRow(fields));
      else return { problem: `row ${r.seq} names no known suite` };
      if (hash.toString('hex') !== r.hash) return { problem: `row ${r.seq} does not match its chain link` };
    }
    prev = { seq: BigInt(r.seq), hash: r.hash };
  }
  return { redacted };
}

export function verifyExport(keys: IntegrityKeyring, text: string): ExportCheck {
  const trimmed = text.endsWith('\n') ? text.slice(0, -1) : text;
  const cut = trimmed.lastIndexOf('\n');
  const body = cut < 0 ? '' : trimmed.slice(0, cut + 1);
  let sig: ExportSignature;
  try {
    sig = JSON.parse(trimmed.slice(cut + 1)) as ExportSignature;
  } catch {
    return { ok: false, problem: 'the last line is not a signature' };
  }
  if (sig.type !== 'signature' || !SUITES.includes(sig.suite)) return { ok: false, problem: 'the last line is not a signature' };
  const { mac: claimed, ...meta } = sig;
  if (sign(keys, sig.suite, body, meta) !== claimed) return { ok: false, problem: 'the signature does not match the rows and range' };
  const count = body ? body.split('\n').length - 1 : 0;
  if (count !== sig.rows) return { ok: false, problem: `the signature counts ${sig.rows} rows, the file holds ${count}` };
  const chain = chainProblem(keys, body);
  if ('problem' in chain) return { ok: false, problem: chain.problem };
  return { ok: true, rows: count, redacted: chain.redacted, from: sig.from, to: sig.to };
}
