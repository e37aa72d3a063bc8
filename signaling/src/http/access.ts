import { ADMIN_ROLES, COUNTY_ROLES, type Role } from '@vj/shared';

const COUNTY = COUNTY_ROLES;
/**
 * 受处分人员信息查询 (issue 17): 审理室, the commission's leaders, 党风政风监督室, and the 片区督查组 (their own 片区 only,
 * enforced in the query). Township roles and the petition office get none of it.
 */
const ARCHIVE_READERS: readonly Role[] = ['case_reviewer', 'county_leader', 'conduct_office', 'district_inspector', 'district_leader'];
/**
 * 建议书 → 整改 → 回头看: 党风政风监督室 keeps the letters and the commission's leaders act on them too; 审理室 reads
 * them (its cases are where they come from); a 片区督查组 reads those to units of its own 片区 (enforced in the service).
 */
const LETTER_WRITERS: readonly Role[] = ['conduct_office', 'county_leader'];
const LETTER_READERS: readonly Role[] = ARCHIVE_READERS;
/**
 * 清廉档案: the 片区督查组 (their own 片区, enforced in the service) enter the months and close the warnings, their
 * leader signs the months; the commission's leaders and 党风政风监督室 (opinions and reports) read. 审理室 reads the
 * discipline records, not the profiles.
 */
const DISTRICT: readonly Role[] = ['district_inspector', 'district_leader'];
const PROFILE_READERS: readonly Role[] = [...DISTRICT, 'county_leader', 'conduct_office'];
/** 回访教育: 审理室 and the 片区督查组 (own 片区) plan and record the visits; the leaders and 党风政风监督室 read. */
const VISIT_WRITERS: readonly Role[] = ['case_reviewer', ...DISTRICT];
/** 廉政意见回复: 党风政风监督室 records the requests and words the opinions; a commission leader signs the reply. */
const OPINION_READERS: readonly Role[] = ['conduct_office', 'county_leader'];
const CONSOLE_USERS: readonly Role[] = [
  'county_officer',
  'county_supervisor',
  'county_leader',
  ...ARCHIVE_READERS.filter((r) => r !== 'county_leader'),
  'township_handler',
  'township_staff',
  ...ADMIN_ROLES,
];

export interface RouteAccess {
  /** Who may call it; 'public' routes authenticate by what they carry (a password, a device credential). */
  roles: readonly Role[] | 'public';
  /**
   * 'township': the object belongs to a township, and a township role may touch only its own; anything else
   * answers 404 as if it did not exist. The route chain refuses a handler that forgets to check.
   * 'district': a person or unit of a 片区; a 督查组 reads only its own, and another 片区's answers 404 as if it did
   * not exist (the service checks). Under either scope a known user's 404 is audited as a refusal: someone
   * reaching past their township or 片区 leaves a trace.
   */
  scope?: 'township' | 'district';
}

/**
 * Every REST route and who may call it, in one table. The route chain enforces it; the authorization matrix
 * test is generated from it.
 */
export const ROUTES = {
  'GET /api/health': { roles: 'public' },
  'POST /api/auth/login': { roles: 'public' },
  'POST /api/auth/refresh': { roles: 'public' },
  'POST /api/auth/kiosk': { roles: 'public' },
  'POST /api/auth/logout': { roles: CONSOLE_USERS },
  'POST /api/auth/password': { roles: CONSOLE_USERS },
  'POST /api/auth/login/second-factor': { roles: 'public' },
  'POST /api/auth/second-factor/begin': { roles: CONSOLE_USERS },
  'POST /api/auth/second-factor/confirm': { roles: CONSOLE_USERS },
  'GET /api/auth/account': { roles: CONSOLE_USERS },
  'POST /api/auth/sessions/:sid/end': { roles: CONSOLE_USERS },
  'GET /api/rooms': { roles: COUNTY },
  'GET /api/sessions/:id': { roles: COUNTY },
  'GET /api/sessions/:id/media': { roles: COUNTY },
  'GET /api/sessions/:id/recording': { roles: COUNTY },
  'POST /api/sessions/:id/recording/pause': { roles: ['county_supervisor'] },
  'POST /api/recordings/:id/playback': { roles: COUNTY },
  'GET /api/recordings/playback/:id': { roles: 'public' },
  'POST /api/recordings/:id/township-grant': { roles: ['county_supervisor'] },
  'POST /api/township/recordings/:id/playback': { roles: ['township_handler', 'township_staff'], scope: 'township' },
  'GET /api/recordings/:id/verify': { roles: ['county_supervisor', 'sec_admin'] },
  'POST /api/petitions': { roles: COUNTY },
  'GET /api/petitions': { roles: COUNTY },
  'GET /api/petitions/:id': { roles: COUNTY },
  'POST /api/petitions/:id/reveal': { roles: COUNTY },
  'GET /api/petitions/:id/workflow': { roles: COUNTY },
  'POST /api/petitions/:id/transition': { roles: COUNTY },
  'GET /api/petitions/:id/cross-reference': { roles: COUNTY },
  'PUT /api/petitions/:id/jurisdiction': { roles: COUNTY },
  // 密封事项: the supervisor seals a matter on file (an officer seals only at intake); from then on only the
  // principal leader reads it, and only here: the supervisor reads here only those no leader may (cases/sealed.ts).
  'POST /api/petitions/:id/seal': { roles: ['county_supervisor'] },
  'GET /api/sealed': { roles: ['county_leader', 'county_supervisor'] },
  'GET /api/sealed/:id': { roles: ['county_leader', 'county_supervisor'] },
  'POST /api/sealed/:id/send-up': { roles: ['county_leader', 'county_supervisor'] },
  'POST /api/sealed/:id/unseal': { roles: ['county_leader'] },
  'GET /api/cases/deadlines': { roles: COUNTY },
  'GET /api/cases/notices': { roles: COUNTY },
  'GET /api/stats': { roles: COUNTY },
  'GET /api/stats/export': { roles: COUNTY },
  'GET /api/case-policy': { roles: [...COUNTY, 'sec_admin'] },
  'PUT /api/case-policy': { roles: ['county_supervisor'] },
  'POST /api/case-policy/calendar-import': { roles: ['county_supervisor', 'sys_admin'] },
  'POST /api/registry/imports': { roles: ['county_supervisor', 'sys_admin'] },
  'GET /api/registry/imports/:id': { roles: ['county_supervisor', 'sys_admin'] },
  // The second person for an import's change to a county account's registry entry (never the importer).
  'GET /api/registry/held': { roles: ['county_supervisor', 'sys_admin'] },
  'POST /api/registry/held/:id': { roles: ['county_supervisor', 'sys_admin'] },
  'GET /api/registry/officials': { roles: COUNTY },
  'GET /api/discipline/people': { roles: ARCHIVE_READERS },
  'GET /api/discipline/people/:code': { roles: ARCHIVE_READERS, scope: 'district' },
  'GET /api/archive/people/:code': { roles: PROFILE_READERS, scope: 'district' },
  'PUT /api/archive/people/:code/months/:month': { roles: DISTRICT, scope: 'district' },
  'POST /api/archive/people/:code/months/:month/sign': { roles: ['district_leader'], scope: 'district' },
  'GET /api/archive/warnings': { roles: PROFILE_READERS },
  'POST /api/archive/warnings/:id/close': { roles: DISTRICT },
  // 月度导入: the 督查组 (rows of its own 片区 only, checked row by row); only the importer follows its progress.
  'POST /api/archive/imports': { roles: DISTRICT },
  'GET /api/archive/imports/:id': { roles: DISTRICT },
  // 政治生态报告: the profile readers (a 督查组 its own 片区's units, enforced in the service).
  'GET /api/archive/units': { roles: PROFILE_READERS },
  'GET /api/archive/units/:code/report': { roles: PROFILE_READERS, scope: 'district' },
  'GET /api/archive/units/:code/report/pdf': { roles: PROFILE_READERS, scope: 'district' },
  'GET /api/discipline/visits': { roles: ARCHIVE_READERS },
  'POST /api/discipline/visits': { roles: VISIT_WRITERS },
  'POST /api/discipline/visits/:id/record': { roles: VISIT_WRITERS },
  'GET /api/opinions': { roles: OPINION_READERS },
  'POST /api/opinions': { roles: ['conduct_office'] },
  'GET /api/opinions/:id': { roles: OPINION_READERS },
  'PUT /api/opinions/:id/candidates/:code': { roles: ['conduct_office'] },
  'POST /api/opinions/:id/sign': { roles: ['county_leader'] },
  'GET /api/recommendations': { roles: LETTER_READERS },
  'GET /api/recommendations/board': { roles: LETTER_READERS },
  'GET /api/recommendations/units': { roles: LETTER_WRITERS },
  'POST /api/recommendations': { roles: LETTER_WRITERS },
  'GET /api/recommendations/:id': { roles: LETTER_READERS },
  'POST /api/recommendations/:id/actions': { roles: LETTER_WRITERS },
  'PUT /api/petitions/:id/attachments/:attachmentId': { roles: COUNTY },
  'GET /api/petitions/:id/attachments/:attachmentId': { roles: COUNTY },
  'GET /api/township/cases': { roles: ['township_handler'] },
  'GET /api/township/cases/:id': { roles: ['township_handler'], scope: 'township' },
  'POST /api/township/cases/:id/transition': { roles: ['township_handler'], scope: 'township' },
  'PUT /api/township/cases/:id/attachments/:attachmentId': { roles: ['township_handler'], scope: 'township' },
  'GET /api/township/cases/:id/attachments/:attachmentId': { roles: ['township_handler'], scope: 'township' },
  'POST /api/receipts/lookup': { roles: ['kiosk'] },
  'POST /api/receipts/rating': { roles: ['kiosk'] },
  // Follow-up tasks of 不满意 ratings: the county's own work; a township learns nothing of ratings.
  'GET /api/cases/follow-ups': { roles: COUNTY },
  'POST /api/cases/follow-ups/:id/close': { roles: ['county_supervisor'] },
  'GET /api/audit': { roles: ['county_supervisor', 'audit_admin'] },
  'GET /api/audit/verify': { roles: ['county_supervisor', 'audit_admin'] },
  'GET /api/audit/export': { roles: ['audit_admin'] },
  'GET /api/security/status': { roles: ['sec_admin'] },
  'GET /api/security/second-factor': { roles: ['sec_admin'] },
  'PUT /api/security/policy': { roles: ['sec_admin'] },
  'POST /api/security/users/:id/second-factor/reset': { roles: ['sec_admin'] },
  'GET /api/admin/users': { roles: ['sys_admin'] },
  'POST /api/admin/users/:id/official': { roles: ['sys_admin'] },
  'GET /api/admin/officials': { roles: ['sys_admin'] },
  'POST /api/admin/users/:id/disable': { roles: ['sys_admin'] },
  'POST /api/admin/users/:id/enable': { roles: ['sys_admin'] },
  'GET /api/admin/kiosks': { roles: ['sys_admin'] },
  'POST /api/admin/kiosks/:id/revoke': { roles: ['sys_admin'] },
  'POST /api/admin/kiosks/:id/reprovision': { roles: ['sys_admin'] },
  'GET /api/admin/sfu': { roles: ['county_supervisor', 'sys_admin'] },
} as const satisfies Record<string, RouteAccess>;

export type RouteKey = keyof typeof ROUTES;

export function splitKey(key: RouteKey): { method: 'get' | 'post' | 'put'; path: string } {
  const [method, path] = key.split(' ') as [string, string];
  return { method: method.toLowerCase() as 'get' | 'post' | 'put', path };
}
