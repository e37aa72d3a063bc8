import type { Express } from 'express';
import { z } from 'zod';
import { AdminOfficialQuery, AppError, Id, UserLinkBody } from '@vj/shared';
import { appendAudit } from '../../audit/audit-log.js';
import type { AppContext } from '../../context.js';
import { adminUserViews, searchOfficialsForLink, setUserLink } from '../../registry/user-links.js';
import { mount } from '../route.js';

const ById = z.object({ id: Id });

export function adminRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/admin/users', {
    handler: async () => ({ items: await adminUserViews(app.db) }),
  });

  // 关联干部档案: the account's person in the officials registry, for conflict-of-interest checks. Takes effect
  // at the next request (every township read matches the link in SQL); audited with codes, never names.
  mount(express, app, 'POST /api/admin/users/:id/official', {
    params: ById,
    body: UserLinkBody,
    handler: async ({ principal, params, body }) => {
      await app.db.tx((q) => setUserLink(q, params.id, body, { actorId: principal.sub, actorRole: principal.role, via: 'admin' }));
      app.log.info('user registry link changed', { userId: params.id, by: principal.sub, link: body.link });
      return (await adminUserViews(app.db, params.id))[0]!;
    },
  });

  mount(express, app, 'GET /api/admin/officials', {
    query: AdminOfficialQuery,
    handler: async ({ query }) => ({ items: await searchOfficialsForLink(app.db, query.q, query.limit) }),
  });

  for (const action of ['disable', 'enable'] as const) {
    mount(express, app, `POST /api/admin/users/:id/${action}`, {
      params: ById,
      handler: async ({ principal, params }) => {
        if (params.id === principal.sub) throw new AppError('INVALID_STATE', 'you cannot change your own account');
        await app.db.tx(async (q) => {
          const r = await q.query(`UPDATE users SET disabled_at = ${action === 'disable' ? 'now()' : 'NULL'} WHERE id = $1`, [params.id]);
          if (!r.rowCount) throw new AppError('NOT_FOUND', 'no such user');
          if (action === 'disable') await app.auth.revokeAllForUser(q, params.id, 'user_disabled');
          await appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action: `user.${action}`, objectType: 'user', objectId: params.id });
        });
        // Takes effect at once: live sockets close now, and every request re-checks the account.
        if (action === 'disable') app.disconnect.user(params.id);
        return {};
      },
    });
  }

  mount(express, app, 'GET /api/admin/kiosks', {
    handler: async () => {
      const r = await app.db.query<{ id: string; room_code: string; label: string; created_at: Date; revoked_at: Date | null }>(
        'SELECT id, room_code, label, created_at, revoked_at FROM kiosk_devices ORDER BY room_code, created_at',
      );
      return { items: r.rows.map((k) => ({ id: k.id, roomCode: k.room_code, label: k.label, createdAt: k.created_at.toISOString(), revoked: k.revoked_at !== null })) };
    },
  });

  mount(express, app, 'POST /api/admin/kiosks/:id/revoke', {
    params: ById,
    handler: async ({ principal, params }) => {
      await app.db.tx(async (q) => {
        const r = await q.query<{ room_code: string }>('UPDATE kiosk_devices SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING room_code', [params.id]);
        if (!r.rows[0]) throw new AppError('NOT_FOUND', 'no such kiosk');
        await appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action: 'kiosk.revoke', objectType: 'kiosk', objectId: params.id, townshipCode: r.rows[0].room_code });
      });
      app.disconnect.device(params.id);
      return {};
    },
  });

  // What the SFU (every node of it) holds right now: operators and the leak checks after fault tests read it.
  mount(express, app, 'GET /api/admin/sfu', {
    handler: async () => {
      const d = await app.sfu.request('dump', {});
      return { routers: d.routers, transports: d.transports, producers: d.producers, consumers: d.consumers, workers: d.workers.length };
    },
  });
}
