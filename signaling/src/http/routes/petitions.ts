import { hideSealedCall, onOwner, withdrawFromCall } from '../../sessions/owner-calls.js';
import type { Express } from 'express';
import { z } from 'zod';
import {
  AttachmentUploadQuery,
  AttachmentView,
  CountyPetitionView,
  Id,
  PetitionListAnswer,
  PetitionListQuery,
  PetitionSubmitBody,
  RevealBody,
  RevealResult,
  SubmitResult,
} from '@vj/shared';
import type { AppContext } from '../../context.js';
import { MAX_ATTACHMENT_BYTES } from '../../petitions/attachment-types.js';
import { assertSessionBinding } from '../../petitions/session-binding.js';
import { Binary, BYTES, mount } from '../route.js';
import { uploadFilename } from '../upload.js';

const ById = z.object({ id: Id });
const ByAttachment = z.object({ id: Id, attachmentId: Id });

export function petitionRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'POST /api/petitions', {
    body: PetitionSubmitBody,
    response: SubmitResult,
    handler: async ({ principal, body }) => {
      // Checked before anything is written: a refused binding creates no petition and pushes nothing.
      if (body.sessionId) await assertSessionBinding(app.db, principal.sub, body.sessionId, body.townshipCode);
      const receipt = await app.petitions.submit(principal, body);
      if (receipt.created) app.log.info('petition received', { petitionId: receipt.petitionId, by: principal.sub });
      // Filed sealed (ticked, or about the leadership): the call leaves the video wall at once.
      if (receipt.sealed) await hideSealedCall(app, receipt.petitionId, body.sessionId);
      // The villager's receipt goes to the kiosk of the call it came from, and only to that kiosk; the session's
      // owner checks again that the submitter is in it now (a past participant files, but pushes nothing).
      const pushedToKiosk = body.sessionId
        ? await onOwner(app, 'pushReceipt', {
            sessionId: body.sessionId,
            caseCode: receipt.caseCode,
            pin: receipt.pin,
            by: principal.sub,
            townshipCode: body.townshipCode,
          })
        : false;
      // Then, the receipt on the villager's screen, who may no longer hear the call leaves it (sealed: all but the
      // kiosk, the filer and whoever the villager is talking to; else anyone it names as accused, the filer too, but
      // never the one the call would end without): the receipt must be there first.
      const at = { petitionId: receipt.petitionId, sessionId: body.sessionId, filerId: principal.sub, by: principal };
      await withdrawFromCall(app, receipt.sealed ? 'sealed' : 'recused', at);
      return { petitionId: receipt.petitionId, caseCode: receipt.caseCode, pin: receipt.pin, pushedToKiosk, sealed: receipt.sealed };
    },
  });

  mount(express, app, 'GET /api/petitions', {
    query: PetitionListQuery,
    response: PetitionListAnswer,
    handler: ({ principal, query }) => app.petitions.list(query, principal),
  });

  mount(express, app, 'GET /api/petitions/:id', {
    params: ById,
    response: CountyPetitionView,
    handler: ({ principal, params }) => app.petitions.countyView(params.id, principal),
  });

  mount(express, app, 'POST /api/petitions/:id/reveal', {
    params: ById,
    body: RevealBody,
    response: RevealResult,
    rateLimit: { name: 'reveal', limit: 30, windowMs: 60_000 },
    handler: ({ principal, params, body }) => app.petitions.reveal(principal, params.id, body.reason),
  });

  mount(express, app, 'PUT /api/petitions/:id/attachments/:attachmentId', {
    params: ByAttachment,
    // ?purpose=step: evidence for a handling step the county is recording (claimed by it, or swept after a day).
    query: AttachmentUploadQuery,
    raw: { limit: `${MAX_ATTACHMENT_BYTES + 1024}b` },
    response: AttachmentView,
    handler: ({ principal, params, query, req }) =>
      app.attachments.put(
        principal,
        params.id,
        params.attachmentId,
        req.get('content-type') ?? '',
        uploadFilename(req),
        req.body as Buffer,
        query.purpose === 'step' ? 'county_step' : 'intake',
      ),
  });

  mount(express, app, 'GET /api/petitions/:id/attachments/:attachmentId', {
    params: ByAttachment,
    response: BYTES,
    handler: async ({ principal, params }) => {
      const a = await app.attachments.get(principal, params.id, params.attachmentId);
      return new Binary(a.data, a.mime, a.filename);
    },
  });
}
