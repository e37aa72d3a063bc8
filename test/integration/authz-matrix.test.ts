import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientEvents, localDay, type ClientEvent, type Role } from '@vj/shared';
import { ROUTES, type RouteKey } from '../../signaling/src/http/access.js';
import { EVENT_ACCESS } from '../../signaling/src/realtime/event-access.js';
import { api } from '../helpers/api.js';
import { DEMO_PASSWORDS, PNG, kioskToken, loginAll, petitionBody, transition, upload, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { connect, send } from '../helpers/sockets.js';

// Every role, on every declared route and event, against its own township's objects and another's.
type Actor = { name: string; role: Role | 'anonymous'; township: string | null; token: () => Promise<string | undefined> };
type Ownership = 'own' | 'other' | 'n/a';

let s: InProcessServer;
let logins: Logins;
let kiosk: string;
const objects: Record<string, { petition: string; attachment: string; handling: string; recording?: string }> = {};
let registryImport: string;
/** A sealed matter: the leader's routes read only these. */
let sealedId: string;
/** A sealed matter naming the (only, linked) demo leader: the office's supervisor reads it instead, to send it up. */
let officeSealedId: string;
const recordingId = randomUUID();
let receipt: { caseCode: string; pin: string };
let sessionId: string;
/** A session kept live for routes about live media. */
let liveSessionId: string;
let liveKiosk: Awaited<ReturnType<typeof connect>>;
/** 建议书 to a unit of 第一片区 (星沙街道城建办) and of 第二片区 (春华镇民政办), each awaiting its 整改报告. */
const letters = { d1: randomUUID(), d2: randomUUID() };
/** 清廉档案: a key official of each 片区 (孙立平 of 星沙, 何文涛 of 春华), and an open warning raised by each one's month. */
const keyOfficials = { d1: 'XS-0006', d2: 'CH-0002' };
const archiveWarnings: Record<'d1' | 'd2', string> = { d1: '', d2: '' };
/** A monthly archive import by each 督查组 member: only its importer follows it. */
const archiveImports: Record<string, string> = {};
const ARCHIVE_CSV = Buffer.from('人员编码,月份,管党治党,工作履职,精神状态,廉洁自律,廉政鉴定\nXS-9999,2026-01,甲,乙,丙,丁,良好\n');
const thisMonth = localDay().slice(0, 7);
/** 回访教育: a record in its 影响期 in each 片区, and a visit planned for each. */
const visitRecords = { d1: 'CF-AUTHZ-1', d2: 'CF-AUTHZ-2' };
const visits = { d1: randomUUID(), d2: randomUUID() };
/** 廉政意见回复: a request with one candidate (王建国). */
const opinionId = randomUUID();
const archiveMonth = {
  dims: {
    property: '住房一套',
    vehicles: '无',
    family: '无',
    partyGovernance: '授权矩阵测试',
    duty: '授权矩阵测试',
    spirit: '授权矩阵测试',
    integrity: '授权矩阵测试',
    findings: '',
  },
  assessment: 'poor',
  findingsOpen: 0,
  findingsOverdue: 0,
};

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
  kiosk = await kioskToken(s.url, s.server.demo!.kiosks['xingsha']!);
  const officer = logins['officer1']!.accessToken;
  for (const township of ['xingsha', 'langli']) {
    const b = petitionBody(township, { name: '测试', idCard: '', phone: '', address: '', village: '' });
    const r = await api<{ caseCode: string; pin: string }>(s.url, 'POST', '/api/petitions', { token: officer, body: b });
    if (township === 'xingsha') receipt = r.body;
    expect((await transition(s.url, officer, b.id, { action: 'refer' })).status).toBe(200);
    const att = randomUUID();
    expect((await upload(s.url, officer, b.id, att, PNG, 'image/png', 'a.png')).status).toBe(200);
    const handler = logins[`${township}-handler`]!.accessToken;
    expect((await transition(s.url, handler, b.id, { action: 'township_accept' }, true)).status).toBe(200);
    const handling = randomUUID();
    expect((await upload(s.url, handler, b.id, handling, PNG, 'image/png', 'b.png', '/api/township/cases')).status).toBe(200);
    objects[township] = { petition: b.id, attachment: att, handling };
  }
  const sealed = petitionBody('xingsha', null, { sealed: true });
  expect((await api(s.url, 'POST', '/api/petitions', { token: officer, body: sealed })).status).toBe(200);
  sealedId = sealed.id;
  const naming = petitionBody('xingsha', null, {
    sealed: true,
    accused: [{ name: '郑国栋', unit: '县纪委监委', position: '书记', townshipCode: null, officialCode: 'XJW-0001' }],
  });
  expect((await api(s.url, 'POST', '/api/petitions', { token: officer, body: naming })).status).toBe(200);
  officeSealedId = naming.id;
  const imported = await fetch(`${s.url}/api/registry/imports?kind=officials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${logins['supervisor']!.accessToken}`, 'content-type': 'text/csv' },
    body: '人员编码,姓名\nM-1,测试\n',
  });
  registryImport = ((await imported.json()) as { id: string }).id;
  const k = await connect(s.url, kiosk);
  const started = await send(k, 'call:start', { requestId: randomUUID() });
  sessionId = started.ok ? started.data.sessionId : '';
  await send(k, 'session:end', { sessionId });
  k.close();
  // Finished recordings, one per township and granted to it: the routes about recordings need them to exist.
  await s.server.db.query(
    `INSERT INTO recordings (id, session_id, room_code, status, started_at, township_grant) VALUES ($1, $2, 'xingsha', 'complete', now(), true)`,
    [recordingId, sessionId],
  );
  objects['xingsha']!.recording = recordingId;
  const lk = await connect(s.url, await kioskToken(s.url, s.server.demo!.kiosks['langli']!));
  const langliCall = await send(lk, 'call:start', { requestId: randomUUID() });
  const langliSession = langliCall.ok ? langliCall.data.sessionId : '';
  await send(lk, 'session:end', { sessionId: langliSession });
  lk.close();
  objects['langli']!.recording = randomUUID();
  await s.server.db.query(
    `INSERT INTO recordings (id, session_id, room_code, status, started_at, township_grant) VALUES ($1, $2, 'langli', 'complete', now(), true)`,
    [objects['langli']!.recording, langliSession],
  );
  for (const [d, unitCode] of [
    ['d1', 'XS-CJB'],
    ['d2', 'CH-MZB'],
  ] as const) {
    const letter = {
      id: letters[d],
      kind: 'discipline',
      docNumber: `授权矩阵〔2026〕${d}号`,
      unitCode,
      issuedOn: '2026-01-05',
      problems: '授权矩阵测试发现的问题',
      requests: '授权矩阵测试整改要求',
      deadline: '2026-02-05',
    };
    expect((await api(s.url, 'POST', '/api/recommendations', { token: logins['conduct1']!.accessToken, body: letter })).status).toBe(200);
  }
  for (const [d, who] of [
    ['d1', 'district1-leader'],
    ['d2', 'district2-inspector'],
  ] as const) {
    const r = await api<{ warnings: { id: string }[] }>(s.url, 'PUT', `/api/archive/people/${keyOfficials[d]}/months/${thisMonth}`, {
      token: logins[who]!.accessToken,
      body: archiveMonth,
    });
    expect(r.status).toBe(200);
    archiveWarnings[d] = r.body.warnings[0]!.id;
  }
  for (const who of ['district1-leader', 'district1-inspector', 'district2-inspector']) {
    const res = await fetch(`${s.url}/api/archive/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${logins[who]!.accessToken}`, 'content-type': 'text/csv' },
      body: ARCHIVE_CSV,
    });
    expect(res.status).toBe(202);
    archiveImports[who] = ((await res.json()) as { id: string }).id;
  }
  await s.server.db.query(
    `INSERT INTO discipline_records (id, official_code, decided_on, kind, reason, authority, sanction) VALUES
       ($1, 'XS-0001', $3, '党内警告', '授权矩阵', '县纪委监委', 'party_warning'), ($2, 'CH-0001', $3, '党内警告', '授权矩阵', '县纪委监委', 'party_warning')`,
    [visitRecords.d1, visitRecords.d2, localDay(new Date(Date.now() - 30 * 86_400_000))],
  );
  for (const d of ['d1', 'd2'] as const) {
    const body = { id: visits[d], recordId: visitRecords[d], plannedOn: localDay() };
    expect((await api(s.url, 'POST', '/api/discipline/visits', { token: logins['reviewer1']!.accessToken, body })).status).toBe(200);
  }
  const opinion = { id: opinionId, purpose: 'promotion', requester: '县委组织部', docNumber: '授权矩阵函', receivedOn: localDay(), codes: ['XS-0001'] };
  expect((await api(s.url, 'POST', '/api/opinions', { token: logins['conduct1']!.accessToken, body: opinion })).status).toBe(200);
  liveKiosk = await connect(s.url, await kioskToken(s.url, s.server.demo!.kiosks['jinjing']!));
  const live = await send(liveKiosk, 'call:start', { requestId: randomUUID() });
  liveSessionId = live.ok ? live.data.sessionId : '';
});
afterAll(async () => {
  liveKiosk?.close();
  await s?.stop();
});

const actors = (): Actor[] => [
  { name: 'anonymous', role: 'anonymous', township: null, token: async () => undefined },
  { name: 'kiosk', role: 'kiosk', township: 'xingsha', token: async () => kiosk },
  ...Object.entries(logins).map(([name, l]) => ({
    name,
    role: l.user.role as Role,
    township: l.user.townshipCode,
    // Logout ends the session it is called with; every cell gets a fresh login so cells stay independent.
    token: async () => l.accessToken,
  })),
];

/** "Own" is the actor's own township (xingsha for county-wide actors); "other" is the other one. */
function pathFor(key: RouteKey, actor: Actor, own: Ownership): string {
  const path = key.split(' ')[1]!;
  const home = actor.township ?? 'xingsha';
  const o = objects[own === 'other' ? (home === 'xingsha' ? 'langli' : 'xingsha') : home]!;
  if (path.startsWith('/api/admin/users/')) return path.replace(':id', logins['admin']!.user.id);
  if (path.startsWith('/api/admin/kiosks/')) return path.replace(':id', s.server.demo!.kiosks['kaihui']!.split('.')[0]!);
  if (path.endsWith('/media')) return path.replace(':id', liveSessionId);
  if (path.startsWith('/api/sessions/')) return path.replace(':id', sessionId);
  if (path.startsWith('/api/registry/imports/')) return path.replace(':id', registryImport);
  if (path.startsWith('/api/sealed/')) return path.replace(':id', actor.role === 'county_supervisor' ? officeSealedId : sealedId);
  // A person of the actor's own 片区 (d2: 春华镇, everyone else: 星沙街道, in 第一片区); another 片区's is a 404 (discipline-query test).
  if (path.startsWith('/api/discipline/people/')) return path.replace(':code', actor.name === 'district2-inspector' ? 'CH-0001' : 'XS-0001');
  if (path === '/api/discipline/people') return `${path}?q=wjg`;
  // A letter to a unit of the actor's own 片区 (as for people above); another 片区's is a 404 (recommendations test).
  const d = actor.name === 'district2-inspector' ? 'd2' : 'd1';
  if (path.startsWith('/api/archive/people/')) return path.replace(':code', keyOfficials[d]).replace(':month', thisMonth);
  if (path.startsWith('/api/archive/warnings/')) return path.replace(':id', archiveWarnings[d]);
  if (path.startsWith('/api/archive/imports/')) return path.replace(':id', archiveImports[actor.name] ?? archiveImports['district1-leader']!);
  if (path.startsWith('/api/archive/units/')) return path.replace(':code', d === 'd2' ? 'CH-MZB' : 'XS-CJB');
  if (path.startsWith('/api/discipline/visits/')) return path.replace(':id', visits[d]);
  if (path.startsWith('/api/opinions/')) return path.replace(':id', opinionId).replace(':code', 'XS-0001');
  if (path.startsWith('/api/recommendations/:id')) return path.replace(':id', actor.name === 'district2-inspector' ? letters.d2 : letters.d1);
  if (path === '/api/recommendations/units') return `${path}?q=${encodeURIComponent('城建办')}`;
  if (path.startsWith('/api/recordings/')) return path.replace(':id', recordingId);
  if (path.startsWith('/api/township/recordings/')) return path.replace(':id', o.recording!);
  if (path.startsWith('/api/township/')) return path.replace(':attachmentId', o.handling).replace(':id', o.petition);
  return path.replace(':attachmentId', o.attachment).replace(':id', o.petition);
}

async function bodyFor(key: RouteKey, actor: Actor): Promise<{ body?: unknown; raw?: Buffer; mime?: string }> {
  // Fixture logins use the acting user's own name (officer2 for actors without one), so no username comes
  // near the per-username login limit of 10 a minute.
  const username = actor.name in DEMO_PASSWORDS ? actor.name : 'officer2';
  const creds = { username, password: DEMO_PASSWORDS[username] };
  switch (key) {
    case 'POST /api/auth/login':
      return { body: creds };
    case 'POST /api/auth/refresh': {
      const r = await api<{ refreshToken: string }>(s.url, 'POST', '/api/auth/login', { body: creds });
      return { body: { refreshToken: r.body.refreshToken } };
    }
    case 'POST /api/auth/kiosk':
      return { body: { credential: s.server.demo!.kiosks['xingsha'] } };
    case 'POST /api/petitions':
      return { body: petitionBody('xingsha') };
    case 'POST /api/recordings/:id/township-grant':
      return { body: { grant: true, reason: '授权矩阵测试理由' } };
    // An empty reason: an allowed caller gets 400 and the fixture petition stays open for the other cells.
    case 'POST /api/petitions/:id/seal':
      return { body: { reason: '' } };
    case 'POST /api/sealed/:id/send-up':
      return { body: { to: '市纪委监委', note: '授权矩阵测试' } };
    // An empty reason: the leader gets 400 and the matter stays sealed for the other cells.
    case 'POST /api/sealed/:id/unseal':
      return { body: { reason: '' } };
    case 'POST /api/petitions/:id/reveal':
      return { body: { reason: '授权矩阵测试核对' } };
    case 'POST /api/receipts/lookup':
      return { body: { caseCode: receipt.caseCode, pin: receipt.pin } };
    // The matter is not concluded: the kiosk reaches it and is refused by state (409), not by role.
    case 'POST /api/receipts/rating':
      return { body: { caseCode: receipt.caseCode, pin: receipt.pin, rating: 'unsatisfied' } };
    case 'PUT /api/petitions/:id/attachments/:attachmentId':
    case 'PUT /api/township/cases/:id/attachments/:attachmentId':
      return { raw: PNG, mime: 'image/png' };
    // No decision: an allowed caller gets 400 before any held change is looked up; the rest are refused by role.
    case 'POST /api/registry/held/:id':
      return { body: { decision: '' } };
    case 'POST /api/archive/imports':
      return { raw: ARCHIVE_CSV, mime: 'text/csv' };
    case 'POST /api/registry/imports':
      return { raw: Buffer.from('人员编码,姓名\nM-2,测试\n'), mime: 'text/csv' };
    // Valid bodies, so a refusal is about who asks and whose case it is, never about the body. A workflow
    // refusal of the action itself (409: not in this state) still counts as "allowed" to reach the case.
    case 'POST /api/petitions/:id/transition':
      return { body: { stepId: randomUUID(), action: 'return', text: '授权矩阵测试' } };
    // The fixture's own accused person, confirmed as what intake said (a village cadre): no change, so repeatable.
    case 'PUT /api/petitions/:id/jurisdiction':
      return { body: { accused: [{ index: 0, managementLevel: 'village_cadre', standing: 'none' }] } };
    // A deadline before the issue date: an allowed caller gets 400 and no letter is written.
    case 'POST /api/recommendations':
      return {
        body: {
          id: randomUUID(),
          kind: 'discipline',
          docNumber: '授权矩阵〔2026〕x号',
          unitCode: 'XS-CJB',
          issuedOn: '2026-01-05',
          problems: '授权矩阵测试发现的问题',
          requests: '授权矩阵测试整改要求',
          deadline: '2026-01-01',
        },
      };
    // A 回头看 on a letter still awaiting its report: an allowed caller is refused by state (409), and the letter stays.
    case 'PUT /api/archive/people/:code/months/:month':
      return { body: archiveMonth };
    case 'POST /api/discipline/visits':
      return { body: { id: randomUUID(), recordId: visitRecords[actor.name === 'district2-inspector' ? 'd2' : 'd1'], plannedOn: localDay() } };
    case 'POST /api/discipline/visits/:id/record':
      return { body: { doneOn: localDay(), notes: '授权矩阵测试回访情况' } };
    case 'POST /api/opinions':
      return { body: { id: opinionId, purpose: 'award', requester: '县委组织部', docNumber: '授权矩阵函', receivedOn: localDay(), codes: ['XS-0001'] } };
    case 'PUT /api/opinions/:id/candidates/:code':
      return { body: { verdict: 'clear', text: '授权矩阵测试的意见内容' } };
    case 'POST /api/archive/warnings/:id/close':
      return { body: { action: 'remind', note: '授权矩阵测试' } };
    case 'POST /api/recommendations/:id/actions':
      return { body: { action: 'review', outcome: 'done', notes: '授权矩阵测试' } };
    case 'POST /api/township/cases/:id/transition':
      return { body: { stepId: randomUUID(), action: 'add_step', text: '授权矩阵测试' } };
    default:
      return {};
  }
}

const TOWNSHIP_ROLES = ['township_handler', 'township_staff'];

function expectedAllow(key: RouteKey, actor: Actor, own: Ownership): boolean {
  const access = ROUTES[key] as { roles: readonly string[] | 'public'; scope?: string };
  if (access.roles === 'public') return true;
  if (actor.role === 'anonymous' || !access.roles.includes(actor.role)) return false;
  return !(access.scope === 'township' && TOWNSHIP_ROLES.includes(actor.role) && own === 'other');
}

async function call(key: RouteKey, actor: Actor, own: Ownership): Promise<number> {
  let token = await actor.token();
  if (key === 'POST /api/auth/logout' && actor.role !== 'anonymous' && actor.role !== 'kiosk') {
    const fresh = await api<{ accessToken: string }>(s.url, 'POST', '/api/auth/login', {
      body: { username: actor.name, password: DEMO_PASSWORDS[actor.name] },
    });
    token = fresh.body.accessToken;
  }
  const method = key.split(' ')[0]!;
  const { body, raw, mime } = await bodyFor(key, actor);
  const path = pathFor(key, actor, own);
  if (raw) {
    const id = randomUUID();
    const target = key.includes(':attachmentId') ? path.replace(/[^/]+$/, id) : `${path}?kind=officials`;
    const res = await fetch(`${s.url}${target}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': mime! },
      body: new Uint8Array(raw),
    });
    return res.status;
  }
  return (await api(s.url, method, path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) })).status;
}

describe('authorization matrix', () => {
  it('every role × every route × own/other township object: 0 unexpected allows, 0 unexpected denies', async () => {
    const unexpected: string[] = [];
    let cells = 0;
    for (const key of Object.keys(ROUTES) as RouteKey[]) {
      const ownerships: Ownership[] = key.includes(':id') && (key.includes('/petitions/') || key.includes('/township/')) ? ['own', 'other'] : ['n/a'];
      for (const actor of actors()) {
        for (const own of ownerships) {
          cells++;
          const status = await call(key, actor, own);
          const allowed = ![401, 403, 404].includes(status);
          const expected = expectedAllow(key, actor, own);
          if (allowed !== expected) unexpected.push(`${expected ? 'DENIED' : 'ALLOWED'} ${actor.name} ${key} [${own}] → ${status}`);
          // Every answer leaves through its route's response schema (route.ts): one that does not fit it is a 500, so
          // no cell may end in one. Each cell whose handler answers checks that real answer against its schema.
          if (status >= 500) unexpected.push(`SERVER ERROR ${actor.name} ${key} [${own}] → ${status}`);
        }
      }
    }
    console.log(`authorization matrix (REST): ${cells} cells checked, ${unexpected.length} unexpected`);
    expect(unexpected).toEqual([]);
    expect(cells).toBeGreaterThan(150);
  });

  it('every role × every socket event: refused exactly where the event table says', async () => {
    const unexpected: string[] = [];
    let cells = 0;
    for (const actor of actors()) {
      if (actor.role === 'anonymous') continue;
      const token = (await actor.token())!;
      const socket = await connect(s.url, token);
      try {
        for (const event of Object.keys(clientEvents) as ClientEvent[]) {
          cells++;
          const payload: Record<ClientEvent, unknown> = {
            'rooms:list': {},
            'auth:refresh': { token },
            'call:start': { requestId: randomUUID() },
            'call:answer': { sessionId: randomUUID() },
            'session:end': { sessionId: randomUUID() },
            'rtc:capabilities': { sessionId: randomUUID() },
            'rtc:createTransport': { sessionId: randomUUID(), direction: 'send' },
            'rtc:connectTransport': {
              sessionId: randomUUID(),
              transportId: randomUUID(),
              dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] },
            },
            'rtc:produce': {
              sessionId: randomUUID(),
              transportId: randomUUID(),
              kind: 'audio',
              rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000 }] },
              source: 'microphone',
            },
            'rtc:consume': { sessionId: randomUUID(), transportId: randomUUID(), producerId: randomUUID(), rtpCapabilities: {} },
            'rtc:resumeConsumer': { sessionId: randomUUID(), consumerId: randomUUID() },
            'rtc:setLayer': { sessionId: randomUUID(), consumerId: randomUUID(), spatialLayer: 0 },
            'rtc:restartIce': { sessionId: randomUUID(), transportId: randomUUID() },
            'rtc:reset': { sessionId: randomUUID() },
            'session:mine': {},
            'session:rejoin': { sessionId: randomUUID() },
            'session:departed': { sessionId: randomUUID(), how: 'gave_up' },
            'session:watch': { sessionId: randomUUID(), mode: 'monitor' },
            'session:setMode': { sessionId: randomUUID(), mode: 'join' },
            'session:setPrivate': { sessionId: randomUUID(), private: true },
            'session:requestPrivate': { sessionId: randomUUID() },
            'call:requestCallback': { sessionId: randomUUID() },
            'kiosk:deviceStatus': { camera: 'ok' },
            'kiosk:checkStart': {},
            'kiosk:checkConnect': { checkId: randomUUID(), dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] } },
            'kiosk:checkProduce': {
              checkId: randomUUID(),
              kind: 'audio',
              rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000 }] },
            },
            'kiosk:checkFinish': { checkId: randomUUID(), report: { camera: 'ok', microphone: 'ok', rttMs: 1, connectMs: 1 } },
            'session:leave': { sessionId: randomUUID() },
            'staff:startIntake': { requestId: randomUUID() },
            'staff:join': { sessionId: randomUUID() },
            'wall:join': {},
            'alert:ack': { alertId: 'none' },
          };
          const res = await send(socket, event, payload[event]);
          if (event === 'call:start' && res.ok) await send(socket, 'session:end', { sessionId: (res.data as { sessionId: string }).sessionId });
          if (event === 'staff:startIntake' && res.ok)
            await send(socket, 'session:end', { sessionId: (res.data as { session: { sessionId: string } }).session.sessionId });
          const refused = !res.ok && res.error.code === 'FORBIDDEN';
          const expected = EVENT_ACCESS[event].includes(actor.role as Role);
          if (refused === expected) unexpected.push(`${expected ? 'DENIED' : 'ALLOWED'} ${actor.name} ${event} → ${JSON.stringify(res).slice(0, 80)}`);
        }
      } finally {
        socket.close();
      }
    }
    console.log(`authorization matrix (socket events): ${cells} cells checked, ${unexpected.length} unexpected`);
    expect(unexpected).toEqual([]);
  });
});
