import { onOwner } from '../../cluster/owner-calls.js';
import type { Express } from 'express';
import { z } from 'zod';
import { Id, PetitionListQuery, PetitionSubmitBody, RevealBody } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { MAX_ATTACHMENT_BYTES } from '../../petitions/attachment-types.js';
import { Binary, mount } from '../route.js';
import { uploadFilename } from '../upload.js';

const ById = z.object({ id: Id });
const ByAttachment = z.object({ id: Id, attachmentId: Id });

export function petitionRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'POST /api/petitions', {
    body: PetitionSubmitBody,
    handler: async ({ principal, body }) => {
      const receipt = await app.petitions.submit(principal, body);
      if (receipt.created) app.log.info('petition received', { petitionId: receipt.petitionId, by: principal.sub });
      // The villager's receipt goes to the kiosk of the call it came from, and only to that kiosk.
      const pushedToKiosk = body.sessionId ? await onOwner(app, 'pushReceipt', { sessionId: body.sessionId, caseCode: receipt.caseCode, pin: receipt.pin }) : false;
      return { petitionId: receipt.petitionId, caseCode: receipt.caseCode, pin: receipt.pin, pushedToKiosk };
    },
  });

  mount(express, app, 'GET /api/petitions', {
    query: PetitionListQuery,
    handler: ({ query }) => app.petitions.list(query),
  });

  mount(express, app, 'GET /api/petitions/:id', {
    params: ById,
    handler: ({ params }) => app.petitions.countyView(params.id),
  });

  mount(express, app, 'POST /api/petitions/:id/reveal', {
    params: ById,
    body: RevealBody,
    rateLimit: { name: 'reveal', limit: 30, windowMs: 60_000 },
    handler: ({ principal, params, body }) => app.petitions.reveal(principal, params.id, body.reason),
  });

  mount(express, app, 'PUT /api/petitions/:id/attachments/:attachmentId', {
    params: ByAttachment,
    raw: { limit: `${MAX_ATTACHMENT_BYTES + 1024}b` },
    handler: ({ principal, params, req }) =>
      app.attachments.put(principal, params.id, params.attachmentId, req.get('content-type') ?? '', uploadFilename(req), req.body as Buffer),
  });

  mount(express, app, 'GET /api/petitions/:id/attachments/:attachmentId', {
    params: ByAttachment,
    handler: async ({ principal, params }) => {
      const a = await app.attachments.get(principal, params.id, params.attachmentId);
      return new Binary(a.data, a.mime, a.filename);
    },
  });
}
