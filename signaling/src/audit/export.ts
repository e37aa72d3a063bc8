import type { Queryable } from '../db/db.js';
import { SUITES, mac, type SuiteId } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';
import { auditRowFields, type AuditRow } from './audit-log.js';

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

/** The audit rows of a range of China days, both ends included, in chain order. */
export async function auditRowsBetween(q: Queryable, from: string, to: string): Promise<AuditRow[]> {
  const r = await q.query<AuditRow>(
    `SELECT * FROM audit_log WHERE at >= ($1 || 'T00:00:00+08:00')::timestamptz AND at < (($2::date + 1)::text || 'T00:00:00+08:00')::timestamptz ORDER BY seq LIMIT $3`,
    [from, to, EXPORT_MAX_ROWS + 1],
  );
  return r.rows;
}

const line = (a: AuditRow) =>
  JSON.stringify({
    ...auditRowFields(a),
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
 * range, fails `verifyExport` (`npm run audit:verify-export`).
 */
export function exportLines(keys: IntegrityKeyring, rows: AuditRow[], from: string, to: string, now = new Date()): string {
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

export type ExportCheck = { ok: true; rows: number; from: string; to: string } | { ok: false; problem: string };

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
  return { ok: true, rows: count, from: sig.from, to: sig.to };
}
