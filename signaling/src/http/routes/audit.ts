import type { Express } from 'express';
import { AppError, AuditExportQuery, AuditPageAnswer, AuditQuery, AuditVerifyAnswer, type AuditEntryView } from '@vj/shared';
import { appendAudit, auditRowFields, type AuditRow } from '../../audit/audit-log.js';
import { EXPORT_MAX_ROWS, auditRowsBetween, exportLines } from '../../audit/export.js';
import type { AppContext } from '../../context.js';
import { BYTES, Binary, mount } from '../route.js';

export function auditRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/audit', {
    query: AuditQuery,
    response: AuditPageAnswer,
    handler: async ({ query }) => {
      const r = await app.db.query<AuditRow & { actor_name: string | null }>(
        `SELECT a.*, u.display_name AS actor_name FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
         WHERE ($1::uuid IS NULL OR a.actor_id = $1) AND ($2::text IS NULL OR a.object_id = $2 OR a.details->>'petitionId' = $2)
           AND ($3::text IS NULL OR a.action = $3) AND ($4::bigint IS NULL OR a.seq < $4)
         ORDER BY a.seq DESC LIMIT $5`,
        [query.actor ?? null, query.objectId ?? null, query.action ?? null, query.before ?? null, query.limit],
      );
      const items: AuditEntryView[] = r.rows.map((a) => ({ ...auditRowFields(a), actorName: a.actor_name }));
      return { items, nextBefore: items.length === query.limit ? items[items.length - 1]!.seq : null };
    },
  });

  mount(express, app, 'GET /api/audit/verify', {
    rateLimit: { name: 'audit-verify', limit: 6, windowMs: 60_000 },
    response: AuditVerifyAnswer,
    // Held against the signed checkpoints outside the database; an intact chain is checkpointed again, a broken
    // one raises the integrity alarm.
    handler: async () => {
      const r = await app.checkpoints.verify(app.db);
      if (r.ok && r.head) app.checkpoints.write(r.head);
      if (!r.ok) await app.integrityAlarm.report({ what: 'audit_log', objectId: r.firstBroken?.seq ?? 'checkpoint' });
      return r;
    },
  });

  mount(express, app, 'GET /api/audit/export', {
    query: AuditExportQuery,
    rateLimit: { name: 'audit-export', limit: 10, windowMs: 60_000 },
    response: BYTES,
    // Signed JSON lines of a range of days; the export itself is audited in the same transaction.
    handler: async ({ query, principal }) =>
      app.db.tx(async (q) => {
        const rows = await auditRowsBetween(q, query.from, query.to);
        if (rows.length > EXPORT_MAX_ROWS) throw new AppError('BAD_REQUEST', `该时间段的审计记录超过 ${EXPORT_MAX_ROWS} 条，请缩短时间段分次导出`, ['to']);
        await appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action: 'audit.export', details: { from: query.from, to: query.to, rows: rows.length } });
        return new Binary(Buffer.from(exportLines(q.integrity!, rows, query.from, query.to), 'utf8'), 'application/x-ndjson', `audit-${query.from}-${query.to}.jsonl`);
      }),
  });
}
