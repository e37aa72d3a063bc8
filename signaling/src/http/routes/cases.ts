import type { Express } from 'express';
import { z } from 'zod';
import {
  AccusedJurisdictionBody,
  CalendarImportAnswer,
  CalendarImportBody,
  CasePolicySavedAnswer,
  CasePolicyView,
  CaseStatsView,
  CaseTransitionBody,
  CaseWorkflowView,
  CountyPetitionView,
  CrossReferenceView,
  DeadlineListAnswer,
  DeadlinePolicyBody,
  Id,
  NoticeListAnswer,
  StatsQuery,
} from '@vj/shared';
import { importCalendar } from '../../cases/calendar-import.js';
import { policyView, savePolicy } from '../../cases/case-policy.js';
import { caseStats, statsCsv } from '../../cases/case-stats.js';
import { deadlineBoard } from '../../cases/deadline-board.js';
import { actOnCase } from '../../cases/case-actions.js';
import { confirmAccusedJurisdiction } from '../../cases/jurisdiction.js';
import { noticesDue } from '../../cases/notice-list.js';
import type { AppContext } from '../../context.js';
import { crossReference } from '../../registry/cross-reference.js';
import { Binary, BYTES, mount } from '../route.js';

const ById = z.object({ id: Id });

/** The county's side of the case workflow: actions, deadlines, statistics and the deadline policy. */
export function caseRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/petitions/:id/workflow', {
    params: ById,
    response: CaseWorkflowView,
    handler: ({ principal, params }) => app.cases.workflow(principal, params.id),
  });

  mount(express, app, 'POST /api/petitions/:id/transition', {
    params: ById,
    body: CaseTransitionBody,
    response: CaseWorkflowView,
    handler: ({ principal, params, body }) => actOnCase(app, principal, params.id, body),
  });

  mount(express, app, 'GET /api/petitions/:id/cross-reference', {
    params: ById,
    response: CrossReferenceView,
    handler: async ({ principal, params }) => {
      await app.petitions.row(params.id, principal);
      return crossReference(app.db, params.id);
    },
  });

  // 分级负责: the officer confirms the accused persons' levels before a matter may go down to a township.
  mount(express, app, 'PUT /api/petitions/:id/jurisdiction', {
    params: ById,
    body: AccusedJurisdictionBody,
    response: CountyPetitionView,
    handler: async ({ principal, params, body }) => {
      await confirmAccusedJurisdiction(app.db, principal, params.id, body);
      app.log.info('accused levels confirmed', { petitionId: params.id, by: principal.sub });
      return app.petitions.countyView(params.id, principal);
    },
  });

  mount(express, app, 'GET /api/cases/deadlines', {
    response: DeadlineListAnswer,
    handler: ({ principal }) => deadlineBoard(app.db, principal.sub),
  });

  mount(express, app, 'GET /api/cases/notices', {
    response: NoticeListAnswer,
    handler: async ({ principal }) => ({ items: await noticesDue(app.db, new Date(), principal.sub) }),
  });

  mount(express, app, 'GET /api/stats', {
    query: StatsQuery,
    response: CaseStatsView,
    handler: ({ query }) => caseStats(app.db, query.months, new Date(), app.rooms),
  });

  mount(express, app, 'GET /api/stats/export', {
    query: StatsQuery,
    response: BYTES,
    handler: async ({ query }) => {
      const names = new Map(app.rooms.map((r) => [r.code, r.name]));
      const csv = statsCsv(await caseStats(app.db, query.months, new Date(), app.rooms), (c) => names.get(c) ?? c);
      return new Binary(Buffer.from(csv, 'utf8'), 'text/csv; charset=utf-8', `信访统计-${new Date().toISOString().slice(0, 10)}.csv`);
    },
  });

  mount(express, app, 'GET /api/case-policy', {
    response: CasePolicyView,
    handler: () => policyView(app.db),
  });

  mount(express, app, 'PUT /api/case-policy', {
    body: DeadlinePolicyBody,
    response: CasePolicySavedAnswer,
    handler: ({ principal, body }) => savePolicy(app.db, principal, body),
  });

  mount(express, app, 'POST /api/case-policy/calendar-import', {
    body: CalendarImportBody,
    response: CalendarImportAnswer,
    handler: ({ principal, body }) => importCalendar(app.db, principal, body),
  });
}
