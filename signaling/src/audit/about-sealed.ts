import { namedAsAccused } from '../cases/conflicts.js';
import type { AuditRow } from './audit-log.js';

/**
 * SQL for a WITH list: the sealed matters (密封事项), by petition id and the call they came from. Sealed matters are
 * few, so their ids are gathered once per query.
 */
export const SEALED_MATTERS = `sealed AS (SELECT id::text AS pid, session_id FROM petitions WHERE sealed)`;

/** SQL: audit row `a` is about one of the matters in WITH entry `cte` (columns pid, session_id): see ABOUT_SEALED. */
const aboutMatters = (cte: string) => `coalesce(a.object_id IN (SELECT pid FROM ${cte}) OR a.details->>'petitionId' IN (SELECT pid FROM ${cte})
  OR (a.object_type = 'recording' AND a.object_id IN (SELECT r.id::text FROM recordings r JOIN ${cte} s ON r.session_id = s.session_id))
  OR (a.object_type = 'session' AND a.object_id IN (SELECT session_id::text FROM ${cte}))
  OR a.details->>'sessionId' IN (SELECT session_id::text FROM ${cte}), false)`;

/**
 * SQL: audit row `a` is about a sealed matter: the petition or its identity, an attachment of it, or the call it came
 * from and its recording, or names that call in its details (a participant taken out of it: session.withdraw, whose
 * cause would tell the reader a sealed matter, or one naming them, came from that call). Needs `SEALED_MATTERS` in
 * the query's WITH list. (A row without an object or a petitionId compares to NULL: coalesced, or NOT would drop it.)
 * One definition for every way a row leaves the server: the audit page, the export and the syslog feed.
 */
export const ABOUT_SEALED = aboutMatters('sealed');

/**
 * SQL for a WITH list: the matters that name the user in parameter `$n` as accused (回避, issue 16), sealed or not,
 * by petition id and the call they came from.
 */
export const NAMED_MATTERS = (n: number) => `named AS (SELECT p.id::text AS pid, p.session_id FROM petitions p WHERE ${namedAsAccused(n, 'p')})`;

/** SQL: audit row `a` is about a matter that names the reader, as ABOUT_SEALED is. Needs `NAMED_MATTERS` in the WITH list. */
export const ABOUT_NAMED = aboutMatters('named');

/** An audit row read with `ABOUT_SEALED AS about_sealed`. */
export type CheckedAuditRow = AuditRow & { about_sealed: boolean };

/**
 * What a row about a sealed matter keeps when it leaves the server as a file or a syslog message: that something
 * happened, when, and to what kind of object. Who did it, which matter, where and the details (category, class,
 * township, a reveal's reason: rows written before the matter was sealed carry them) stay in the database, where
 * the chain still covers them. The exported chain link (prevHash, hash) is kept, so the rows around it still verify.
 */
export function redactedRowFields(a: AuditRow) {
  return { seq: a.seq, at: a.at.toISOString(), action: a.action, objectType: a.object_type, redacted: true as const };
}
