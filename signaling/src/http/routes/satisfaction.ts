import type { Express } from 'express';
import { z } from 'zod';
import { FollowUpCloseBody, FollowUpListAnswer, FollowUpListQuery, FollowUpTaskView, Id, ReceiptRatingAnswer, ReceiptRatingBody } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { mount } from '../route.js';

/** Satisfaction: the villager's rating at a kiosk, and the county's follow-up tasks of 不满意 ratings. */
export function satisfactionRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'POST /api/receipts/rating', {
    // The lookup's per-address limit, shared: rating is one more way to try a receipt's PIN.
    rateLimit: { name: 'receipt', limit: 20, windowMs: 10 * 60_000 },
    body: ReceiptRatingBody,
    response: ReceiptRatingAnswer,
    handler: ({ principal, body }) => app.satisfaction.rate(principal, body),
  });

  mount(express, app, 'GET /api/cases/follow-ups', {
    query: FollowUpListQuery,
    response: FollowUpListAnswer,
    handler: async ({ principal, query }) => ({ items: await app.satisfaction.list(query.state, principal.sub) }),
  });

  mount(express, app, 'POST /api/cases/follow-ups/:id/close', {
    params: z.object({ id: Id }),
    body: FollowUpCloseBody,
    response: FollowUpTaskView,
    handler: ({ principal, params, body }) => app.satisfaction.close(principal, params.id, body.note),
  });
}
