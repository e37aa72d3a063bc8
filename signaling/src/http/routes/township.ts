import type { Express } from 'express';
import { z } from 'zod';
import { AttachmentView, CaseTransitionBody, CaseWorkflowView, Id, TownshipCaseDetail, TownshipCaseListAnswer } from '@vj/shared';
import { namedAsAccused } from '../../cases/conflicts.js';
import { workflowView } from '../../cases/workflow-view.js';
import { actOnCase } from '../../cases/case-actions.js';
import type { AppContext } from '../../context.js';
import { MAX_ATTACHMENT_BYTES } from '../../petitions/attachment-types.js';
import { townshipView, type PetitionRow } from '../../petitions/presenters.js';
import { Binary, BYTES, mount } from '../route.js';
import { uploadFilename } from '../upload.js';

const ById = z.object({ id: Id });
const ByAttachment = z.object({ id: Id, attachmentId: Id });

/**
 * The township commission's workbench. Every read goes through CaseService.visibleRow or the same filter: own
 * township, referred or later, and never a case that names the reader. Anything else is "not found".
 */
export function townshipRoutes(express: Express, app: AppContext): void {
  // Ordered by what the township can see only: updated_at also moves on county-only steps (a notice to a named
  // accuser), and a case jumping up the list with no new step would tell the handler that the accuser gave a name.
  mount(express, app, 'GET /api/township/cases', {
    response: TownshipCaseListAnswer,
    handler: async ({ principal }) => {
      const r = await app.db.query<PetitionRow>(
        `SELECT p.* FROM petitions p WHERE p.township_code = $1 AND p.handler_side = 'township' AND NOT p.sealed AND NOT ${namedAsAccused(2)}
         ORDER BY (p.status = 'closed'), p.conclude_due_at NULLS LAST, p.created_at DESC, p.id`,
        [principal.twp, principal.sub],
      );
      return { items: await Promise.all(r.rows.map((p) => townshipView(app.db, p))) };
    },
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
