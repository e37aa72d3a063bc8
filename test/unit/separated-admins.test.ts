import { describe, expect, it } from 'vitest';
import { ADMIN_ROLES, ROLES, type Role } from '@vj/shared';
import { ROUTES, type RouteKey } from '../../signaling/src/http/access.js';
import { EVENT_ACCESS } from '../../signaling/src/realtime/event-access.js';

// 三员分立, read from the one table the route chain enforces (the authorization matrix test then checks the
// running server against the same table).
const routesOf = (role: Role) =>
  (Object.keys(ROUTES) as RouteKey[]).filter((k) => ROUTES[k].roles !== 'public' && (ROUTES[k].roles as readonly Role[]).includes(role));

// Where petitions, identity, evidence, cases, calls and recordings are read or changed.
const CONTENT = /\/api\/(petitions|sealed|township|sessions|cases|stats|rooms|receipts|recordings\/(:id\/playback|playback|:id\/township-grant))/;

describe('three separated administrators', () => {
  it('the one admin role is gone: three roles, and each is in the role list once', () => {
    expect(ROLES).not.toContain('admin');
    for (const r of ADMIN_ROLES) expect(ROLES.filter((x) => x === r)).toHaveLength(1);
  });

  it('no administrator reaches a petition, its identity, a case, a call or a recording', () => {
    for (const role of ADMIN_ROLES) expect({ role, routes: routesOf(role).filter((k) => CONTENT.test(k)) }).toEqual({ role, routes: [] });
  });

  it('the audit administrator reads and verifies the audit log and nothing else; the others never read it', () => {
    // Besides the audit log, only what every user does with their own account.
    const own = (k: string) => k.startsWith('POST /api/auth/') || k === 'GET /api/auth/account';
    expect(
      routesOf('audit_admin')
        .filter((k) => !own(k))
        .sort(),
    ).toEqual(['GET /api/audit', 'GET /api/audit/export', 'GET /api/audit/verify']);
    expect(routesOf('audit_admin').filter(own).sort()).toEqual([
      'GET /api/auth/account',
      'POST /api/auth/logout',
      'POST /api/auth/password',
      'POST /api/auth/second-factor/begin',
      'POST /api/auth/second-factor/confirm',
      'POST /api/auth/sessions/:sid/end',
    ]);
    for (const role of ['sys_admin', 'sec_admin'] as const) expect(routesOf(role).filter((k) => k.includes('/api/audit'))).toEqual([]);
  });

  it('users and kiosk devices are the system administrator’s alone; the security page the security administrator’s alone', () => {
    for (const k of Object.keys(ROUTES) as RouteKey[]) {
      const roles = ROUTES[k].roles;
      if (k.includes('/api/admin/') && k !== 'GET /api/admin/sfu') expect({ k, roles }).toEqual({ k, roles: ['sys_admin'] });
      if (k.includes('/api/security/')) expect({ k, roles }).toEqual({ k, roles: ['sec_admin'] });
    }
  });

  it('on the socket an administrator may only refresh its token: no call, wall or session event', () => {
    for (const role of ADMIN_ROLES) {
      const events = Object.entries(EVENT_ACCESS)
        .filter(([, roles]) => (roles as readonly Role[]).includes(role))
        .map(([e]) => e);
      expect({ role, events }).toEqual({ role, events: ['auth:refresh'] });
    }
  });
});
