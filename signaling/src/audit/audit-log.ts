import { CASE_ACTIONS, type Role } from '@vj/shared';
import type { Tx } from '../db/db.js';
import { keyedChainHash } from '../security/crypto.js';

export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.refresh_reuse',
  'auth.refused',
  'user.disable',
  'user.enable',
  'user.link',
  'user.unlink',
  'kiosk.revoke',
  'petition.create',
  'petition.refer',
  'identity.reveal',
  'attachment.upload',
  'attachment.download',
  'attachment.discard',
  'receipt.lookup',
  'receipt.lookup_failed',
  'keys.rotate',
  'keys.split',
  'keys.recover',
  'integrity.failure',
  'integrity.sealed',
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
  'recording.finalize',
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
  /** 'legacy' (plain SHA-256, before the chain was keyed) or the crypto suite of the keyed link. */
  suite: string;
}

export const GENESIS: Buffer = Buffer.alloc(32);
/** Arbitrary constant: the advisory lock that serialises appends to the chain. */
const AUDIT_LOCK = 730_412_002;

function canonicalDetails(d: AuditDetails): string {
  return JSON.stringify(Object.keys(d).sort().map((k) => [k, d[k]]));
}

/** The exact text a row's hash covers; the verifier rebuilds it from the stored columns. */
export function canonicalRow(r: Omit<AuditRow, 'prev_hash' | 'hash' | 'suite'>): string {
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
 * records or not at all. Call it last in the transaction: it holds the chain lock until commit. The link is a
 * MAC keyed by the integrity key (never in the database in the clear): without the keys loaded, nothing is
 * audited and so nothing audited happens (fail closed).
 */
export async function appendAudit(q: Tx, e: AuditEntry): Promise<{ seq: string; hash: Buffer }> {
  const keys = q.integrity;
  if (!keys) throw new Error('audit chain key not loaded');
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
  const hash = keyedChainHash(keys.suite, keys.key('audit-chain'), prev, canonicalRow(row));
  await q.query(
    `INSERT INTO audit_log (seq, at, actor_id, actor_role, action, object_type, object_id, township_code, details, prev_hash, hash, suite)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [row.seq, row.at.toISOString(), row.actor_id, row.actor_role, row.action, row.object_type, row.object_id, row.township_code, JSON.stringify(row.details), prev, hash, keys.suite],
  );
  return { seq: row.seq, hash };
}
