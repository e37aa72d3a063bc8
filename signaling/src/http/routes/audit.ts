import type { Express } from 'express';
import { AuditExportQuery, AuditPageAnswer, AuditQuery, AuditVerifyAnswer } from '@vj/shared';
import { auditPage, exportAudited } from '../../audit/audit-page.js';
import type { AppContext } from '../../context.js';
import { BYTES, Binary, mount } from '../route.js';

export function auditRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/audit', {
    query: AuditQuery,
    response: AuditPageAnswer,
    handler: ({ principal, query }) => auditPage(app.db, principal, query),
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
      new Binary(
        Buffer.from(await exportAudited(app.db, principal, query.from, query.to), 'utf8'),
        'application/x-ndjson',
        `audit-${query.from}-${query.to}.jsonl`,
      ),
  });
}
