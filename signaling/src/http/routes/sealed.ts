import type { Express } from 'express';
import { z } from 'zod';
import { errorFields, Id, SealAnswer, SealBody, SealedListAnswer, SealedMatterView, SendUpBody, UnsealAnswer, UnsealBody } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { hideSealedCall, showUnsealedCall, withdrawFromCall } from '../../sessions/owner-calls.js';
import { mount } from '../route.js';

const ById = z.object({ id: Id });

/** 密封事项: sealing by the county office, and the principal leader's page (list, detail, 报送上级, 解除密封). */
export function sealedRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'POST /api/petitions/:id/seal', {
    params: ById,
    body: SealBody,
    response: SealAnswer,
    handler: async ({ principal, params, body }) => {
      const { sessionId, filerId, ...r } = await app.sealed.seal(principal, params.id, body.reason);
      app.log.info('petition sealed', { petitionId: params.id, by: principal.sub });
      // Taken in a call that is still live: all but the villager's kiosk and the officer who filed it leave the call.
      await withdrawFromCall(app, 'sealed', { petitionId: params.id, sessionId, filerId, by: principal });
      // Taken in a call that is still live: the call leaves the video wall every county officer watches.
      await hideSealedCall(app, params.id, sessionId);
      // An overdue alert about it must go now, on every node, not at the next sweep.
      void app.deadlines.refreshEverywhere().catch((err) => app.log.warn('overdue alerts not refreshed after sealing; the next sweep will', errorFields(err)));
      return r;
    },
  });

  mount(express, app, 'GET /api/sealed', {
    response: SealedListAnswer,
    handler: ({ principal }) => app.sealed.list(principal),
  });

  mount(express, app, 'GET /api/sealed/:id', {
    params: ById,
    response: SealedMatterView,
    handler: ({ principal, params }) => app.sealed.get(principal, params.id),
  });

  mount(express, app, 'POST /api/sealed/:id/send-up', {
    params: ById,
    body: SendUpBody,
    response: SealedMatterView,
    handler: async ({ principal, params, body }) => {
      const v = await app.sealed.sendUp(principal, params.id, body);
      app.log.info('sealed matter sent up', { petitionId: params.id, by: principal.sub });
      return v;
    },
  });

  mount(express, app, 'POST /api/sealed/:id/unseal', {
    params: ById,
    body: UnsealBody,
    response: UnsealAnswer,
    handler: async ({ principal, params, body }) => {
      const { sessionId, ...r } = await app.sealed.unseal(principal, params.id, body.reason);
      app.log.info('sealed matter unsealed', { petitionId: params.id, by: principal.sub });
      // Taken in a call that is still live: it goes back on the video wall (the people taken out at the seal stay out).
      await showUnsealedCall(app, params.id, sessionId);
      // Back on the deadline board: an overdue one must show now, not at the next sweep.
      void app.deadlines
        .refreshEverywhere()
        .catch((err) => app.log.warn('overdue alerts not refreshed after unsealing; the next sweep will', errorFields(err)));
      return r;
    },
  });
}
