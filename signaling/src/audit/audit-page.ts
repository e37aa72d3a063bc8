import { AppError, type AuditEntryView, type AuditPageAnswer, type AuditQuery, ERROR_MESSAGES } from '@vj/shared';
import type { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { ABOUT_NAMED, ABOUT_SEALED, NAMED_MATTERS, SEALED_MATTERS } from './about-sealed.js';
import { appendAudit, auditRowFields, type AuditRow } from './audit-log.js';
import { EXPORT_MAX_ROWS, auditRowsBetween, exportLines } from './export.js';

/**
 * One page of the audit log, newest first, filtered by actor, object, action; `before` pages back by sequence.
 * A sealed matter enters no list (issue 16): the supervisor's page leaves out every row about one, including those
 * written before it was sealed; the audit administrator, who must see the whole trail, sees that such rows exist
 * (time, actor, action, object id) but not their township or details. Nor does the supervisor see the rows about a
 * matter that names them as accused (回避): what was done about it, by whom, would tell them about the case against them.
 */
export async function auditPage(db: Queryable, principal: Claims, query: z.output<typeof AuditQuery>): Promise<AuditPageAnswer> {
  const whole = principal.role === 'audit_admin';
  const r = await db.query<AuditRow & { actor_name: string | null; about_sealed: boolean }>(
    `WITH ${SEALED_MATTERS}, ${NAMED_MATTERS(7)}
     SELECT a.*, u.display_name AS actor_name, ${ABOUT_SEALED} AS about_sealed FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
     WHERE ($1::uuid IS NULL OR a.actor_id = $1) AND ($2::text IS NULL OR a.object_id = $2 OR a.details->>'petitionId' = $2)
       AND ($3::text IS NULL OR a.action = $3) AND ($4::bigint IS NULL OR a.seq < $4) AND ($6 OR NOT ${ABOUT_SEALED})
       AND ($6 OR NOT ${ABOUT_NAMED})
     ORDER BY a.seq DESC LIMIT $5`,
    [query.actor ?? null, query.objectId ?? null, query.action ?? null, query.before ?? null, query.limit, whole, principal.sub],
  );
  const items: AuditEntryView[] = r.rows.map((a) => ({
    ...auditRowFields(a),
    ...(a.about_sealed ? { townshipCode: null, details: {} } : {}),
    actorName: a.actor_name,
  }));
  return { items, nextBefore: items.length === query.limit ? items[items.length - 1]!.seq : null };
}

/** Signed JSON lines of a range of days; the export itself is audited in the same transaction. */
export async function exportAudited(db: Db, principal: Claims, from: string, to: string): Promise<string> {
  return db.tx(async (q) => {
    const rows = await auditRowsBetween(q, from, to);
    if (rows.length > EXPORT_MAX_ROWS) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.audit.exportTooMany(EXPORT_MAX_ROWS), ['to']);
    await appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action: 'audit.export', details: { from, to, rows: rows.length } });
    return exportLines(q.integrity!, rows, from, to);
  });
}
