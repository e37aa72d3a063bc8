import { AppError, ERROR_MESSAGES } from '@vj/shared';
import type { Db, QueryOptions } from '../db/db.js';
import { sha256 } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';
import { appendAudit, auditFields, guessedHead, linkAfter, setGuessedHead, type AuditEntry, type ChainHead } from './audit-log.js';

/**
 * A change and its audit row in one statement, committed together or not at all (one implicit transaction), for
 * the writes that come in volume (petition intake). The chain lock is taken inside the database and released by
 * the statement's own commit, so it is never held across a round trip to this process.
 *
 * One such statement is in flight per process (per database), so each links to the head the one before it made.
 * Sent side by side over several connections they would reach the lock in any order, every one linked after a row
 * not yet written would fail, and the resends would feed on themselves (measured: a collapse to seconds at 200 a
 * second). What arrives while a statement is in flight waits, and goes next **together** in one statement: its
 * audit rows linked one after another, appended in that order under one lock, with one commit. A batch that fails
 * for any reason is sent again one change at a time, so one change's error (a taken case code) is its own.
 */

/** How one change's SQL is named and numbered inside a statement that may carry others. */
export interface StatementScope {
  /** The placeholder ("$7") for a parameter. */
  $: (value: unknown) => string;
  /** The name this change's CTE `base` goes by in the statement. */
  name: (base: string) => string;
}

/** A change written by data-modifying CTEs ("p AS (INSERT … RETURNING id)"), named and numbered by its scope. */
export interface AuditedChange {
  ctes: string[];
  /** The CTE whose rows say the change was made: none, and nothing is audited (an insert that met its retry). */
  gate: string;
  /**
   * CTEs (each returning rows) read before the chain lock is taken: the statement's other inserts, and the rows
   * its foreign keys point at, locked FOR KEY SHARE. A foreign key is checked at the end of the statement, so
   * without this its row lock would come after the chain lock, the reverse of a transaction that locks such a
   * row and then appends (deadlock); and the chain lock would be held through the rest of the statement.
   */
  before?: string[];
  /** Further columns of the answer (name → expression), read in the statement's snapshot: why nothing changed. */
  returning?: Record<string, string>;
}

/** Builds the change in a scope; called again for each statement it is sent in, so it must not draw anything new. */
export type ChangeBuilder = (scope: StatementScope) => AuditedChange;

/** The audit row's seq, or null when the gate made no rows; and the `returning` columns. */
export interface AuditedOutcome {
  seq: string | null;
  row: Record<string, unknown>;
}

/** SQLSTATE of audit_append_once (migration 0017) when the head it was given is not the head. */
const STALE_HEAD = 'VJ409';
/** Resends of a lone change before it falls back to a transaction that links again under the lock it holds. */
const ONCE_ATTEMPTS = 6;
/**
 * Changes sent together at most. Planning a statement grows faster than its changes: at 200 submits a second a
 * statement of 16 spent 20-140 ms in the server's bind (planning; logged by log_min_duration_statement), more per
 * change than a lone one; with at most 4 the same benchmark's p50 fell from 21-34 to 11-15 ms and p99 from 220-300
 * to 67-75 ms.
 */
export const MAX_TOGETHER = 4;
/** How long a change waits to be sent before it is answered "busy, try again" (a stuck database, not load). */
const WAIT_MS = 15_000;

interface Waiting {
  db: Db;
  build: ChangeBuilder;
  entry: AuditEntry;
  resolve: (o: AuditedOutcome) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

/** One queue per opened database (its integrity keyring), drained by one sender at a time. */
const queues = new WeakMap<IntegrityKeyring, { waiting: Waiting[]; sending: boolean }>();

export function auditedStatement(db: Db, build: ChangeBuilder, entry: AuditEntry): Promise<AuditedOutcome> {
  const keys = db.integrity;
  if (!keys) return Promise.reject(new Error('audit chain key not loaded'));
  let queue = queues.get(keys);
  if (!queue) queues.set(keys, (queue = { waiting: [], sending: false }));
  const q = queue;
  return new Promise<AuditedOutcome>((resolve, reject) => {
    const item: Waiting = {
      db,
      build,
      entry,
      resolve,
      reject,
      timer: setTimeout(() => {
        // Not yet sent, so nothing of it reaches the database: it leaves the queue and is answered now.
        const at = q.waiting.indexOf(item);
        if (at >= 0) q.waiting.splice(at, 1);
        reject(new AppError('UNAVAILABLE', ERROR_MESSAGES.storage.busy));
      }, WAIT_MS),
    };
    q.waiting.push(item);
    if (!q.sending) void drain(keys, q);
  });
}

/** Changes waiting to be sent (not the one in flight): how far intake is behind. */
export function queuedChanges(db: Db): number {
  return (db.integrity && queues.get(db.integrity)?.waiting.length) || 0;
}

async function drain(keys: IntegrityKeyring, q: { waiting: Waiting[]; sending: boolean }): Promise<void> {
  q.sending = true;
  try {
    while (q.waiting.length > 0) {
      // Consecutive changes for the same database (one keyring may serve two handles in tools and tests).
      let n = 1;
      while (n < Math.min(MAX_TOGETHER, q.waiting.length) && q.waiting[n]!.db === q.waiting[0]!.db) n++;
      const batch = q.waiting.splice(0, n);
      for (const w of batch) clearTimeout(w.timer);
      // eslint-disable-next-line no-restricted-syntax -- a batch that fails is sent again one statement at a time just below, and each reports its own failure
      if (batch.length > 1 && (await sentTogether(keys, batch).catch(() => false))) continue;
      // Alone, in order: each with its own resends and its own error.
      for (const w of batch) await linkAndSend(keys, w).then(w.resolve, w.reject);
    }
  } finally {
    q.sending = false;
  }
}

/** The statement for `batch`, each change linked after the one before, the first after `head`. */
function statementFor(keys: IntegrityKeyring, batch: Waiting[], head: ChainHead) {
  const params: unknown[] = [];
  const $ = (v: unknown) => `$${params.push(v)}`;
  const changes = batch.map((w, i) => w.build({ $, name: (base) => (batch.length === 1 ? base : `c${i}_${base}`) }));
  // Every change's `before` CTEs are read before the first append takes the lock; each later append is evaluated
  // only after the one before it (it reads that one's row), so the rows go into the chain in the order linked.
  const before = changes.flatMap((c) => c.before ?? []);
  const links: { seq: string; hash: Buffer }[] = [];
  const appends = changes.map((c, i) => {
    const { row, hash, args } = linkAfter(keys, links[i - 1] ?? head, auditFields(batch[i]!.entry));
    links.push({ seq: row.seq, hash });
    const gate = `(SELECT count(*) FROM ${c.gate})`;
    const changed = i === 0 && before.length > 0 ? `CASE WHEN ${before.map((b) => `(SELECT count(*) FROM ${b})`).join(' + ')} >= 0 THEN ${gate} END` : gate;
    const call = `audit_append_once(${changed}, ${args.map($).join(', ')}) AS s${i}`;
    return i === 0 ? `a0 AS (SELECT ${call})` : `a${i} AS (SELECT a${i - 1}.*, ${call} FROM a${i - 1})`;
  });
  const returning = changes.flatMap((c, i) => Object.entries(c.returning ?? {}).map(([name, expr]) => `${expr} AS r${i}_${name}`));
  const sql = `WITH ${changes.flatMap((c) => c.ctes).join(',\n')},\n${appends.join(',\n')}
    SELECT a${changes.length - 1}.*${returning.map((r) => `, ${r}`).join('')} FROM a${changes.length - 1}`;
  return { sql, params, links, changes };
}

/** Each change's outcome from the statement's one row, and the head its last append made. */
function outcomes(row: Record<string, unknown>, count: number, links: ChainHead[], head: ChainHead) {
  let last = head;
  const out: AuditedOutcome[] = [];
  for (let i = 0; i < count; i++) {
    const seq = row[`s${i}`];
    const mine: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) if (k.startsWith(`r${i}_`)) mine[k.slice(`r${i}_`.length)] = v;
    if (seq !== null && seq !== undefined) last = links[i]!;
    out.push({ seq: seq === null || seq === undefined ? null : String(seq), row: mine });
  }
  return { out, last };
}

/** The head the database named in a VJ409, or undefined for any other error. */
function staleHead(err: unknown): ChainHead | undefined {
  const e = err as { code?: string; detail?: string };
  if (e.code !== STALE_HEAD) return undefined;
  const [seq, hex] = (e.detail ?? '').split(' ');
  return seq && hex !== undefined ? { seq, hash: Buffer.from(hex, 'hex') } : undefined;
}

/**
 * Sends the batch as one statement, once more if another writer moved the head. False when it did not go
 * through (nothing of it committed): the caller sends its changes one at a time.
 */
async function sentTogether(keys: IntegrityKeyring, batch: Waiting[]): Promise<boolean> {
  let head = guessedHead(keys);
  for (let attempt = 0; attempt < 2; attempt++) {
    let links: ChainHead[] = [];
    try {
      // Built inside the try: a builder that throws means nothing was sent, and each change goes alone (where
      // that one fails by itself).
      const statement = statementFor(keys, batch, head);
      links = statement.links;
      const r = await batch[0]!.db.query<Record<string, unknown>>(statement.sql, statement.params, prepared(statement.sql));
      const { out, last } = outcomes(r.rows[0] ?? {}, batch.length, links, head);
      setGuessedHead(keys, last);
      out.forEach((o, i) => batch[i]!.resolve(o));
      return true;
    } catch (err) {
      const named = staleHead(err);
      // The head it names is one of this batch's own rows (rolled back now): a change ahead of others made
      // nothing, so the next one's link was wrong, and sending it together again would fail the same way.
      const own = named !== undefined && links.some((l) => l.seq === named.seq && l.hash.equals(named.hash));
      setGuessedHead(keys, named && !own ? named : head);
      if (!named || own) return false;
      head = named;
    }
  }
  return false;
}

/** Statement texts sent prepared (one per shape: how many changes, accused, with or without identity, …), bounded. */
const preparedShapes = new Set<string>();
const MAX_PREPARED_SHAPES = 48;

/**
 * A statement goes as a prepared statement named for its text: the same shapes come again and again (one petition
 * with one accused, or two together), and planning the statement's many CTEs anew each time was a good part of the
 * time the one statement in flight holds every submit behind it. After a few runs the server keeps one plan. They go
 * to the connection kept for them (`ownConnection`): the server keeps a plan per connection, and one statement is in
 * flight at a time anyway. Same-run A/B at 200 a second (two runs each): p50 13.9/14.1 ms on the pool, 8.9/9.6 ms on
 * its own connection.
 */
function prepared(sql: string): QueryOptions {
  const name = `vj_as_${sha256(sql).toString('hex').slice(0, 24)}`;
  if (!preparedShapes.has(name)) {
    if (preparedShapes.size >= MAX_PREPARED_SHAPES) return { ownConnection: true };
    preparedShapes.add(name);
  }
  return { prepare: name, ownConnection: true };
}

async function linkAndSend(keys: IntegrityKeyring, w: Waiting): Promise<AuditedOutcome> {
  let head = guessedHead(keys);
  for (let attempt = 0; attempt < ONCE_ATTEMPTS; attempt++) {
    const { sql, params, links } = statementFor(keys, [w], head);
    try {
      const r = await w.db.query<Record<string, unknown>>(sql, params, prepared(sql));
      const { out, last } = outcomes(r.rows[0] ?? {}, 1, links, head);
      setGuessedHead(keys, last);
      return out[0]!;
    } catch (err) {
      const named = staleHead(err);
      // Rolled back for its own reasons (a taken case code, a bad reference): nothing was appended.
      setGuessedHead(keys, named ?? head);
      if (!named) throw err;
      head = named;
    }
  }
  return w.db.tx(async (q) => {
    const params: unknown[] = [];
    const c = w.build({ $: (v) => `$${params.push(v)}`, name: (base) => base });
    const returning = Object.entries(c.returning ?? {})
      .map(([name, expr]) => `, ${expr} AS ${name}`)
      .join('');
    const r = await q.query<{ changed: string } & Record<string, unknown>>(
      `WITH ${c.ctes.join(',\n')} SELECT (SELECT count(*) FROM ${c.gate}) AS changed${returning}`,
      params,
    );
    const { changed, ...row } = r.rows[0] ?? { changed: '0' };
    if (Number(changed) === 0) return { seq: null, row };
    const a = await appendAudit(q, w.entry);
    return { seq: a.seq, row };
  });
}
