import { describe, expect, it } from 'vitest';
import { COUNTY_ROLES, ROLES, SECOND_FACTOR_ALWAYS, type Role } from '@vj/shared';
import { ROUTES, type RouteKey } from '../../signaling/src/http/access.js';
import { EVENT_ACCESS } from '../../signaling/src/realtime/event-access.js';

// 县纪委监委主要负责人 (issue 16): the principal leader reads the sealed matters, sends them up or unseals one sealed by
// mistake; as a commission leader also the discipline-records query (issue 17), where no sealed matter appears;
// nothing else.
const routesOf = (role: Role) =>
  (Object.keys(ROUTES) as RouteKey[]).filter((k) => ROUTES[k].roles !== 'public' && (ROUTES[k].roles as readonly Role[]).includes(role));
const own = (k: string) => k.startsWith('POST /api/auth/') || k === 'GET /api/auth/account';

describe('the principal leader role', () => {
  it('is a role of its own, outside the county office and with a second factor', () => {
    expect(ROLES.filter((r) => r === 'county_leader')).toHaveLength(1);
    expect(COUNTY_ROLES).not.toContain('county_leader');
    expect(SECOND_FACTOR_ALWAYS).toContain('county_leader');
  });

  it('reaches the sealed matters, the discipline-records query, the 建议书 loop, 清廉档案, 政治生态报告 and 回访教育 (reading), the 廉政意见 replies (signing) and its own account, and no other route', () => {
    expect(
      routesOf('county_leader')
        .filter((k) => !own(k))
        .sort(),
    ).toEqual([
      'GET /api/archive/people/:code',
      'GET /api/archive/units',
      'GET /api/archive/units/:code/report',
      'GET /api/archive/units/:code/report/pdf',
      'GET /api/archive/warnings',
      'GET /api/discipline/people',
      'GET /api/discipline/people/:code',
      'GET /api/discipline/visits',
      'GET /api/opinions',
      'GET /api/opinions/:id',
      'GET /api/recommendations',
      'GET /api/recommendations/:id',
      'GET /api/recommendations/board',
      'GET /api/recommendations/units',
      'GET /api/sealed',
      'GET /api/sealed/:id',
      'POST /api/opinions/:id/sign',
      'POST /api/recommendations',
      'POST /api/recommendations/:id/actions',
      'POST /api/sealed/:id/send-up',
      'POST /api/sealed/:id/unseal',
    ]);
  });

  it('the sealed matters are the leader’s, and the supervisor’s only to send up those no leader may read; sealing one after intake is the supervisor’s', () => {
    for (const k of Object.keys(ROUTES) as RouteKey[]) {
      if (!k.includes('/api/sealed')) continue;
      expect({ k, roles: ROUTES[k].roles }).toEqual({ k, roles: k.endsWith('/unseal') ? ['county_leader'] : ['county_leader', 'county_supervisor'] });
    }
    expect(ROUTES['POST /api/petitions/:id/seal'].roles).toEqual(['county_supervisor']);
  });

  it('on the socket the leader may only refresh its token: no wall, call or case push', () => {
    const events = Object.entries(EVENT_ACCESS)
      .filter(([, roles]) => (roles as readonly Role[]).includes('county_leader'))
      .map(([e]) => e);
    expect(events).toEqual(['auth:refresh']);
  });
});
