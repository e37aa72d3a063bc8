import type { Express } from 'express';
import type { HealthResult } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { mount } from '../route.js';

export function healthRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/health', {
    handler: async (): Promise<HealthResult> => {
      const database = await app.db.query('SELECT 1').then(
        () => 'ok' as const,
        () => 'down' as const,
      );
      const sfuWorkers = app.sfu.workerCount;
      return { status: database === 'ok' && sfuWorkers > 0 ? 'ok' : 'degraded', database, sfuWorkers, version: app.version };
    },
  });
}
