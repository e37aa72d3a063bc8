import type { Express } from 'express';
import { z } from 'zod';
import { Id, VisitListAnswer, VisitListQuery, VisitPlanInput, VisitRecordInput, VisitView } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { mount } from '../route.js';

/** 回访教育 (issue 17): the visits, planning one, recording one made (audited in the service). */
export function visitRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/discipline/visits', {
    query: VisitListQuery,
    response: VisitListAnswer,
    handler: ({ principal, query }) => app.visits.list(principal, query.state),
  });

  mount(express, app, 'POST /api/discipline/visits', {
    body: VisitPlanInput,
    response: VisitView,
    handler: ({ principal, body }) => app.visits.plan(principal, body),
  });

  mount(express, app, 'POST /api/discipline/visits/:id/record', {
    params: z.object({ id: Id }),
    body: VisitRecordInput,
    response: VisitView,
    handler: ({ principal, params, body }) => app.visits.record(principal, params.id, body),
  });
}
