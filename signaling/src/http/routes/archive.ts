import type { Express } from 'express';
import { z } from 'zod';
import {
  ArchiveMonthInput,
  ArchiveMonthParams,
  ArchiveProfile,
  Id,
  PersonCodeParams,
  WarningCloseInput,
  WarningListAnswer,
  WarningListQuery,
  WarningView,
} from '@vj/shared';
import type { AppContext } from '../../context.js';
import { mount } from '../route.js';

/** 清廉档案 (issue 17): a person's profile, a month's entry and sign-off, and the early warnings (audited in the service). */
export function archiveRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/archive/people/:code', {
    params: PersonCodeParams,
    response: ArchiveProfile,
    handler: ({ principal, params }) => app.archive.profile(principal, params.code),
  });

  mount(express, app, 'PUT /api/archive/people/:code/months/:month', {
    params: ArchiveMonthParams,
    body: ArchiveMonthInput,
    response: ArchiveProfile,
    handler: async ({ principal, params, body }) => {
      const v = await app.archive.enterMonth(principal, params.code, params.month, body);
      app.log.info('archive month entered', { by: principal.sub, month: params.month });
      return v;
    },
  });

  mount(express, app, 'POST /api/archive/people/:code/months/:month/sign', {
    params: ArchiveMonthParams,
    response: ArchiveProfile,
    handler: ({ principal, params }) => app.archive.signMonth(principal, params.code, params.month),
  });

  mount(express, app, 'GET /api/archive/warnings', {
    query: WarningListQuery,
    response: WarningListAnswer,
    handler: ({ principal, query }) => app.archive.warnings(principal, query.state),
  });

  mount(express, app, 'POST /api/archive/warnings/:id/close', {
    params: z.object({ id: Id }),
    body: WarningCloseInput,
    response: WarningView,
    handler: ({ principal, params, body }) => app.archive.closeWarning(principal, params.id, body),
  });
}
