import { randomUUID } from 'node:crypto';
import { withIdCardCheck } from '@vj/shared';
import { api } from './api.js';

export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('fake image body')]);

export function randomIdCard(): string {
  const digits = Array.from({ length: 8 }, () => Math.floor(Math.random() * 10)).join('');
  return withIdCardCheck(`430121${'19850607'}${digits.slice(0, 3)}`);
}

export function petitionBody(townshipCode: string, identity: Record<string, string> | null = null, over: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    sessionId: null,
    townshipCode,
    category: '工作作风' as const,
    narrative: '反映村干部办事拖拉、态度生硬',
    // Not linked to a township: a conflict-of-interest refusal would stand in the way of fixtures that refer. A 村主任
    // is a village cadre, confirmed at intake: a matter about one may go down to the township (分级负责).
    accused: [
      {
        name: '李某某',
        unit: `${townshipCode} 某村委会`,
        position: '村主任',
        townshipCode: null as string | null,
        officialCode: null as string | null,
        managementLevel: 'village_cadre' as string,
        standing: 'none' as string,
      },
    ],
    identity,
    ...over,
  };
}

/** The registry name officer2 is linked to in tests of 回避 (the demo leaves officer2 unlinked). */
export const OFFICER2_NAME = '吴海涛';

/** officer2 named as accused, as the intake form sends one. */
export const officer2Accused = {
  name: OFFICER2_NAME,
  unit: '县纪委监委信访室',
  position: '干事',
  townshipCode: null,
  officialCode: null,
  managementLevel: 'county_managed',
  standing: 'none',
};

/** Links officer2's account to OFFICER2_NAME, as an administrator does (admin screen); answers the response. */
export const linkOfficer2 = (url: string, adminToken: string, officer2Id: string) =>
  api(url, 'POST', `/api/admin/users/${officer2Id}/official`, { token: adminToken, body: { link: 'name', personName: OFFICER2_NAME } });

/** Claims of a county officer, for calling a service directly (the REST route's own checks are not under test). */
export const officerClaims = (user: { id: string }, sid: string = randomUUID()) =>
  ({ sub: user.id, role: 'county_officer', name: 'officer1', sid, exp: 0, iat: 0, aud: 'vj:console', iss: 'vj-signaling' }) as never;

export interface Logins {
  [username: string]: { accessToken: string; refreshToken: string; user: { id: string; role: string; townshipCode: string | null } };
}

export const DEMO_PASSWORDS: Record<string, string> = {
  officer1: 'officer1-demo',
  officer2: 'officer2-demo',
  supervisor: 'supervisor-demo',
  leader1: 'leader1-demo',
  reviewer1: 'reviewer1-demo',
  conduct1: 'conduct1-demo',
  'district1-leader': 'district1-leader-demo',
  'district1-inspector': 'district1-inspector-demo',
  'district2-inspector': 'district2-inspector-demo',
  'xingsha-handler': 'xingsha-handler-demo',
  'langli-handler': 'langli-handler-demo',
  'xingsha-staff': 'xingsha-staff-demo',
  admin: 'admin-demo',
  secadmin: 'secadmin-demo',
  auditor: 'auditor-demo',
};

export async function loginAll(url: string, only?: string[]): Promise<Logins> {
  const out: Logins = {};
  for (const [u, p] of Object.entries(DEMO_PASSWORDS)) {
    if (only && !only.includes(u)) continue;
    const r = await api<Logins[string]>(url, 'POST', '/api/auth/login', { body: { username: u, password: p } });
    if (r.status !== 200) throw new Error(`login ${u}: ${r.status}`);
    out[u] = r.body;
  }
  return out;
}

export async function kioskToken(url: string, credential: string): Promise<string> {
  const r = await api<{ accessToken: string }>(url, 'POST', '/api/auth/kiosk', { body: { credential } });
  if (r.status !== 200) throw new Error(`kiosk auth: ${r.status}`);
  return r.body.accessToken;
}

/** Uploads raw bytes the way the console does. */
export async function upload(
  url: string,
  token: string,
  petitionId: string,
  attachmentId: string,
  data: Buffer,
  mime: string,
  filename: string,
  collection = '/api/petitions',
) {
  const res = await fetch(`${url}${collection}/${petitionId}/attachments/${attachmentId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': mime, 'x-filename': encodeURIComponent(filename) },
    body: new Uint8Array(data),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as unknown };
}

/** Runs one workflow action as the given user; a fresh step id per call unless the caller passes one. */
export function transition(url: string, token: string, petitionId: string, body: Record<string, unknown>, township = false) {
  const path = township ? `/api/township/cases/${petitionId}/transition` : `/api/petitions/${petitionId}/transition`;
  return api<{ status: string }>(url, 'POST', path, { token, body: { stepId: randomUUID(), ...body } });
}

/** One case as the database holds it, with the audit log's and the case's step counts: equal before and after a
 * refused action means the refusal changed nothing. */
export async function caseSnapshot(db: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }> }, id: string): Promise<string> {
  return JSON.stringify({
    p: (await db.query('SELECT * FROM petitions WHERE id = $1', [id])).rows[0],
    audit: (await db.query('SELECT count(*) AS n FROM audit_log')).rows[0],
    steps: (await db.query('SELECT count(*) AS n FROM case_steps WHERE petition_id = $1', [id])).rows[0],
  });
}

/** 国庆 2026 as a county would import it: 1–2 and 5–8 October off (3–4 are a weekend), Saturday 10 October worked. */
export const NATIONAL_DAY_2026: [string, boolean][] = [
  ['2026-10-01', false],
  ['2026-10-02', false],
  ['2026-10-05', false],
  ['2026-10-06', false],
  ['2026-10-07', false],
  ['2026-10-08', false],
  ['2026-10-10', true],
];

/** Writes NATIONAL_DAY_2026 into the working calendar, as an import would. */
export async function importNationalDay2026(db: { query: (sql: string, params: unknown[]) => Promise<unknown> }): Promise<void> {
  for (const [d, working] of NATIONAL_DAY_2026)
    await db.query('INSERT INTO calendar_exceptions (day, working, note) VALUES ($1, $2, $3)', [d, working, working ? '调休' : '国庆']);
}
