import type { Express } from 'express';
import { z } from 'zod';
import { Id, OpinionCandidateParams, OpinionDetail, OpinionEditInput, OpinionListAnswer, OpinionRequestInput } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { mount } from '../route.js';

const ById = z.object({ id: Id });

/** 廉政意见回复 (issue 17): the requests, one request with its opinions, a rewording, the leader's signature (audited in the service). */
export function opinionRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/opinions', {
    response: OpinionListAnswer,
    handler: () => app.opinions.list(),
  });

  mount(express, app, 'POST /api/opinions', {
    body: OpinionRequestInput,
    response: OpinionDetail,
    handler: async ({ principal, body }) => {
      const v = await app.opinions.create(principal, body);
      app.log.info('integrity opinions drafted', { requestId: v.id, candidates: v.candidates, by: principal.sub });
      return v;
    },
  });

  mount(express, app, 'GET /api/opinions/:id', {
    params: ById,
    response: OpinionDetail,
    handler: ({ principal, params }) => app.opinions.view(principal, params.id),
  });

  mount(express, app, 'PUT /api/opinions/:id/candidates/:code', {
    params: OpinionCandidateParams,
    body: OpinionEditInput,
    response: OpinionDetail,
    handler: ({ principal, params, body }) => app.opinions.edit(principal, params.id, params.code, body),
  });

  mount(express, app, 'POST /api/opinions/:id/sign', {
    params: ById,
    response: OpinionDetail,
    handler: async ({ principal, params }) => {
      const v = await app.opinions.sign(principal, params.id);
      app.log.info('integrity opinions signed', { requestId: v.id, by: principal.sub });
      return v;
    },
  });
}
