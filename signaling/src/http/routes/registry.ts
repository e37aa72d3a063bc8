import type { Express } from 'express';
import { z } from 'zod';
import {
  HeldChangesAnswer,
  HeldChangeView,
  HeldDecisionBody,
  Id,
  OfficialSearchAnswer,
  OfficialSearchQuery,
  RegistryImportQuery,
  RegistryImportView,
} from '@vj/shared';
import type { AppContext } from '../../context.js';
import { searchOfficials } from '../../registry/cross-reference.js';
import { decideHeldChange, pendingChanges } from '../../registry/held-changes.js';
import { mount } from '../route.js';

/** A registry export is large; 60,000 officials as CSV is about 5 MB. */
const MAX_CSV = '40mb';

export function registryRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'POST /api/registry/imports', {
    query: RegistryImportQuery,
    raw: { limit: MAX_CSV },
    status: 202,
    response: RegistryImportView,
    handler: async ({ principal, query, req }) => (await app.registry.start(principal, query.kind, req.body as Buffer)).view,
  });

  mount(express, app, 'GET /api/registry/imports/:id', {
    params: z.object({ id: Id }),
    response: RegistryImportView,
    handler: ({ params }) => app.registry.view(params.id),
  });

  // Changes an import made to entries linked to county accounts, waiting for a second person (held-changes.ts).
  mount(express, app, 'GET /api/registry/held', {
    response: HeldChangesAnswer,
    handler: async ({ principal }) => ({ items: await pendingChanges(app.db, principal) }),
  });

  mount(express, app, 'POST /api/registry/held/:id', {
    params: z.object({ id: Id }),
    body: HeldDecisionBody,
    response: HeldChangeView,
    handler: ({ principal, params, body }) => decideHeldChange(app.db, principal, params.id, body.decision),
  });

  mount(express, app, 'GET /api/registry/officials', {
    query: OfficialSearchQuery,
    response: OfficialSearchAnswer,
    handler: async ({ query }) => ({ items: await searchOfficials(app.db, query.q, query.limit) }),
  });
}
