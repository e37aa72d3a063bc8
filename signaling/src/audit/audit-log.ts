import type { AuditAction, Role } from '@vj/shared';
import type { Tx } from '../db/db.js';
import { keyedChainHash } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';

// The list is shared with the console, which labels every action in Chinese.
export { AUDIT_ACTIONS, type AuditAction } from '@vj/shared';

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

/** An audit row as it leaves the server (the audit page, a signed export, a syslog message): ids only. */
export function auditRowFields(a: AuditRow) {
  return {
    seq: a.seq,
    at: a.at.toISOString(),
    actorId: a.actor_id,
    actorRole: a.actor_role,
    action: a.action,
    objectType: a.object_type,
    objectId: a.object_id,
    townshipCode: a.township_code,
    details: a.details,
  };
}

export const GENESIS: Buffer = Buffer.alloc(32);
/** Arbitrary constant: the advisory lock that serialises appends to the chain. */
const AUDIT_LOCK = 730_412_002;
/**
 * The chain head each database's last append left, keyed by its integrity keyring (one per opened database).
 * Only a guess: the database checks it under the lock and answers with the real head when it is wrong.
 */
const expectedHead = new WeakMap<object, { seq: string; hash: Buffer }>();

export type ChainHead = { seq: string; hash: Buffer };
/** The head this process expects its next append to link after. */
export const guessedHead = (keys: object): ChainHead => expectedHead.get(keys) ?? { seq: '0', hash: GENESIS };
/** Puts the guess back (an append that did not happen) or on (an append that did, or a head the database named). */
export const setGuessedHead = (keys: object, head: ChainHead): void => void expectedHead.set(keys, head);

function canonicalDetails(d: AuditDetails): string {
  return JSON.stringify(
    Object.keys(d)
      .sort()
      .map((k) => [k, d[k]]),
  );
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

export function auditFields(e: AuditEntry): Omit<AuditRow, 'seq' | 'prev_hash' | 'hash' | 'suite'> {
  return {
    at: new Date(),
    actor_id: e.actorId,
    actor_role: e.actorRole,
    action: e.action,
    object_type: e.objectType ?? null,
    object_id: e.objectId ?? null,
    township_code: e.townshipCode ?? null,
    details: e.details ?? {},
  };
}

/**
 * The row linked after `head`, and the 13 arguments audit_append and audit_append_once take for it. The next
 * append in this process links after this one: appends queued behind the lock then arrive with the right guess,
 * in order, instead of all guessing the head they saw before the queue formed.
 */
export function linkAfter(keys: IntegrityKeyring, head: { seq: string; hash: Buffer }, fields: ReturnType<typeof auditFields>) {
  const row = { ...fields, seq: String(BigInt(head.seq) + 1n) };
  const hash = keyedChainHash(keys.suite, keys.key('audit-chain'), head.hash, canonicalRow(row));
  expectedHead.set(keys, { seq: row.seq, hash });
  const args = [
    AUDIT_LOCK,
    head.seq,
    head.hash,
    row.at.toISOString(),
    row.actor_id,
    row.actor_role,
    row.action,
    row.object_type,
    row.object_id,
    row.township_code,
    JSON.stringify(row.details),
    hash,
    keys.suite,
  ];
  return { row, hash, args };
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
  const fields = auditFields(e);
  // Linked to the head this process expects, before the lock; audit_append (migration 0011) takes the lock,
  // checks the head and inserts in one round trip. When the guess is wrong (another node appended, or a
  // transaction rolled back), it returns the real head and the second call, under the lock now held, succeeds.
  let head = guessedHead(keys);
  for (let attempt = 0; attempt < 2; attempt++) {
    const { row, hash, args } = linkAfter(keys, head, fields);
    const r = await q.query<{ appended: boolean; head_seq: string; head_hash: Buffer }>(
      'SELECT appended, head_seq, head_hash FROM audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)',
      args,
    );
    const out = r.rows[0]!;
    if (out.appended) return { seq: row.seq, hash };
    head = { seq: String(out.head_seq), hash: out.head_hash };
  }
  throw new Error('audit chain head moved while its lock was held');
}
