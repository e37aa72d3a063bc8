import { describe, expect, it } from 'vitest';
import { COUNTY_ROLES, DISTRICT_ROLES, type Role } from '@vj/shared';
import { ROUTES, type RouteKey } from '../../signaling/src/http/access.js';
import { EVENT_ACCESS } from '../../signaling/src/realtime/event-access.js';

// Issue 17's roles (审理室, 党风政风监督室, 片区督查组) reach the discipline-records query, the 建议书 loop (党风政风监督室
// records and moves it, the others read it), their part of 清廉档案, 回访教育 and 廉政意见回复, and their own account only;
// township roles, the petition office and the administrators reach none of it.
const routesOf = (role: Role) =>
  (Object.keys(ROUTES) as RouteKey[]).filter((k) => ROUTES[k].roles !== 'public' && (ROUTES[k].roles as readonly Role[]).includes(role));
const own = (k: string) => k.startsWith('POST /api/auth/') || k === 'GET /api/auth/account';
const ARCHIVE: Role[] = ['case_reviewer', 'conduct_office', ...DISTRICT_ROLES];

describe('the archive roles', () => {
  it('each reaches the query, the letters, its part of 清廉档案, 回访教育 and 廉政意见, and its account, nothing else, and joins no socket event but a token refresh', () => {
    const reads = [
      'GET /api/discipline/people',
      'GET /api/discipline/people/:code',
      'GET /api/recommendations',
      'GET /api/recommendations/:id',
      'GET /api/recommendations/board',
    ];
    const writes = ['GET /api/recommendations/units', 'POST /api/recommendations', 'POST /api/recommendations/:id/actions'];
    // 清廉档案: the 督查组 enters and closes (its leader signs), 党风政风监督室 reads; 审理室 reads no profiles.
    // 政治生态报告 with the profiles; the 督查组's monthly import of its own months.
    const profile = [
      'GET /api/archive/people/:code',
      'GET /api/archive/warnings',
      'GET /api/archive/units',
      'GET /api/archive/units/:code/report',
      'GET /api/archive/units/:code/report/pdf',
    ];
    const team = [
      ...profile,
      'PUT /api/archive/people/:code/months/:month',
      'POST /api/archive/warnings/:id/close',
      'POST /api/archive/imports',
      'GET /api/archive/imports/:id',
    ];
    // 回访教育: 审理室 and the 督查组 plan and record, 党风政风监督室 reads.
    const visits = ['GET /api/discipline/visits'];
    const visiting = [...visits, 'POST /api/discipline/visits', 'POST /api/discipline/visits/:id/record'];
    // 廉政意见回复: 党风政风监督室 records and words.
    const opinions = ['GET /api/opinions', 'GET /api/opinions/:id', 'POST /api/opinions', 'PUT /api/opinions/:id/candidates/:code'];
    const expected: Partial<Record<Role, string[]>> = {
      case_reviewer: [...reads, ...visiting],
      conduct_office: [...reads, ...writes, ...profile, ...visits, ...opinions],
      district_inspector: [...reads, ...team, ...visiting],
      district_leader: [...reads, ...team, ...visiting, 'POST /api/archive/people/:code/months/:month/sign'],
    };
    for (const role of ARCHIVE) {
      expect(
        routesOf(role)
          .filter((k) => !own(k))
          .sort(),
        role,
      ).toEqual(expected[role]!.sort());
      expect(
        Object.entries(EVENT_ACCESS)
          .filter(([, roles]) => (roles as readonly Role[]).includes(role))
          .map(([e]) => e),
        role,
      ).toEqual(['auth:refresh']);
    }
    expect(COUNTY_ROLES.some((r) => ARCHIVE.includes(r))).toBe(false);
  });

  it('no township role, petition officer or administrator reaches the query', () => {
    const readers = [
      ...ROUTES['GET /api/discipline/people'].roles,
      ...ROUTES['GET /api/discipline/people/:code'].roles,
      ...(Object.keys(ROUTES) as RouteKey[])
        .filter((k) => /^\w+ \/api\/(recommendations|archive|opinions|discipline)/.test(k))
        .flatMap((k) => ROUTES[k].roles as readonly Role[]),
    ];
    for (const role of ['township_handler', 'township_staff', 'county_officer', 'county_supervisor', 'sys_admin', 'sec_admin', 'audit_admin'] as const)
      expect(readers).not.toContain(role);
  });
});
