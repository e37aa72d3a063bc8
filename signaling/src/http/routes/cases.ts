import type { Express } from 'express';
import { z } from 'zod';
import { CaseTransitionBody, DeadlinePolicyBody, Id, StatsQuery, errorFields, type DeadlineCaseView } from '@vj/shared';
import { appendAudit } from '../../audit/audit-log.js';
import { loadPolicy, policyRows } from '../../cases/case-policy.js';
import { currentClock } from '../../cases/case-service.js';
import { caseStats, statsCsv } from '../../cases/case-stats.js';
import { escalationsOf, type CaseRow } from '../../cases/workflow-view.js';
import type { AppContext } from '../../context.js';
import { crossReference } from '../../registry/cross-reference.js';
import { Binary, mount } from '../route.js';

const ById = z.object({ id: Id });

/** The county's side of the case workflow: actions, deadlines, statistics and the deadline policy. */
export function caseRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/petitions/:id/workflow', {
    params: ById,
    handler: ({ principal, params }) => app.cases.workflow(principal, params.id),
  });

  mount(express, app, 'POST /api/petitions/:id/transition', {
    params: ById,
    body: CaseTransitionBody,
    handler: async ({ principal, params, body }) => {
      const view = await app.cases.transition(principal, params.id, body);
      app.log.info('case action', { petitionId: params.id, action: body.action, by: principal.sub, status: view.status });
      // A case that closed or moved on leaves the overdue alerts now, not at the next sweep.
      void app.deadlines.publishOverdue().catch((err) => app.log.warn('overdue alerts not refreshed after a transition; the next sweep will', errorFields(err)));
      return view;
    },
  });

  mount(express, app, 'GET /api/petitions/:id/cross-reference', {
    params: ById,
    handler: async ({ params }) => {
      await app.petitions.row(params.id);
      return crossReference(app.db, params.id);
    },
  });

  mount(express, app, 'GET /api/cases/deadlines', {
    handler: async () => {
      const r = await app.db.query<CaseRow>(`SELECT * FROM petitions WHERE status <> 'closed' AND due_state <> 'ok' ORDER BY due_state DESC, updated_at LIMIT 500`);
      const escalations = await escalationsOf(app.db, r.rows.map((p) => p.id));
      const items: DeadlineCaseView[] = [];
      for (const p of r.rows) {
        const c = currentClock(p);
        if (!c) continue;
        items.push({
          id: p.id,
          caseCode: p.case_code,
          townshipCode: p.township_code,
          category: p.category,
          status: p.status,
          side: p.handler_side,
          dueState: p.due_state,
          clock: c.clock,
          dueAt: c.due.toISOString(),
          escalations: escalations.get(p.id) ?? [],
        });
      }
      items.sort((a, b) => (a.dueState === b.dueState ? a.dueAt.localeCompare(b.dueAt) : a.dueState === 'overdue' ? -1 : 1));
      return { items };
    },
  });

  mount(express, app, 'GET /api/stats', {
    query: StatsQuery,
    handler: ({ query }) => caseStats(app.db, query.months, new Date(), app.rooms),
  });

  mount(express, app, 'GET /api/stats/export', {
    query: StatsQuery,
    handler: async ({ query }) => {
      const names = new Map(app.rooms.map((r) => [r.code, r.name]));
      const csv = statsCsv(await caseStats(app.db, query.months, new Date(), app.rooms), (c) => names.get(c) ?? c);
      return new Binary(Buffer.from(csv, 'utf8'), 'text/csv; charset=utf-8', `信访统计-${new Date().toISOString().slice(0, 10)}.csv`);
    },
  });

  mount(express, app, 'GET /api/case-policy', {
    handler: async () => {
      const p = await loadPolicy(app.db);
      const ex = await app.db.query<{ day: string; working: boolean; note: string }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, working, note FROM calendar_exceptions ORDER BY day`);
      return { rows: policyRows(p), exceptions: ex.rows };
    },
  });

  mount(express, app, 'PUT /api/case-policy', {
    body: DeadlinePolicyBody,
    handler: async ({ principal, body }) => {
      await app.db.tx(async (q) => {
        for (const r of body.rows) {
          await q.query('UPDATE case_deadline_policy SET days = $2, counting = $3, due_soon_days = $4, max_count = $5, updated_by = $6, updated_at = now() WHERE kind = $1', [
            r.kind,
            r.days,
            r.counting,
            r.dueSoonDays,
            r.maxCount,
            principal.sub,
          ]);
        }
        if (body.exceptions) {
          await q.query('DELETE FROM calendar_exceptions');
          for (const e of body.exceptions) await q.query('INSERT INTO calendar_exceptions (day, working, note) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET working = excluded.working', [e.day, e.working, e.note]);
        }
        await appendAudit(q, {
          actorId: principal.sub,
          actorRole: principal.role,
          action: 'case.policy',
          objectType: 'case_policy',
          details: { ...Object.fromEntries(body.rows.map((r) => [r.kind, `${r.days}${r.counting === 'working' ? 'w' : 'c'}`])), exceptions: body.exceptions?.length ?? null },
        });
      });
      const p = await loadPolicy(app.db);
      return { rows: policyRows(p) };
    },
  });
}
