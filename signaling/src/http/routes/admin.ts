import type { Express } from 'express';
import { z } from 'zod';
import {
  AcknowledgedAnswer,
  AdminKiosksAnswer,
  AdminOfficialQuery,
  AdminOfficialsAnswer,
  AdminUserView,
  AdminUsersAnswer,
  AppError,
  Id,
  KioskProvisionResult,
  SfuCountsView,
  UserLinkBody,
  type AdminKioskView,
} from '@vj/shared';
import { appendAudit } from '../../audit/audit-log.js';
import type { AppContext } from '../../context.js';
import type { Tx } from '../../db/db.js';
import { digestSecret, newId, randomSecret } from '../../security/crypto.js';
import { adminUserViews, searchOfficialsForLink, setUserLink } from '../../registry/user-links.js';
import { mount } from '../route.js';

const ById = z.object({ id: Id });

interface KioskRow {
  id: string;
  room_code: string;
  label: string;
  created_at: Date;
  revoked_at: Date | null;
}

export function adminRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/admin/users', {
    response: AdminUsersAnswer,
    handler: async () => ({ items: await adminUserViews(app.db) }),
  });

  // 关联干部档案: the account's person in the officials registry, for conflict-of-interest checks. Takes effect
  // at the next request (every township read matches the link in SQL); audited with codes, never names.
  mount(express, app, 'POST /api/admin/users/:id/official', {
    params: ById,
    body: UserLinkBody,
    response: AdminUserView,
    handler: async ({ principal, params, body }) => {
      await app.db.tx((q) => setUserLink(q, params.id, body, { actorId: principal.sub, actorRole: principal.role, via: 'admin' }));
      app.log.info('user registry link changed', { userId: params.id, by: principal.sub, link: body.link });
      return (await adminUserViews(app.db, params.id))[0]!;
    },
  });

  mount(express, app, 'GET /api/admin/officials', {
    query: AdminOfficialQuery,
    response: AdminOfficialsAnswer,
    handler: async ({ query }) => ({ items: await searchOfficialsForLink(app.db, query.q, query.limit) }),
  });

  for (const action of ['disable', 'enable'] as const) {
    mount(express, app, `POST /api/admin/users/:id/${action}`, {
      params: ById,
      response: AcknowledgedAnswer,
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

  // Rooms by their Chinese name, in the county's own order (the codes are pinyin).
  const order = new Map(app.rooms.map((r, i) => [r.code, i]));
  const kioskView = (k: KioskRow): AdminKioskView => ({
    id: k.id,
    roomCode: k.room_code,
    roomName: app.rooms.find((r) => r.code === k.room_code)?.name ?? k.room_code,
    label: k.label,
    createdAt: k.created_at.toISOString(),
    revoked: k.revoked_at !== null,
  });

  mount(express, app, 'GET /api/admin/kiosks', {
    response: AdminKiosksAnswer,
    handler: async () => {
      const r = await app.db.query<KioskRow>('SELECT id, room_code, label, created_at, revoked_at FROM kiosk_devices ORDER BY room_code, created_at');
      const rows = [...r.rows].sort((a, b) => (order.get(a.room_code) ?? 1e9) - (order.get(b.room_code) ?? 1e9) || a.created_at.getTime() - b.created_at.getTime());
      return { items: rows.map(kioskView) };
    },
  });

  // 重新配置: a new credential for the room of an existing device. The old device is revoked in the same
  // transaction (a room has one kiosk), both are audited there, and the secret is returned once: only its
  // digest is kept, so a lost credential means provisioning again.
  mount(express, app, 'POST /api/admin/kiosks/:id/reprovision', {
    params: ById,
    response: KioskProvisionResult,
    handler: async ({ principal, params }): Promise<KioskProvisionResult> => {
      const secret = randomSecret(32);
      const id = newId();
      const created = await app.db.tx(async (q: Tx) => {
        const old = await q.query<KioskRow>('SELECT id, room_code, label, created_at, revoked_at FROM kiosk_devices WHERE id = $1 FOR UPDATE', [params.id]);
        const prev = old.rows[0];
        if (!prev) throw new AppError('NOT_FOUND', 'no such kiosk');
        const revoked = await q.query<{ id: string }>(
          'UPDATE kiosk_devices SET revoked_at = now() WHERE room_code = $1 AND revoked_at IS NULL RETURNING id',
          [prev.room_code],
        );
        const row = await q.query<KioskRow>(
          'INSERT INTO kiosk_devices (id, room_code, secret_hash, label) VALUES ($1, $2, $3, $4) RETURNING id, room_code, label, created_at, revoked_at',
          [id, prev.room_code, digestSecret(secret), prev.label],
        );
        for (const r of revoked.rows) {
          await appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action: 'kiosk.revoke', objectType: 'kiosk', objectId: r.id, townshipCode: prev.room_code, details: { reason: 'reprovisioned' } });
        }
        await appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action: 'kiosk.provision', objectType: 'kiosk', objectId: id, townshipCode: prev.room_code, details: { replaces: params.id } });
        return { row: row.rows[0]!, revoked: revoked.rows.map((r) => r.id) };
      });
      for (const r of created.revoked) app.disconnect.device(r);
      app.log.info('kiosk reprovisioned', { room: created.row.room_code, deviceId: id, replaces: created.revoked.join(','), by: principal.sub });
      const credential = `${id}.${secret}`;
      return { kiosk: kioskView(created.row), credential, kioskPath: `/kiosk/#device=${credential}` };
    },
  });

  mount(express, app, 'POST /api/admin/kiosks/:id/revoke', {
    params: ById,
    response: AcknowledgedAnswer,
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
    response: SfuCountsView,
    handler: async () => {
      const d = await app.sfu.request('dump', {});
      return { routers: d.routers, transports: d.transports, producers: d.producers, consumers: d.consumers, workers: d.workers.length };
    },
  });
}
