import type { Express } from 'express';
import { z } from 'zod';
import { AttachmentView, CaseTransitionBody, CaseWorkflowView, Id, TownshipCaseDetail, TownshipCaseListAnswer } from '@vj/shared';
import { workflowView } from '../../cases/workflow-view.js';
import { actOnCase } from '../../cases/case-actions.js';
import type { AppContext } from '../../context.js';
import { MAX_ATTACHMENT_BYTES } from '../../petitions/attachment-types.js';
import { townshipView } from '../../petitions/presenters.js';
import { townshipCaseList } from '../../cases/township-list.js';
import { Binary, BYTES, mount } from '../route.js';
import { uploadFilename } from '../upload.js';

const ById = z.object({ id: Id });
const ByAttachment = z.object({ id: Id, attachmentId: Id });

/**
 * The township commission's workbench. Every read goes through CaseService.visibleRow or the same filter: own
 * township, referred or later, and never a case that names the reader. Anything else is "not found".
 */
export function townshipRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/township/cases', {
    response: TownshipCaseListAnswer,
    handler: async ({ principal }) => ({ items: await townshipCaseList(app.db, principal) }),
  });

  mount(express, app, 'GET /api/township/cases/:id', {
    params: ById,
    response: TownshipCaseDetail,
    handler: async ({ principal, params, requireTownship }) => {
      const p = await app.cases.visibleRow(app.db, principal, params.id);
      requireTownship(p.township_code);
      return { ...(await townshipView(app.db, p)), workflow: await workflowView(app.db, p, 'township', app.attachments.fileNames) };
    },
  });

  mount(express, app, 'POST /api/township/cases/:id/transition', {
    params: ById,
    body: CaseTransitionBody,
    response: CaseWorkflowView,
    handler: async ({ principal, params, body, requireTownship }) => {
      const p = await app.cases.visibleRow(app.db, principal, params.id);
      requireTownship(p.township_code);
      return actOnCase(app, principal, params.id, body);
    },
  });

  mount(express, app, 'PUT /api/township/cases/:id/attachments/:attachmentId', {
    params: ByAttachment,
    raw: { limit: `${MAX_ATTACHMENT_BYTES + 1024}b` },
    response: AttachmentView,
    handler: async ({ principal, params, req, requireTownship }) => {
      const p = await app.cases.visibleRow(app.db, principal, params.id);
      requireTownship(p.township_code);
      return app.attachments.put(principal, params.id, params.attachmentId, req.get('content-type') ?? '', uploadFilename(req), req.body as Buffer, 'handling');
    },
  });

  mount(express, app, 'GET /api/township/cases/:id/attachments/:attachmentId', {
    params: ByAttachment,
    response: BYTES,
    handler: async ({ principal, params, requireTownship }) => {
      const p = await app.cases.visibleRow(app.db, principal, params.id);
      requireTownship(p.township_code);
      const a = await app.attachments.get(principal, params.id, params.attachmentId, true);
      return new Binary(a.data, a.mime, a.filename);
    },
  });
}
