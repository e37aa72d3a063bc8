import type { Express } from 'express';
import { z } from 'zod';
import {
  Id,
  RecommendationAction,
  RecommendationDetail,
  RecommendationInput,
  RecommendationListAnswer,
  RecommendationListQuery,
  UnitAnswer,
  UnitQuery,
} from '@vj/shared';
import type { AppContext } from '../../context.js';
import { mount } from '../route.js';

const ById = z.object({ id: Id });

/** 建议书 → 整改 → 回头看 (issue 17): the list, the 督办 board, a letter's page and its steps (audited in the service). */
export function recommendationRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/recommendations', {
    query: RecommendationListQuery,
    response: RecommendationListAnswer,
    handler: ({ principal, query }) => app.recommendations.list(principal, query),
  });

  // Before /:id, which would take "board" and "units" for an id.
  mount(express, app, 'GET /api/recommendations/board', {
    response: RecommendationListAnswer,
    handler: ({ principal }) => app.recommendations.board(principal),
  });

  mount(express, app, 'GET /api/recommendations/units', {
    query: UnitQuery,
    response: UnitAnswer,
    handler: ({ principal, query }) => app.recommendations.units(principal, query.q),
  });

  mount(express, app, 'POST /api/recommendations', {
    body: RecommendationInput,
    response: RecommendationDetail,
    handler: async ({ principal, body }) => {
      const v = await app.recommendations.issue(principal, body);
      app.log.info('recommendation letter recorded', { letterId: v.id, by: principal.sub });
      return v;
    },
  });

  mount(express, app, 'GET /api/recommendations/:id', {
    params: ById,
    response: RecommendationDetail,
    handler: ({ principal, params }) => app.recommendations.detail(principal, params.id),
  });

  mount(express, app, 'POST /api/recommendations/:id/actions', {
    params: ById,
    body: RecommendationAction,
    response: RecommendationDetail,
    handler: async ({ principal, params, body }) => {
      const v = await app.recommendations.act(principal, params.id, body);
      app.log.info('recommendation letter step', { letterId: params.id, action: body.action, state: v.state, by: principal.sub });
      return v;
    },
  });
}
