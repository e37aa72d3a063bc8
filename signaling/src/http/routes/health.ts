import { Router } from 'express';
import type { HealthResult } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { route } from '../route.js';

export function healthRoutes(app: AppContext): Router {
  const r = Router();
  r.get(
    '/health',
    route(app, {
      auth: { kind: 'public' },
      handler: async (): Promise<HealthResult> => {
        const database = await app.db.query('SELECT 1').then(
          () => 'ok' as const,
          () => 'down' as const,
        );
        const sfuWorkers = app.sfu.workerCount;
        const status = database === 'ok' && sfuWorkers > 0 ? 'ok' : 'degraded';
        return { status, database, sfuWorkers, version: app.version };
      },
    }),
  );
  return r;
}
