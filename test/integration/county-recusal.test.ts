import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteKey } from '../../signaling/src/http/access.js';
import { api } from '../helpers/api.js';
import { OFFICER2_NAME, PNG, kioskToken, linkOfficer2, loginAll, officer2Accused, petitionBody, transition, upload, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';
import { io } from 'socket.io-client';
import { connect, send, type TestSocket } from '../helpers/sockets.js';
import type { AlertView } from '@vj/shared';

// Issue 16, review finding 3: a county officer or supervisor named as accused in a matter is recused from it (回避).
// The demo supervisor is linked to 赵建平 (县纪委监委信访室主任, XJW-0002); officer2 is linked here by name alone.
// Runs on PostgreSQL, and on PGlite with VJ_TEST_DB=embedded.

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;
const userId = (who: string) => logins[who]!.user.id;

/** The ways a petition names a county account, × the county roles. */
const NAMINGS = [
  {
    label: 'supervisor by registry code',
    room: 'xingsha',
    who: 'supervisor',
    accused: { name: '赵建平', unit: '县纪委监委信访室', position: '主任', officialCode: 'XJW-0002' },
  },
  { label: 'supervisor by exact name', room: 'langli', who: 'supervisor', accused: { name: '赵建平', unit: '', position: '', officialCode: null } },
  {
    label: 'supervisor by surname and title',
    room: 'jinjing',
    who: 'supervisor',
    accused: { name: '赵主任', unit: '县纪委', position: '', officialCode: null },
  },
  {
    label: 'officer by linked name',
    room: 'kaihui',
    who: 'officer2',
    accused: { name: OFFICER2_NAME, unit: '县纪委监委信访室', position: '干事', officialCode: null },
  },
] as const;

interface Matter {
  id: string;
  sessionId: string;
  recordingId: string;
  attachmentId: string;
}

/** A finished kiosk call of `room`, with a complete recording of it (one room per call: kiosks' calls are rate limited). */
async function finishedCall(room: string): Promise<{ sessionId: string; recordingId: string }> {
  const kiosk = await connect(s.url, await kioskToken(s.url, s.server.demo!.kiosks[room]!));
  try {
    const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
    if (!started.ok) throw new Error(JSON.stringify(started));
    const sessionId = started.data.sessionId;
    await send(kiosk, 'session:end', { sessionId });
    const recordingId = randomUUID();
    await s.server.db.query(
      `INSERT INTO recordings (id, session_id, room_code, status, started_at, township_grant) VALUES ($1, $2, $3, 'complete', now(), false)`,
      [recordingId, sessionId, room],
    );
    return { sessionId, recordingId };
  } finally {
    kiosk.close();
  }
}

/**
 * A named accusation filed by officer1 from a call, with an intake file, accepted, overdue on the board, and with a
 * 不满意 rating's follow-up task: it is on every county list, so leaving it out of one is the rule at work.
 */
async function matterNaming(accused: Record<string, unknown>, room: string): Promise<Matter> {
  const { sessionId, recordingId } = await finishedCall(room);
  const b = petitionBody(
    room,
    { name: '张某', idCard: '', phone: '13800000000', address: '', village: '' },
    {
      accused: [{ townshipCode: null, managementLevel: 'county_managed', standing: 'none', ...accused }],
    },
  );
  const r = await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: b });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  // Filed as from the call (the binding route wants the filer in the call; the call is only the recording's anchor here).
  await s.server.db.query('UPDATE petitions SET session_id = $2 WHERE id = $1', [b.id, sessionId]);
  const attachmentId = randomUUID();
  expect((await upload(s.url, token('officer1'), b.id, attachmentId, PNG, 'image/png', 'a.png')).status).toBe(200);
  expect((await transition(s.url, token('officer1'), b.id, { action: 'accept', text: '' })).status).toBe(200);
  await s.server.db.query(`UPDATE petitions SET due_state = 'overdue', accept_due_at = now() - interval '1 day' WHERE id = $1`, [b.id]);
  await s.server.db.query(`INSERT INTO petition_ratings (petition_id, rating, rated_at) VALUES ($1, 'unsatisfied', now())`, [b.id]);
  await s.server.db.query(
    `INSERT INTO follow_up_tasks (id, petition_id, opened_at, due_at) VALUES (gen_random_uuid(), $1, now(), now() + interval '10 days')`,
    [b.id],
  );
  return { id: b.id, sessionId, recordingId, attachmentId };
}

/** The matter as stored, with everything hung on it: a refusal leaves all of it as it was. */
const snapshot = async (m: Matter) =>
  JSON.stringify(
    await Promise.all(
      [
        ['SELECT * FROM petitions WHERE id = $1', m.id],
        ['SELECT count(*) AS n FROM case_steps WHERE petition_id = $1', m.id],
        ['SELECT count(*) AS n FROM petition_attachments WHERE petition_id = $1', m.id],
        ['SELECT management_level, standing FROM petition_accused WHERE petition_id = $1 ORDER BY ord', m.id],
        ['SELECT closed_at, close_note FROM follow_up_tasks WHERE petition_id = $1', m.id],
        ['SELECT township_grant FROM recordings WHERE id = $1', m.recordingId],
        ['SELECT count(*) AS n FROM recording_playbacks WHERE recording_id = $1', m.recordingId],
        // Audit rows about the matter, its files and its recording (the refusal's own row names the route instead).
        [
          `SELECT count(*) AS n FROM audit_log WHERE object_id = $1 OR object_id IN (SELECT id::text FROM petition_attachments WHERE petition_id = $1::uuid) OR object_id = $2`,
          m.id,
          m.recordingId,
        ],
      ].map(async ([sql, ...params]) => (await s.server.db.query(sql!, params)).rows),
    ),
  );

/** Every request about the matter by id a county role may make; `supervisorOnly` ones are tried by supervisors only. */
function requests(m: Matter): { route: string; method: string; path: string; body?: unknown; raw?: boolean; supervisorOnly?: boolean }[] {
  const step = (body: Record<string, unknown>) => ({ stepId: randomUUID(), ...body });
  return [
    { route: 'GET /api/petitions/:id', method: 'GET', path: `/api/petitions/${m.id}` },
    { route: 'POST /api/petitions/:id/reveal', method: 'POST', path: `/api/petitions/${m.id}/reveal`, body: { reason: '核对来访人身份以便告知' } },
    { route: 'GET /api/petitions/:id/workflow', method: 'GET', path: `/api/petitions/${m.id}/workflow` },
    {
      route: 'POST /api/petitions/:id/transition',
      method: 'POST',
      path: `/api/petitions/${m.id}/transition`,
      body: step({ action: 'add_step', text: '调取材料' }),
    },
    {
      route: 'POST /api/petitions/:id/transition',
      method: 'POST',
      path: `/api/petitions/${m.id}/transition`,
      body: step({ action: 'decide_disposition', disposition: 'close_lead', reason: '反映问题缺乏可查性' }),
    },
    {
      route: 'POST /api/petitions/:id/transition',
      method: 'POST',
      path: `/api/petitions/${m.id}/transition`,
      body: step({ action: 'refer', handlerId: null }),
    },
    {
      route: 'POST /api/petitions/:id/transition',
      method: 'POST',
      path: `/api/petitions/${m.id}/transition`,
      body: step({ action: 'notify_accept', via: 'phone', text: '您的检举已受理' }),
    },
    { route: 'GET /api/petitions/:id/cross-reference', method: 'GET', path: `/api/petitions/${m.id}/cross-reference` },
    {
      route: 'PUT /api/petitions/:id/jurisdiction',
      method: 'PUT',
      path: `/api/petitions/${m.id}/jurisdiction`,
      body: { accused: [{ index: 0, managementLevel: 'township_cadre', standing: 'none' }] },
    },
    { route: 'PUT /api/petitions/:id/attachments/:attachmentId', method: 'PUT', path: `/api/petitions/${m.id}/attachments/${randomUUID()}`, raw: true },
    {
      route: 'PUT /api/petitions/:id/attachments/:attachmentId',
      method: 'PUT',
      path: `/api/petitions/${m.id}/attachments/${randomUUID()}?purpose=step`,
      raw: true,
    },
    { route: 'GET /api/petitions/:id/attachments/:attachmentId', method: 'GET', path: `/api/petitions/${m.id}/attachments/${m.attachmentId}` },
    { route: 'GET /api/sessions/:id/recording', method: 'GET', path: `/api/sessions/${m.sessionId}/recording` },
    { route: 'POST /api/recordings/:id/playback', method: 'POST', path: `/api/recordings/${m.recordingId}/playback` },
    {
      route: 'POST /api/sessions/:id/recording/pause',
      method: 'POST',
      path: `/api/sessions/${m.sessionId}/recording/pause`,
      body: { paused: true, reason: '来访人要求' },
      supervisorOnly: true,
    },
    { route: 'GET /api/recordings/:id/verify', method: 'GET', path: `/api/recordings/${m.recordingId}/verify`, supervisorOnly: true },
    {
      route: 'POST /api/recordings/:id/township-grant',
      method: 'POST',
      path: `/api/recordings/${m.recordingId}/township-grant`,
      body: { grant: true, reason: '镇纪委核查需要' },
      supervisorOnly: true,
    },
    {
      route: 'POST /api/petitions/:id/seal',
      method: 'POST',
      path: `/api/petitions/${m.id}/seal`,
      body: { reason: '反映县纪委监委领导' },
      supervisorOnly: true,
    },
  ];
}

async function call(who: string, r: ReturnType<typeof requests>[number]): Promise<{ status: number; body: unknown }> {
  if (r.raw) {
    const res = await fetch(`${s.url}${r.path}`, {
      method: r.method,
      headers: { authorization: `Bearer ${token(who)}`, 'content-type': 'image/png' },
      body: new Uint8Array(PNG),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  }
  return api(s.url, r.method, r.path, { token: token(who), ...(r.body !== undefined ? { body: r.body } : {}) });
}

const followUpOf = async (id: string) => (await s.server.db.query<{ id: string }>('SELECT id FROM follow_up_tasks WHERE petition_id = $1', [id])).rows[0]!.id;

/** Which of the county's lists show the matter to `who`. */
async function listsShowing(who: string, id: string): Promise<string[]> {
  const lists = {
    petitions: '/api/petitions?limit=200',
    deadlines: '/api/cases/deadlines',
    notices: '/api/cases/notices',
    followUps: '/api/cases/follow-ups?state=open',
  };
  const shown: string[] = [];
  for (const [name, path] of Object.entries(lists)) {
    const r = await api<{ items: { id?: string; petitionId?: string }[] }>(s.url, 'GET', path, { token: token(who) });
    expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(200);
    if (r.body.items.some((i) => i.id === id || i.petitionId === id)) shown.push(name);
  }
  return shown;
}

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
  const linked = await linkOfficer2(s.url, token('admin'), userId('officer2'));
  expect(linked.status, JSON.stringify(linked.body)).toBe(200);
});
afterAll(async () => {
  await s?.stop();
});

describe('回避: a county officer or supervisor named in a matter', () => {
  for (const n of NAMINGS) {
    it(`${n.label}: is left out of every list, and every request about it by id is refused with CONFLICT_OF_INTEREST, audited, changing nothing`, async () => {
      const m = await matterNaming(n.accused, n.room);
      // A colleague the matter does not name sees it everywhere: the lists below leave it out by the rule alone.
      expect(await listsShowing('officer1', m.id)).toEqual(['petitions', 'deadlines', 'notices', 'followUps']);
      expect(await listsShowing(n.who, m.id)).toEqual([]);

      const all = [
        ...requests(m),
        ...(n.who === 'supervisor'
          ? [
              {
                route: 'POST /api/cases/follow-ups/:id/close',
                method: 'POST',
                path: `/api/cases/follow-ups/${await followUpOf(m.id)}/close`,
                body: { note: '已回访，群众表示理解' },
                supervisorOnly: true,
              },
            ]
          : []),
      ].filter((r) => n.who === 'supervisor' || !r.supervisorOnly);
      const wrong: string[] = [];
      for (const r of all) {
        const before = await snapshot(m);
        const refusals = async () =>
          Number(
            (
              await s.server.db.query<{ n: string }>(
                `SELECT count(*) AS n FROM audit_log WHERE action = 'auth.refused' AND actor_id = $1 AND object_id = $2 AND details->>'code' = 'CONFLICT_OF_INTEREST'`,
                [userId(n.who), r.route],
              )
            ).rows[0]!.n,
          );
        const audited = await refusals();
        const res = await call(n.who, r);
        const code = (res.body as { error?: { code?: string; message?: string } } | undefined)?.error;
        if (res.status !== 409 || code?.code !== 'CONFLICT_OF_INTEREST' || !/回避/.test(code.message ?? ''))
          wrong.push(`${r.method} ${r.path} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
        if ((await snapshot(m)) !== before) wrong.push(`${r.method} ${r.path} changed the matter`);
        if ((await refusals()) !== audited + 1) wrong.push(`${r.method} ${r.path} refusal not audited`);
      }
      expect(wrong).toEqual([]);

      // The colleague still reads and acts on it: the refusals were about who asked.
      expect((await api(s.url, 'GET', `/api/petitions/${m.id}`, { token: token('officer1') })).status).toBe(200);
      expect((await transition(s.url, token('officer1'), m.id, { action: 'add_step', text: '调取材料' })).status).toBe(200);
    });
  }

  it('a sealed matter naming the supervisor answers as missing, not as 回避: the refusal must not tell that it exists', async () => {
    const b = petitionBody('xingsha', null, {
      sealed: true,
      accused: [
        { name: '赵建平', unit: '县纪委监委信访室', position: '主任', townshipCode: null, officialCode: 'XJW-0002', managementLevel: 'county_managed' },
      ],
    });
    expect((await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: b })).status).toBe(200);
    for (const path of [`/api/petitions/${b.id}`, `/api/petitions/${b.id}/workflow`])
      expect((await api(s.url, 'GET', path, { token: token('supervisor') })).status, path).toBe(404);
  });

  it('the officer who files a matter naming themself finishes the intake form (its files), and from then on is recused', async () => {
    const b = petitionBody('xingsha', null, {
      accused: [{ name: OFFICER2_NAME, unit: '', position: '', townshipCode: null, officialCode: null, managementLevel: 'county_managed' }],
    });
    expect((await api(s.url, 'POST', '/api/petitions', { token: token('officer2'), body: b })).status).toBe(200);
    expect((await upload(s.url, token('officer2'), b.id, randomUUID(), PNG, 'image/png', 'form.png')).status).toBe(200);
    const read = await api<{ error: { code: string } }>(s.url, 'GET', `/api/petitions/${b.id}`, { token: token('officer2') });
    expect([read.status, read.body.error.code]).toEqual([409, 'CONFLICT_OF_INTEREST']);
    // Once a colleague has acted on it, not even intake files.
    expect((await transition(s.url, token('officer1'), b.id, { action: 'accept', text: '' })).status).toBe(200);
    expect((await upload(s.url, token('officer2'), b.id, randomUUID(), PNG, 'image/png', 'late.png')).status).toBe(409);
  });
});

/** An accepted matter naming `accused`, filed by officer1 without a call, overdue on its acceptance clock. */
async function overdueMatter(room: string, accused: Record<string, unknown>): Promise<{ id: string; caseCode: string }> {
  const b = petitionBody(room, null, {
    accused: [{ unit: '', position: '', townshipCode: null, officialCode: null, managementLevel: 'county_managed', standing: 'none', ...accused }],
  });
  const r = await api<{ caseCode: string }>(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: b });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect((await transition(s.url, token('officer1'), b.id, { action: 'accept', text: '' })).status).toBe(200);
  await s.server.db.query(`UPDATE petitions SET due_state = 'overdue', accept_due_at = now() - interval '1 day' WHERE id = $1`, [b.id]);
  return { id: b.id, caseCode: r.body.caseCode };
}

/**
 * A county console's socket, with every alert bar it was sent: listening from before it connects (the first bar is
 * sent on connect, and can arrive in the same read as the connect itself).
 */
async function console_(who: string, url = s.url): Promise<{ socket: TestSocket; bars: AlertView[][]; codes: () => string[] }> {
  const socket = io(url, { path: '/socket.io', transports: ['websocket'], auth: { token: token(who) }, reconnection: false, forceNew: true });
  const bars: AlertView[][] = [];
  socket.on('alerts', (p: { alerts: AlertView[] }) => bars.push(p.alerts));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => (socket.close(), reject(err)));
  });
  const codes = () => (bars.at(-1) ?? []).flatMap((a) => (a.caseCode ? [a.caseCode] : []));
  return { socket, bars, codes };
}

describe('回避 on the alert bar', () => {
  it('an overdue matter’s alert reaches every county console but those of the people it names, on connect and on every change', async () => {
    if (process.env['VJ_TOPOLOGY'] === 'cluster') expect(s.otherUrl).toBeDefined();
    const bySupervisor = await overdueMatter('xingsha', { name: '赵建平', officialCode: 'XJW-0002' });
    const byOfficer2 = await overdueMatter('langli', { name: OFFICER2_NAME });
    const consoles = {
      officer1: await console_('officer1'),
      officer2: await console_('officer2'),
      supervisor: await console_('supervisor'),
    };
    // In the cluster topology, consoles on the other signaling node: the alerts reach them through the node bus.
    const there = s.otherUrl ? { officer1: await console_('officer1', s.otherUrl), officer2: await console_('officer2', s.otherUrl) } : undefined;
    try {
      await s.server.ctx.deadlines.publishOverdue();
      const both = [bySupervisor.caseCode, byOfficer2.caseCode];
      // Each console's latest bar has the matters that do not name its user: the same publish carried the one that does.
      await waitFor('officer1 sees both', () => both.every((c) => consoles.officer1.codes().includes(c)));
      await waitFor('officer2 sees the supervisor’s', () => consoles.officer2.codes().includes(bySupervisor.caseCode));
      await waitFor('the supervisor sees officer2’s', () => consoles.supervisor.codes().includes(byOfficer2.caseCode));
      if (there) {
        await waitFor('officer1 on the other node sees both', () => both.every((c) => there.officer1.codes().includes(c)));
        await waitFor('officer2 on the other node sees the supervisor’s', () => there.officer2.codes().includes(bySupervisor.caseCode));
      }
      // A console connecting now gets its first bar the same way.
      for (const [who, own, other] of [
        ['officer2', byOfficer2, bySupervisor],
        ['supervisor', bySupervisor, byOfficer2],
      ] as const) {
        const late = await console_(who);
        try {
          const first = await waitFor(`${who}'s first bar`, () => late.bars[0]);
          const codes = first.map((a) => a.caseCode);
          expect(codes, who).toContain(other.caseCode);
          expect(codes, who).not.toContain(own.caseCode);
        } finally {
          late.socket.close();
        }
      }
      // Nor may the named one acknowledge it; a colleague does, and the bar changes again for everyone.
      const acked = await send(consoles.officer2.socket, 'alert:ack', { alertId: `case_overdue:${byOfficer2.id}` });
      expect(acked.ok ? 'ok' : acked.error.code).toBe('CONFLICT_OF_INTEREST');
      expect((await send(consoles.officer1.socket, 'alert:ack', { alertId: `case_overdue:${byOfficer2.id}` })).ok).toBe(true);
      await waitFor('the supervisor sees the acknowledgement', () =>
        consoles.supervisor.bars.at(-1)?.some((a) => a.caseCode === byOfficer2.caseCode && a.acknowledgedBy),
      );
      const seen = (c: { bars: AlertView[][] }) => c.bars.flat().map((a) => a.caseCode);
      expect(seen(consoles.officer2)).not.toContain(byOfficer2.caseCode);
      expect(seen(consoles.supervisor)).not.toContain(bySupervisor.caseCode);
      if (there) {
        await waitFor('officer1 on the other node sees the acknowledgement', () =>
          there.officer1.bars.at(-1)?.some((a) => a.caseCode === byOfficer2.caseCode && a.acknowledgedBy),
        );
        expect(seen(there.officer2)).not.toContain(byOfficer2.caseCode);
      }
    } finally {
      for (const c of [...Object.values(consoles), ...Object.values(there ?? {})]) c.socket.close();
    }
  });
});

describe('回避 on the audit page', () => {
  it('the supervisor’s audit page leaves out every row about a matter that names them; the audit administrator sees them, and rows about others stay', async () => {
    const bySupervisor = await overdueMatter('jinjing', { name: '赵建平', officialCode: 'XJW-0002' });
    const byOfficer2 = await overdueMatter('kaihui', { name: OFFICER2_NAME });
    type Page = { items: { objectId: string | null; details: Record<string, unknown> }[] };
    const page = async (who: string, query: string) => {
      const r = await api<Page>(s.url, 'GET', `/api/audit?${query}`, { token: token(who) });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.items;
    };
    const about = (items: Page['items'], id: string) => items.filter((a) => a.objectId === id || a.details['petitionId'] === id).length;
    // Filed and accepted: each matter has rows.
    expect(await page('auditor', `objectId=${bySupervisor.id}`)).not.toEqual([]);
    expect(await page('supervisor', `objectId=${bySupervisor.id}`)).toEqual([]);
    expect(about(await page('supervisor', `objectId=${byOfficer2.id}`), byOfficer2.id)).toBeGreaterThan(0);
    // The unfiltered page (newest first: both matters are on it) the same way.
    expect(about(await page('auditor', 'limit=200'), bySupervisor.id)).toBeGreaterThan(0);
    const latest = await page('supervisor', 'limit=200');
    expect(about(latest, bySupervisor.id)).toBe(0);
    expect(about(latest, byOfficer2.id)).toBeGreaterThan(0);
    // Nor by actor: officer1 filed both.
    const byActor = await page('supervisor', `actor=${userId('officer1')}&limit=200`);
    expect([about(byActor, bySupervisor.id), about(byActor, byOfficer2.id) > 0]).toEqual([0, true]);
  });
});

describe('回避 in a live call', () => {
  it('nobody a matter filed from a call names may watch the call or join it as township staff; others still may', async () => {
    const staffName = '钱晓梅';
    const linked = await api(s.url, 'POST', `/api/admin/users/${userId('xingsha-staff')}/official`, {
      token: token('admin'),
      body: { link: 'name', personName: staffName },
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    const kiosk = await connect(s.url, await kioskToken(s.url, s.server.demo!.kiosks['xingsha']!));
    const sockets = {
      officer1: await connect(s.url, token('officer1')),
      officer2: await connect(s.url, token('officer2')),
      supervisor: await connect(s.url, token('supervisor')),
      staff: await connect(s.url, token('xingsha-staff')),
    };
    try {
      const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
      if (!started.ok) throw new Error(JSON.stringify(started));
      const sessionId = started.data.sessionId;
      expect((await send(sockets.officer1, 'call:answer', { sessionId })).ok).toBe(true);
      // Before a matter names them, the staff may join (and leave again).
      expect((await send(sockets.staff, 'staff:join', { sessionId })).ok).toBe(true);
      expect((await send(sockets.staff, 'session:leave', { sessionId })).ok).toBe(true);
      // The officer in the call files the villager's accusation of officer2 and of the staff member from it.
      const b = petitionBody('xingsha', null, {
        sessionId,
        accused: [
          officer2Accused,
          { name: staffName, unit: '', position: '', townshipCode: null, officialCode: null, managementLevel: 'township_cadre', standing: 'none' },
        ],
      });
      const filed = await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: b });
      expect(filed.status, JSON.stringify(filed.body)).toBe(200);
      const code = (r: Awaited<ReturnType<typeof send>>) => (r.ok ? 'ok' : r.error.code);
      expect(code(await send(sockets.officer2, 'session:watch', { sessionId, mode: 'join' }))).toBe('CONFLICT_OF_INTEREST');
      expect(code(await send(sockets.staff, 'staff:join', { sessionId }))).toBe('CONFLICT_OF_INTEREST');
      expect(code(await send(sockets.supervisor, 'session:watch', { sessionId, mode: 'join' }))).toBe('ok');
      // Each refusal is audited as the route chain audits one: the event and the code, never the matter.
      for (const [who, event] of [
        ['officer2', 'session:watch'],
        ['xingsha-staff', 'staff:join'],
      ] as const) {
        const rows = await s.server.db.query<{ object_type: string; details: Record<string, unknown> }>(
          `SELECT object_type, details FROM audit_log WHERE action = 'auth.refused' AND actor_id = $1 AND object_id = $2`,
          [userId(who), event],
        );
        expect(rows.rows, `${who} ${event}`).toEqual([{ object_type: 'event', details: { code: 'CONFLICT_OF_INTEREST' } }]);
      }
      // The refusals left them out of the call.
      const peers = (await s.server.db.query<{ user_id: string }>('SELECT user_id FROM session_participants WHERE session_id = $1', [sessionId])).rows;
      expect(peers.map((p) => p.user_id)).not.toContain(userId('officer2'));
      await send(kiosk, 'session:end', { sessionId });
    } finally {
      kiosk.close();
      for (const x of Object.values(sockets)) x.close();
    }
  });
});

/** County routes about one object that are not about a matter's content, and why they need no 回避. */
const NOT_ABOUT_A_MATTER: Partial<Record<RouteKey, string>> = {
  'GET /api/sessions/:id': 'the call’s times and participants, not what was said or filed',
  'GET /api/sessions/:id/media': 'the live call’s peers and transport counts, nothing said or filed (joining it is refused: session:watch)',
  'GET /api/registry/imports/:id': 'a registry import’s progress',
  'POST /api/registry/held/:id': 'a registry entry’s held change, no matter: held-changes.ts refuses the person it describes (registry-holds test)',
  'GET /api/sealed/:id': 'sealed matters: cases/sealed.ts leaves out those naming the reader (namedAsAccused)',
  'POST /api/sealed/:id/send-up': 'sealed matters: as above',
};

describe('回避 covers every county route about one matter', () => {
  it('each county route with an id is tried above, or is listed with the reason it is not about a matter', () => {
    const tried = new Set<string>([
      ...requests({ id: '', sessionId: '', recordingId: '', attachmentId: '' }).map((r) => r.route),
      'POST /api/cases/follow-ups/:id/close',
    ]);
    const county = (Object.keys(ROUTES) as RouteKey[]).filter((k) => {
      const roles = (ROUTES[k] as { roles: readonly string[] | 'public' }).roles;
      return k.includes('/:id') && roles !== 'public' && (roles.includes('county_officer') || roles.includes('county_supervisor'));
    });
    expect(county.filter((k) => !tried.has(k) && !NOT_ABOUT_A_MATTER[k])).toEqual([]);
  });
});
