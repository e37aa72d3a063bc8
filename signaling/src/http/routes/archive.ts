import type { Express } from 'express';
import { z } from 'zod';
import {
  ArchiveMonthInput,
  ArchiveMonthParams,
  ArchiveProfile,
  Id,
  PersonCodeParams,
  RegistryImportView,
  UnitCodeParams,
  UnitListAnswer,
  UnitListQuery,
  UnitReport,
  WarningCloseInput,
  WarningListAnswer,
  WarningListQuery,
  WarningView,
} from '@vj/shared';
import type { AppContext } from '../../context.js';
import { assertPdfReady, reportPdf } from '../../discipline/report-pdf.js';
import { PERSON_VIEWS } from '../people-limits.js';
import { Binary, BYTES, mount } from '../route.js';

/** 清廉档案 (issue 17): a person's profile, a month's entry and sign-off, and the early warnings (audited in the service). */
export function archiveRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/archive/people/:code', {
    params: PersonCodeParams,
    response: ArchiveProfile,
    rateLimit: PERSON_VIEWS,
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

  // 月度导入: a 督查组's sheet of months (CSV or .xlsx), imported in the background with progress and row errors.
  mount(express, app, 'POST /api/archive/imports', {
    raw: { limit: '20mb' },
    status: 202,
    response: RegistryImportView,
    handler: async ({ principal, req }) => (await app.archiveImports.start(principal, req.body as Buffer)).view,
  });

  mount(express, app, 'GET /api/archive/imports/:id', {
    params: z.object({ id: Id }),
    response: RegistryImportView,
    handler: ({ principal, params }) => app.archiveImports.view(principal, params.id),
  });

  // 政治生态报告: the units a reader may choose from, and a unit's report on screen or as a PDF (each read audited).
  mount(express, app, 'GET /api/archive/units', {
    query: UnitListQuery,
    response: UnitListAnswer,
    handler: ({ principal, query }) => app.unitReports.list(principal, query.q),
  });

  mount(express, app, 'GET /api/archive/units/:code/report', {
    params: UnitCodeParams,
    response: UnitReport,
    handler: ({ principal, params }) => app.unitReports.report(principal, params.code, 'screen'),
  });

  mount(express, app, 'GET /api/archive/units/:code/report/pdf', {
    params: UnitCodeParams,
    response: BYTES,
    handler: async ({ principal, params }) => {
      assertPdfReady();
      const r = await app.unitReports.report(principal, params.code, 'pdf');
      return new Binary(await reportPdf(r), 'application/pdf', `${r.name}政治生态报告-${r.asOf}.pdf`);
    },
  });
}
