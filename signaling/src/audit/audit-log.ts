import { CASE_ACTIONS, type Role } from '@vj/shared';
import type { Tx } from '../db/db.js';
import { chainHash } from '../security/crypto.js';

export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.refresh_reuse',
  'auth.refused',
  'user.disable',
  'user.enable',
  'kiosk.revoke',
  'petition.create',
  'petition.refer',
  'identity.reveal',
  'attachment.upload',
  'attachment.download',
  'receipt.lookup',
  'receipt.lookup_failed',
  'keys.rotate',
  'session.mode',
  'session.private',
  'session.staff_intake',
  ...CASE_ACTIONS.map((a) => `case.${a}` as const),
  'case.escalate',
  'case.policy',
  'registry.import',
  'recording.pause',
  'recording.resume',
  'recording.playback',
  'recording.verify',
  'recording.grant',
  'recording.purge',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Details are ids, codes, counts and officers' stated reasons; never identity or narrative. */
export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  actorId: string | null;
  actorRole: Role | null;
  action: AuditAction;
  objectType?: string;
  objectId?: string;
  townshipCode?: string | null;
  details?: AuditDetails;
}

export interface AuditRow {
  seq: string;
  at: Date;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  township_code: string | null;
  details: AuditDetails;
  prev_hash: Buffer;
  hash: Buffer;
}

export const GENESIS: Buffer = Buffer.alloc(32);
/** Arbitrary constant: the advisory lock that serialises appends to the chain. */
const AUDIT_LOCK = 730_412_002;

function canonicalDetails(d: AuditDetails): string {
  return JSON.stringify(Object.keys(d).sort().map((k) => [k, d[k]]));
}

/** The exact text a row's hash covers; the verifier rebuilds it from the stored columns. */
export function canonicalRow(r: Omit<AuditRow, 'prev_hash' | 'hash'>): string {
  return JSON.stringify([
    String(r.seq),
    r.at.toISOString(),
    r.actor_id,
    r.actor_role,
    r.action,
    r.object_type,
    r.object_id,
    r.township_code,
    canonicalDetails(r.details),
  ]);
}

/**
 * Appends one row to the chain inside the caller's transaction, so the row commits with the change it
 * records or not at all. Call it last in the transaction: it holds the chain lock until commit.
 */
export async function appendAudit(q: Tx, e: AuditEntry): Promise<{ seq: string; hash: Buffer }> {
  await q.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const last = await q.query<{ seq: string; hash: Buffer }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const prev = last.rows[0]?.hash ?? GENESIS;
  const row = {
    seq: String(BigInt(last.rows[0]?.seq ?? '0') + 1n),
    at: new Date(),
    actor_id: e.actorId,
    actor_role: e.actorRole,
    action: e.action,
    object_type: e.objectType ?? null,
    object_id: e.objectId ?? null,
    township_code: e.townshipCode ?? null,
    details: e.details ?? {},
  };
  const hash = chainHash(prev, canonicalRow(row));
  await q.query(
    `INSERT INTO audit_log (seq, at, actor_id, actor_role, action, object_type, object_id, township_code, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [row.seq, row.at.toISOString(), row.actor_id, row.actor_role, row.action, row.object_type, row.object_id, row.township_code, JSON.stringify(row.details), prev, hash],
  );
  return { seq: row.seq, hash };
}
