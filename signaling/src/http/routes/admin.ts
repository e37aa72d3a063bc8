import type { Express } from 'express';
import { z } from 'zod';
import {
  AcknowledgedAnswer,
  AdminKiosksAnswer,
  AdminOfficialQuery,
  AdminOfficialsAnswer,
  AdminUserView,
  AdminUsersAnswer,
  Id,
  KioskProvisionResult,
  SfuCountsView,
  UserLinkBody,
  type AdminKioskView,
} from '@vj/shared';
import { setAccountDisabled } from '../../admin/account-state.js';
import { listKioskDevices, reprovisionKiosk, revokeKiosk, type KioskRow } from '../../admin/kiosk-devices.js';
import type { AppContext } from '../../context.js';
import { adminUserViews, linkUser, searchOfficialsForLink } from '../../registry/user-links.js';
import { mount } from '../route.js';

const ById = z.object({ id: Id });

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
      const view = await linkUser(app.db, params.id, body, { actorId: principal.sub, actorRole: principal.role, via: 'admin' });
      app.log.info('user registry link changed', { userId: params.id, by: principal.sub, link: body.link });
      return view!;
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
        await setAccountDisabled(app.db, app.auth, { web: principal }, params.id, action === 'disable');
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
      const rows = [...(await listKioskDevices(app.db))].sort(
        (a, b) => (order.get(a.room_code) ?? 1e9) - (order.get(b.room_code) ?? 1e9) || a.created_at.getTime() - b.created_at.getTime(),
      );
      return { items: rows.map(kioskView) };
    },
  });

  // 重新配置: a new credential for the room of an existing device, the old one revoked (kiosk-devices.ts).
  mount(express, app, 'POST /api/admin/kiosks/:id/reprovision', {
    params: ById,
    response: KioskProvisionResult,
    handler: async ({ principal, params }): Promise<KioskProvisionResult> => {
      const created = await reprovisionKiosk(app.db, principal, params.id);
      for (const r of created.revoked) app.disconnect.device(r);
      app.log.info('kiosk reprovisioned', { room: created.row.room_code, deviceId: created.row.id, replaces: created.revoked.join(','), by: principal.sub });
      return { kiosk: kioskView(created.row), credential: created.credential, kioskPath: `/kiosk/#device=${created.credential}` };
    },
  });

  mount(express, app, 'POST /api/admin/kiosks/:id/revoke', {
    params: ById,
    response: AcknowledgedAnswer,
    handler: async ({ principal, params }) => {
      await revokeKiosk(app.db, principal, params.id);
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
