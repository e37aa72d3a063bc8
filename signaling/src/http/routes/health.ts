import type { Express } from 'express';
import { HealthResult } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { mount } from '../route.js';

/** How long health waits for the database: a probe must answer even when the database does not. */
const DB_PING_MS = 2000;

export function healthRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/health', {
    response: HealthResult,
    handler: async (): Promise<HealthResult> => {
      const [databaseOk, storage] = await Promise.all([app.db.ping(DB_PING_MS), app.db.storage.status()]);
      const sfuWorkers = app.sfu.workerCount;
      const reasons = [...storage.reasons];
      if (!databaseOk) reasons.push(app.db.kind === 'pglite' ? '内置数据库没有响应，正在恢复。' : '数据库没有响应。');
      if (sfuWorkers === 0) reasons.push('媒体服务没有可用的进程。');
      return {
        status: reasons.length ? 'degraded' : 'ok',
        database: databaseOk ? 'ok' : 'down',
        storage: storage.state,
        storageFreeMb: storage.freeBytes === null ? null : Math.floor(storage.freeBytes / (1024 * 1024)),
        sfuWorkers,
        version: app.version,
        reasons,
      };
    },
    // A probe (load balancer, compose, monitoring) reads the status code: 503 while anything is wrong.
    status: (result) => ((result as HealthResult).status === 'ok' ? 200 : 503),
  });
}
