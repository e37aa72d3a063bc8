import type { Express } from 'express';
import { z } from 'zod';
import { AppError, Id } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { townshipView, type PetitionRow } from '../../petitions/presenters.js';
import { mount } from '../route.js';

// Cases a township sees: referred to it, at any later stage. Received and accepted ones stay with the county.
const VISIBLE = ['referred', 'handling', 'reported', 'returned', 'closed'];

export function townshipRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/township/cases', {
    handler: async ({ principal }) => {
      const r = await app.db.query<PetitionRow>('SELECT * FROM petitions WHERE township_code = $1 AND status = ANY($2::text[]) ORDER BY updated_at DESC', [
        principal.twp,
        VISIBLE,
      ]);
      return { items: await Promise.all(r.rows.map((p) => townshipView(app.db, p))) };
    },
  });

  mount(express, app, 'GET /api/township/cases/:id', {
    params: z.object({ id: Id }),
    handler: async ({ params, requireTownship }) => {
      const r = await app.db.query<PetitionRow>('SELECT * FROM petitions WHERE id = $1 AND status = ANY($2::text[])', [params.id, VISIBLE]);
      const p = r.rows[0];
      if (!p) throw new AppError('NOT_FOUND', 'not found');
      requireTownship(p.township_code);
      return townshipView(app.db, p);
    },
  });
}
