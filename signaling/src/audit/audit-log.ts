import { AppError, type AuditAction, type Role } from '@vj/shared';
import type { Db, Tx } from '../db/db.js';
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

function auditFields(e: AuditEntry): Omit<AuditRow, 'seq' | 'prev_hash' | 'hash' | 'suite'> {
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
function linkAfter(keys: IntegrityKeyring, head: { seq: string; hash: Buffer }, fields: ReturnType<typeof auditFields>) {
  const row = { ...fields, seq: String(BigInt(head.seq) + 1n) };
  const hash = keyedChainHash(keys.suite, keys.key('audit-chain'), head.hash, canonicalRow(row));
  expectedHead.set(keys, { seq: row.seq, hash });
  const args = [AUDIT_LOCK, head.seq, head.hash, row.at.toISOString(), row.actor_id, row.actor_role, row.action, row.object_type, row.object_id, row.township_code, JSON.stringify(row.details), hash, keys.suite];
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
  let head = expectedHead.get(keys) ?? { seq: '0', hash: GENESIS };
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

/** SQLSTATE of audit_append_once (migration 0017) when the head it was given is not the head. */
const STALE_HEAD = 'VJ409';
/** Resends before falling back to a transaction that links again under the lock it holds (always progresses). */
const ONCE_ATTEMPTS = 6;

/** A change written by data-modifying CTEs, numbered from $1 ("p AS (INSERT … RETURNING id), k AS (…)"). */
export interface AuditedChange {
  ctes: string;
  params: unknown[];
  /** The CTE whose rows say the change was made: none, and nothing is audited (an insert that met its retry). */
  gate: string;
  /**
   * CTEs (each returning rows) read before the chain lock is taken: the statement's other inserts, and the rows
   * its foreign keys point at, locked FOR KEY SHARE. A foreign key is checked at the end of the statement, so
   * without this its row lock would come after the chain lock, the reverse of a transaction that locks such a
   * row and then appends (deadlock); and the chain lock would be held through the rest of the statement.
   */
  before?: string[];
  /** Further columns of the statement's answer ("expr AS name, …"), read in its snapshot: why nothing changed. */
  returning?: string;
}

/** The audit row's seq, or null when the gate made no rows; and the `returning` columns. */
export interface AuditedOutcome {
  seq: string | null;
  row: Record<string, unknown>;
}

/**
 * A change and its audit row in one statement, committed together or not at all (one implicit transaction),
 * for the writes that come in volume (petition intake). The chain lock is taken inside the database and
 * released by the statement's own commit, so it is never held across a round trip to this process and its
 * event loop. A head that moved under the guess (another node, or a concurrent append that reached the lock
 * first) rolls the statement back and it is sent again, linked to the real head; after a few such misses the
 * change runs in a transaction instead, whose append links again under the lock it holds.
 */
export async function auditedStatement(db: Db, change: AuditedChange, e: AuditEntry): Promise<AuditedOutcome> {
  const keys = db.integrity;
  if (!keys) throw new Error('audit chain key not loaded');
  const n = change.params.length;
  const sql = `WITH ${change.ctes}, audit AS (
      SELECT audit_append_once(${changedSql(change)}, $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8}, $${n + 9}, $${n + 10}, $${n + 11}, $${n + 12}, $${n + 13}) AS seq)
    SELECT seq${change.returning ? `, ${change.returning}` : ''} FROM audit`;
  // One such statement in flight per process (per database): each then links to the head the previous one
  // made, exactly. Sent side by side over several connections they reach the lock in any order, every one
  // linked after a row not yet written fails, and the resends feed on themselves (measured: a collapse to
  // seconds at 200 a second). The turn is one round trip, with no lock held across it.
  const release = await takeTurn(keys);
  try {
    return await linkAndSend(db, keys, sql, change, e);
  } finally {
    release();
  }
}

/**
 * The number of rows the gate made, read only after every `before` CTE: a CASE evaluates its condition first,
 * and the function's argument is evaluated before the function takes the lock.
 */
function changedSql(change: AuditedChange): string {
  const gate = `(SELECT count(*) FROM ${change.gate})`;
  if (!change.before?.length) return gate;
  return `CASE WHEN ${change.before.map((c) => `(SELECT count(*) FROM ${c})`).join(' + ')} >= 0 THEN ${gate} END`;
}

const turns = new WeakMap<object, Promise<void>>();
/** How long a write waits for its turn before it is answered "busy, try again" (a stuck database, not load). */
const TURN_WAIT_MS = 15_000;

/**
 * Waits for the previous holder's turn to end; the returned function ends this one. A write that gives up waiting
 * still keeps its place: its turn ends as soon as the one before it does, so those queued behind keep their order.
 */
async function takeTurn(keys: object): Promise<() => void> {
  const before = turns.get(keys) ?? Promise.resolve();
  let end!: () => void;
  const mine = new Promise<void>((resolve) => (end = resolve));
  turns.set(keys, before.then(() => mine));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), TURN_WAIT_MS)));
  const outcome = await Promise.race([before.then(() => 'ready' as const), late]).finally(() => clearTimeout(timer));
  if (outcome === 'late') {
    void before.then(end);
    throw new AppError('UNAVAILABLE', '系统繁忙，请稍后重试。');
  }
  return end;
}

async function linkAndSend(db: Db, keys: IntegrityKeyring, sql: string, change: AuditedChange, e: AuditEntry): Promise<AuditedOutcome> {
  let head = expectedHead.get(keys) ?? { seq: '0', hash: GENESIS };
  for (let attempt = 0; attempt < ONCE_ATTEMPTS; attempt++) {
    const { row, args } = linkAfter(keys, head, auditFields(e));
    try {
      const r = await db.query<{ seq: string | null } & Record<string, unknown>>(sql, [...change.params, ...args]);
      const out = r.rows[0] ?? { seq: null };
      if (out.seq === null || out.seq === undefined) {
        // Nothing changed, nothing appended: the guess goes back to the head it was.
        if (expectedHead.get(keys)?.seq === row.seq) expectedHead.set(keys, head);
        return { seq: null, row: out };
      }
      return { seq: String(out.seq), row: out };
    } catch (err) {
      const pgErr = err as { code?: string; detail?: string };
      if (pgErr.code !== STALE_HEAD) {
        // Rolled back for its own reasons (a taken case code, a bad reference): nothing was appended.
        if (expectedHead.get(keys)?.seq === row.seq) expectedHead.set(keys, head);
        throw err;
      }
      const [seq, hex] = (pgErr.detail ?? '').split(' ');
      if (!seq || hex === undefined) throw err;
      head = { seq, hash: Buffer.from(hex, 'hex') };
      expectedHead.set(keys, head);
    }
  }
  return db.tx(async (q) => {
    const r = await q.query<{ changed: string } & Record<string, unknown>>(
      `WITH ${change.ctes} SELECT (SELECT count(*) FROM ${change.gate}) AS changed${change.returning ? `, ${change.returning}` : ''}`,
      change.params,
    );
    const out = r.rows[0] ?? { changed: '0' };
    if (Number(out.changed) === 0) return { seq: null, row: out };
    const a = await appendAudit(q, e);
    return { seq: a.seq, row: out };
  });
}
