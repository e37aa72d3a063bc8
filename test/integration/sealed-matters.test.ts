import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@vj/shared';
import { verifyExport } from '../../signaling/src/audit/export.js';
import { ROUTES, type RouteKey } from '../../signaling/src/http/access.js';
import { api } from '../helpers/api.js';
import { caseSnapshot, kioskToken, loginAll, PNG, petitionBody, transition, upload, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { connect, send } from '../helpers/sockets.js';

// 密封事项 (issue 16): a matter about the county commission's leadership is read by the principal leader alone. It is
// absent from every list, board, statistic and export, every other role gets the answer a missing id gets, and
// its audit rows say only that it exists. Runs on PostgreSQL (DATABASE_URL) or PGlite (VJ_TEST_DB=embedded).

const CANARY_NARRATIVE = '密封金丝雀：反映县纪委监委班子成员收受红包';
const CANARY_ACCUSED = '欧阳密封';
const CANARY_LATER = '后来密封的金丝雀事项';
const SEAL_REASON = '经核反映的是县纪委监委领导班子成员苍鹭九号';

let s: InProcessServer;
let logins: Logins;
let kiosk: string;
/** An open matter, referred to xingsha and taken by its handler: every list has something in it. */
const open = petitionBody('xingsha', null, { narrative: '公开事项：反映村干部办事拖拉' });
/** Sealed from its first insert, with an attachment on file. */
const sealed = petitionBody(
  'xingsha',
  { name: '举报人甲', idCard: '', phone: '13900001111', address: '', village: '' },
  {
    sealed: true,
    narrative: CANARY_NARRATIVE,
    accused: [{ name: CANARY_ACCUSED, unit: '县纪委监委', position: '副书记', townshipCode: null, officialCode: null }],
  },
);
/** Referred to xingsha and in the handler's hands, then sealed by the county. */
const later = petitionBody('xingsha', null, { narrative: CANARY_LATER });
let sealedReceipt: { caseCode: string; pin: string };
let laterCode: string;
const attachmentId = randomUUID();

const token = (who: string) => logins[who]!.accessToken;
/**
 * The matter as stored, with its steps and files: a refusal leaves it as it was. (Not the audit count: a refused
 * role writes its auth.refused row, which names the route and never the matter.)
 */
const matterSnapshot = async (id: string) =>
  JSON.stringify({
    p: (await s.server.db.query('SELECT * FROM petitions WHERE id = $1', [id])).rows[0],
    steps: (await s.server.db.query('SELECT count(*) AS n FROM case_steps WHERE petition_id = $1', [id])).rows[0],
    files: (await s.server.db.query('SELECT count(*) AS n FROM petition_attachments WHERE petition_id = $1', [id])).rows[0],
    about: (await s.server.db.query('SELECT count(*) AS n FROM audit_log WHERE object_id = $1', [id])).rows[0],
  });
const officer = () => token('officer1');

/** Everything the response says, as text: no marker of a sealed matter may be in it. */
const text = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body));
const markers = () => [sealed.id, sealedReceipt.caseCode, CANARY_NARRATIVE, CANARY_ACCUSED, later.id, laterCode, CANARY_LATER];

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
  kiosk = await kioskToken(s.url, s.server.demo!.kiosks['xingsha']!);
  expect((await api(s.url, 'POST', '/api/petitions', { token: officer(), body: open })).status).toBe(200);
  expect((await transition(s.url, officer(), open.id, { action: 'refer' })).status).toBe(200);
  expect((await transition(s.url, token('xingsha-handler'), open.id, { action: 'township_accept' }, true)).status).toBe(200);
  const l = await api<{ caseCode: string }>(s.url, 'POST', '/api/petitions', { token: officer(), body: later });
  expect(l.status).toBe(200);
  laterCode = l.body.caseCode;
  expect((await transition(s.url, officer(), later.id, { action: 'refer' })).status).toBe(200);
  expect((await transition(s.url, token('xingsha-handler'), later.id, { action: 'township_accept' }, true)).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await s?.stop();
});

const actorNames = () => Object.keys(logins).filter((n) => logins[n]!.user.role !== 'county_leader');
const roleOf = (who: string) => logins[who]!.user.role as Role;
const mayCall = (key: RouteKey, who: string) => {
  const roles = ROUTES[key].roles;
  return roles !== 'public' && (roles as readonly string[]).includes(roleOf(who));
};

/** Every list, board, statistic and export a role may read (and the audit page: it names ids, so it is checked too). */
const LISTS: { key: RouteKey; path: string }[] = [
  { key: 'GET /api/petitions', path: '/api/petitions?limit=200' },
  { key: 'GET /api/petitions', path: '/api/petitions?township=xingsha&limit=200' },
  { key: 'GET /api/cases/deadlines', path: '/api/cases/deadlines' },
  { key: 'GET /api/cases/notices', path: '/api/cases/notices' },
  { key: 'GET /api/stats', path: '/api/stats?months=12' },
  { key: 'GET /api/stats/export', path: '/api/stats/export?months=12' },
  { key: 'GET /api/township/cases', path: '/api/township/cases' },
  { key: 'GET /api/petitions/:id/cross-reference', path: `/api/petitions/${open.id}/cross-reference` },
  // The supervisor's 密封事项 page lists only matters no leader may read: none of these (the leader reads them).
  { key: 'GET /api/sealed', path: '/api/sealed' },
];

/** Every route that takes a petition's id, with a valid body, so the only refusal left is "not found". */
const BY_ID: { key: RouteKey; method: string; path: (id: string) => string; body?: Record<string, unknown> }[] = [
  { key: 'GET /api/petitions/:id', method: 'GET', path: (id) => `/api/petitions/${id}` },
  { key: 'GET /api/petitions/:id/workflow', method: 'GET', path: (id) => `/api/petitions/${id}/workflow` },
  { key: 'GET /api/petitions/:id/cross-reference', method: 'GET', path: (id) => `/api/petitions/${id}/cross-reference` },
  { key: 'POST /api/petitions/:id/reveal', method: 'POST', path: (id) => `/api/petitions/${id}/reveal`, body: { reason: '核对密封事项测试' } },
  {
    key: 'POST /api/petitions/:id/transition',
    method: 'POST',
    path: (id) => `/api/petitions/${id}/transition`,
    body: { stepId: randomUUID(), action: 'accept', text: '' },
  },
  { key: 'POST /api/petitions/:id/seal', method: 'POST', path: (id) => `/api/petitions/${id}/seal`, body: { reason: '再次密封测试' } },
  { key: 'GET /api/petitions/:id/attachments/:attachmentId', method: 'GET', path: (id) => `/api/petitions/${id}/attachments/${attachmentId}` },
  { key: 'GET /api/township/cases/:id', method: 'GET', path: (id) => `/api/township/cases/${id}` },
  {
    key: 'POST /api/township/cases/:id/transition',
    method: 'POST',
    path: (id) => `/api/township/cases/${id}/transition`,
    body: { stepId: randomUUID(), action: 'add_step', text: '密封测试' },
  },
];

describe('密封事项', () => {
  it('filed sealed: the statistics and the export do not move, and the kiosk gets its receipt', async () => {
    const before = await Promise.all([
      api(s.url, 'GET', '/api/stats?months=12', { token: officer() }),
      api(s.url, 'GET', '/api/stats/export?months=12', { token: officer() }),
    ]);
    const r = await api<{ caseCode: string; pin: string }>(s.url, 'POST', '/api/petitions', { token: officer(), body: sealed });
    expect(r.status).toBe(200);
    sealedReceipt = r.body;
    // The intake form uploads its files right after the submit: the officer who filed it may, nobody else.
    expect((await upload(s.url, token('officer2'), sealed.id, randomUUID(), PNG, 'image/png', '密封证据.png')).status).toBe(404);
    expect((await upload(s.url, officer(), sealed.id, attachmentId, PNG, 'image/png', '密封证据.png')).status).toBe(200);
    const after = await Promise.all([
      api(s.url, 'GET', '/api/stats?months=12', { token: officer() }),
      api(s.url, 'GET', '/api/stats/export?months=12', { token: officer() }),
    ]);
    expect(after[0].status).toBe(200);
    expect(after[0].body).toEqual(before[0].body);
    expect(after[1].body).toBe(before[1].body);
    // The same filing unsealed would have moved them: the comparison can fail.
    const control = petitionBody('xingsha');
    expect((await api(s.url, 'POST', '/api/petitions', { token: officer(), body: control })).status).toBe(200);
    expect((await api(s.url, 'GET', '/api/stats?months=12', { token: officer() })).body).not.toEqual(before[0].body);

    const row = await s.server.db.query<{ sealed: boolean; sealed_at: Date | null }>('SELECT sealed, sealed_at FROM petitions WHERE id = $1', [sealed.id]);
    expect(row.rows[0]).toMatchObject({ sealed: true });
    expect(row.rows[0]!.sealed_at).toBeInstanceOf(Date);

    const lookup = await api<Record<string, unknown>>(s.url, 'POST', '/api/receipts/lookup', { token: kiosk, body: sealedReceipt });
    expect(lookup.status).toBe(200);
    expect(lookup.body).toEqual({
      caseCode: sealedReceipt.caseCode,
      status: 'received',
      feedback: null,
      updatedAt: expect.any(String),
      matterClass: 'accusation',
      otherBody: null,
      notices: [],
      reviews: [],
      satisfaction: { state: 'none', rating: null },
      handledAbove: true,
    });
  });

  it('sealed later by the supervisor with a reason: it leaves the township handler at once', async () => {
    const handler = token('xingsha-handler');
    expect(text((await api(s.url, 'GET', '/api/township/cases', { token: handler })).body)).toContain(later.id);
    // An officer asks the supervisor: sealing takes a matter out of every colleague's sight.
    const before = await matterSnapshot(later.id);
    expect((await api(s.url, 'POST', `/api/petitions/${later.id}/seal`, { token: officer(), body: { reason: SEAL_REASON } })).status).toBe(403);
    const short = await api(s.url, 'POST', `/api/petitions/${later.id}/seal`, { token: token('supervisor'), body: { reason: '' } });
    expect(short.status).toBe(400);
    expect(await matterSnapshot(later.id)).toBe(before);
    const r = await api(s.url, 'POST', `/api/petitions/${later.id}/seal`, { token: token('supervisor'), body: { reason: SEAL_REASON } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: later.id, sealed: true });
    expect(text((await api(s.url, 'GET', '/api/township/cases', { token: handler })).body)).not.toContain(later.id);
    expect((await api(s.url, 'GET', `/api/township/cases/${later.id}`, { token: handler })).status).toBe(404);
    // Sealing again is "not found", and changes nothing.
    const snap = await caseSnapshot(s.server.db, later.id);
    expect((await api(s.url, 'POST', `/api/petitions/${later.id}/seal`, { token: token('supervisor'), body: { reason: '再次密封' } })).status).toBe(404);
    expect(await caseSnapshot(s.server.db, later.id)).toBe(snap);
  });

  it('no list, board, statistic, export or township screen of any other role shows a sealed matter', async () => {
    let checked = 0;
    for (const who of actorNames()) {
      for (const l of LISTS) {
        const r = await api(s.url, 'GET', l.path, { token: token(who) });
        if (!mayCall(l.key, who)) {
          expect({ who, path: l.path, status: r.status }).toEqual({ who, path: l.path, status: 403 });
          continue;
        }
        expect({ who, path: l.path, status: r.status }).toEqual({ who, path: l.path, status: 200 });
        for (const m of markers()) expect({ who, path: l.path, leaks: text(r.body).includes(m) ? m : null }).toEqual({ who, path: l.path, leaks: null });
        checked++;
      }
    }
    // The open matter is in the same lists: the check reads lists that have content.
    expect(text((await api(s.url, 'GET', '/api/petitions?limit=200', { token: officer() })).body)).toContain(open.id);
    expect(text((await api(s.url, 'GET', '/api/township/cases', { token: token('xingsha-handler') })).body)).toContain(open.id);
    expect(checked).toBeGreaterThanOrEqual(17);
  });

  it('by id, every other role gets exactly what a nonexistent id gets, and nothing changes', async () => {
    const missing = randomUUID();
    let cells = 0;
    for (const who of actorNames()) {
      for (const route of BY_ID) {
        for (const id of [sealed.id, later.id]) {
          const snap = await matterSnapshot(id);
          // A fresh step id per call, so a refusal is never "this step id was already used".
          const body = () => (route.body ? { body: 'stepId' in route.body ? { ...route.body, stepId: randomUUID() } : route.body } : {});
          const got = await api(s.url, route.method, route.path(id), { token: token(who), ...body() });
          const none = await api(s.url, route.method, route.path(missing), { token: token(who), ...body() });
          const expected = mayCall(route.key, who) ? 404 : 403;
          expect({ who, key: route.key, status: got.status }).toEqual({ who, key: route.key, status: expected });
          expect({ who, key: route.key, body: got.body }).toEqual({ who, key: route.key, body: none.body });
          expect(await matterSnapshot(id)).toBe(snap);
          cells++;
        }
      }
    }
    expect(cells).toBeGreaterThan(100);
    // The same routes answer for the open matter: "not found" above is about sealing, not a broken route.
    expect((await api(s.url, 'GET', `/api/petitions/${open.id}`, { token: officer() })).status).toBe(200);
    expect((await api(s.url, 'GET', `/api/township/cases/${open.id}`, { token: token('xingsha-handler') })).status).toBe(200);
  });

  it('the deadline board and the overdue alerts leave a sealed matter out', async () => {
    // Both overdue by their rows: the sweep re-reads only the open one, so the board's own filter is what is tested.
    for (const id of [open.id, sealed.id])
      await s.server.db.query(`UPDATE petitions SET accept_due_at = now() - interval '40 days', decided_at = NULL, due_state = 'overdue' WHERE id = $1`, [id]);
    await s.server.ctx.deadlines.sweep();
    await s.server.ctx.deadlines.publishOverdue();
    const board = await api(s.url, 'GET', '/api/cases/deadlines', { token: officer() });
    expect(text(board.body)).toContain(open.id);
    expect(text(board.body)).not.toContain(sealed.id);
    const alerts = JSON.stringify(s.server.ctx.calls.alerts.list());
    expect(alerts).not.toContain(sealedReceipt.caseCode);
    expect(alerts).not.toContain(sealed.id);
  });

  it('the leader reads the sealed matters, and sends one up once, audited', async () => {
    const leader = token('leader1');
    const list = await api<{ items: { id: string; narrative: string; sealedAtIntake: boolean; sealedReason: string | null; sentUp: unknown }[] }>(
      s.url,
      'GET',
      '/api/sealed',
      { token: leader },
    );
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ reader: 'leader' });
    expect(list.body.items.map((i) => i.id).sort()).toEqual([sealed.id, later.id].sort());
    expect(list.body.items.find((i) => i.id === sealed.id)).toMatchObject({
      narrative: CANARY_NARRATIVE,
      sealedAtIntake: true,
      sealedReason: null,
      sentUp: null,
    });
    expect(list.body.items.find((i) => i.id === later.id)).toMatchObject({ sealedAtIntake: false, sealedReason: SEAL_REASON });
    // Never identity on the leader's page.
    expect(text(list.body)).not.toContain('举报人甲');
    expect(text(list.body)).not.toContain('13900001111');
    // An open matter is not the leader's: not found, as is a missing one.
    expect((await api(s.url, 'GET', `/api/sealed/${open.id}`, { token: leader })).status).toBe(404);
    expect((await api(s.url, 'GET', `/api/sealed/${randomUUID()}`, { token: leader })).status).toBe(404);
    // And the leader reaches none of the county's lists.
    for (const l of LISTS.filter((x) => x.key !== 'GET /api/sealed'))
      expect({ path: l.path, status: (await api(s.url, 'GET', l.path, { token: leader })).status }).toEqual({ path: l.path, status: 403 });

    const bad = await api(s.url, 'POST', `/api/sealed/${sealed.id}/send-up`, { token: leader, body: { to: '', note: '' } });
    expect(bad.status).toBe(400);
    const sent = await api<{ sentUp: { at: string; to: string; note: string; byName: string } }>(s.url, 'POST', `/api/sealed/${sealed.id}/send-up`, {
      token: leader,
      body: { to: '市纪委监委', note: '机要件 2026-密-001' },
    });
    expect(sent.status).toBe(200);
    expect(sent.body.sentUp).toEqual({ at: expect.any(String), to: '市纪委监委', note: '机要件 2026-密-001', byName: '县纪委监委 主要负责人' });
    const snap = await caseSnapshot(s.server.db, sealed.id);
    const again = await api<{ error: { code: string; message: string } }>(s.url, 'POST', `/api/sealed/${sealed.id}/send-up`, {
      token: leader,
      body: { to: '省纪委监委', note: '' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(/已报送/) });
    expect(await caseSnapshot(s.server.db, sealed.id)).toBe(snap);
    const audit = await s.server.db.query<{ actor_id: string; action: string; township_code: string | null; details: unknown }>(
      `SELECT actor_id, action, township_code, details FROM audit_log WHERE object_id = $1 AND action = 'petition.send_up'`,
      [sealed.id],
    );
    expect(audit.rows).toEqual([{ actor_id: logins['leader1']!.user.id, action: 'petition.send_up', township_code: null, details: {} }]);
  });

  it('a recording of the call a sealed matter came from is not played to the township, nor replayed by a county officer', async () => {
    const k = await connect(s.url, kiosk);
    const started = await send(k, 'call:start', { requestId: randomUUID() });
    const sessionId = started.ok ? started.data.sessionId : '';
    await send(k, 'session:end', { sessionId });
    k.close();
    const recordingId = randomUUID();
    await s.server.db.query(
      `INSERT INTO recordings (id, session_id, room_code, status, started_at, township_grant) VALUES ($1, $2, 'xingsha', 'complete', now(), true)`,
      [recordingId, sessionId],
    );
    const play = (who: string) =>
      api(s.url, 'POST', who.startsWith('xingsha-') ? `/api/township/recordings/${recordingId}/playback` : `/api/recordings/${recordingId}/playback`, {
        token: token(who),
      });
    const players = ['xingsha-handler', 'xingsha-staff', 'officer1', 'supervisor'];
    // Granted to the township, and from an open matter's call: played.
    await s.server.db.query('UPDATE petitions SET session_id = $2 WHERE id = $1', [open.id, sessionId]);
    for (const who of players) expect({ who, status: (await play(who)).status }).toEqual({ who, status: 200 });
    const listed = () => api<{ recording: { id: string } | null }>(s.url, 'GET', `/api/sessions/${sessionId}/recording`, { token: token('supervisor') });
    expect((await listed()).body.recording?.id).toBe(recordingId);
    // A sealed matter came from the same call: not found, as if there were no recording, and not listed with the session.
    await s.server.db.query('UPDATE petitions SET session_id = $2 WHERE id = $1', [later.id, sessionId]);
    for (const who of players) expect({ who, status: (await play(who)).status }).toEqual({ who, status: 404 });
    expect((await listed()).body.recording).toBeNull();
    await s.server.db.query('UPDATE petitions SET session_id = NULL WHERE id = ANY($1::uuid[])', [[open.id, later.id]]);
  });

  it('the leader never sees a sealed matter that names the leader', async () => {
    await s.server.db.query(`UPDATE users SET person_name = '欧阳领导' WHERE username = 'leader1'`);
    // Named by the linked name only: with the post 书记 of 县纪委监委 it would name every leader whatever the name (0028).
    const naming = petitionBody('xingsha', null, {
      sealed: true,
      accused: [{ name: '欧阳领导', unit: '县纪委监委', position: '', townshipCode: null, officialCode: null }],
    });
    expect((await api(s.url, 'POST', '/api/petitions', { token: officer(), body: naming })).status).toBe(200);
    const leader = token('leader1');
    expect(text((await api(s.url, 'GET', '/api/sealed', { token: leader })).body)).not.toContain(naming.id);
    expect((await api(s.url, 'GET', `/api/sealed/${naming.id}`, { token: leader })).status).toBe(404);
    expect((await api(s.url, 'POST', `/api/sealed/${naming.id}/send-up`, { token: leader, body: { to: '市纪委监委', note: '' } })).status).toBe(404);
    // No leader may read it (it names the only one): the office's supervisor does, to send it up, and only that.
    const office = await api<{ reader: string; items: { id: string }[] }>(s.url, 'GET', '/api/sealed', { token: token('supervisor') });
    expect(office.body.reader).toBe('office');
    expect(office.body.items.map((i) => i.id)).toEqual([naming.id]);
    expect((await api(s.url, 'GET', `/api/sealed/${naming.id}`, { token: token('supervisor') })).status).toBe(200);
    expect((await api(s.url, 'GET', `/api/sealed/${sealed.id}`, { token: token('supervisor') })).status).toBe(404);
    for (const who of ['officer1', 'xingsha-handler', 'auditor'])
      expect({ who, status: (await api(s.url, 'GET', '/api/sealed', { token: token(who) })).status }).toEqual({ who, status: 403 });
    const snap = await matterSnapshot(naming.id);
    expect((await api(s.url, 'POST', `/api/sealed/${naming.id}/unseal`, { token: token('supervisor'), body: { reason: '主任不能解除密封' } })).status).toBe(
      403,
    );
    expect(await matterSnapshot(naming.id)).toBe(snap);
    // Unnamed again, it is the leader's, and no longer the office's: the refusal was about the naming.
    await s.server.db.query(`UPDATE users SET person_name = NULL WHERE username = 'leader1'`);
    expect(text((await api(s.url, 'GET', '/api/sealed', { token: leader })).body)).toContain(naming.id);
    expect(text((await api(s.url, 'GET', '/api/sealed', { token: token('supervisor') })).body)).not.toContain(naming.id);
    // Named again, the office sends it up (the rules send a matter about the principal leader to the commission above).
    await s.server.db.query(`UPDATE users SET person_name = '欧阳领导' WHERE username = 'leader1'`);
    const sent = await api<{ sentUp: { to: string; byName: string } }>(s.url, 'POST', `/api/sealed/${naming.id}/send-up`, {
      token: token('supervisor'),
      body: { to: '市纪委监委', note: '' },
    });
    expect(sent.status).toBe(200);
    expect(sent.body.sentUp).toMatchObject({ to: '市纪委监委', byName: '县纪委监委信访室 赵主任' });
    await s.server.db.query(`UPDATE users SET person_name = NULL WHERE username = 'leader1'`);
  });

  it('a leader account not linked to its person reads no sealed matter (it could not be kept from one about them)', async () => {
    const leader = token('leader1');
    const link = (
      await s.server.db.query<{ official_code: string | null; person_name: string | null }>(
        `SELECT official_code, person_name FROM users WHERE username = 'leader1'`,
      )
    ).rows[0]!;
    // The demo leader is linked out of the box.
    expect(link.official_code).toBe('XJW-0001');
    await s.server.db.query(`UPDATE users SET official_code = NULL, person_name = NULL WHERE username = 'leader1'`);
    try {
      const snap = await matterSnapshot(later.id);
      for (const [method, path, body] of [
        ['GET', '/api/sealed', undefined],
        ['GET', `/api/sealed/${later.id}`, undefined],
        ['POST', `/api/sealed/${later.id}/send-up`, { to: '市纪委监委', note: '' }],
        ['POST', `/api/sealed/${later.id}/unseal`, { reason: '未关联的账号不能解除密封' }],
      ] as const) {
        const r = await api<{ error: { code: string; message: string } }>(s.url, method, path, { token: leader, ...(body ? { body } : {}) });
        expect({ path, status: r.status, code: r.body.error?.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
        expect(r.body.error.message).toContain('尚未关联干部名册中的本人');
      }
      expect(await matterSnapshot(later.id)).toBe(snap);
    } finally {
      await s.server.db.query(`UPDATE users SET official_code = $1, person_name = $2 WHERE username = 'leader1'`, [link.official_code, link.person_name]);
    }
    expect((await api(s.url, 'GET', '/api/sealed', { token: leader })).status).toBe(200);
    // A name typed in alone is not a link: free text cannot be trusted to recognise the leader in a matter.
    await s.server.db.query(`UPDATE users SET official_code = NULL, person_name = '郑国栋' WHERE username = 'leader1'`);
    try {
      expect((await api(s.url, 'GET', '/api/sealed', { token: leader })).status).toBe(403);
    } finally {
      await s.server.db.query(`UPDATE users SET official_code = $1, person_name = $2 WHERE username = 'leader1'`, [link.official_code, link.person_name]);
    }
  });

  it('disabling or unlinking the leader does not open the sealed matters to the office; an unlinked supervisor reads none', async () => {
    const office = async () => api<{ items: { id: string }[] }>(s.url, 'GET', '/api/sealed', { token: token('supervisor') });
    const listed = async () => (await office()).body.items.map((i) => i.id);
    expect(await listed()).not.toContain(later.id);
    await s.server.db.query(`UPDATE users SET disabled_at = now() WHERE username = 'leader1'`);
    try {
      expect(await listed()).not.toContain(later.id);
      await s.server.db.query(`UPDATE users SET disabled_at = NULL, official_code = NULL WHERE username = 'leader1'`);
      expect(await listed()).not.toContain(later.id);
    } finally {
      await s.server.db.query(`UPDATE users SET disabled_at = NULL, official_code = 'XJW-0001' WHERE username = 'leader1'`);
    }
    await s.server.db.query(`UPDATE users SET official_code = NULL WHERE username = 'supervisor'`);
    try {
      const r = await office();
      expect(r.status).toBe(403);
    } finally {
      await s.server.db.query(`UPDATE users SET official_code = 'XJW-0002' WHERE username = 'supervisor'`);
    }
    expect((await office()).status).toBe(200);
  });

  it('a supervisor the matter names may not seal it', async () => {
    const naming = petitionBody('xingsha', null, {
      accused: [{ name: '赵主任', unit: '县纪委监委信访室', position: '主任', townshipCode: null, officialCode: null }],
    });
    expect((await api(s.url, 'POST', '/api/petitions', { token: officer(), body: naming })).status).toBe(200);
    await s.server.db.query(`UPDATE users SET person_name = '赵主任' WHERE username = 'supervisor'`);
    try {
      const snap = await matterSnapshot(naming.id);
      const refusals = `SELECT 1 FROM audit_log WHERE action = 'auth.refused' AND actor_id = $1 AND object_id = 'POST /api/petitions/:id/seal'`;
      const audited = (await s.server.db.query(refusals, [logins['supervisor']!.user.id])).rowCount;
      const r = await api<{ error: { code: string } }>(s.url, 'POST', `/api/petitions/${naming.id}/seal`, {
        token: token('supervisor'),
        body: { reason: '想把反映自己的件藏起来' },
      });
      expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 409, code: 'CONFLICT_OF_INTEREST' });
      // The matter is untouched; the refusal itself is audited, as every 回避 refusal is (the row names the route only).
      expect(await matterSnapshot(naming.id)).toBe(snap);
      expect((await s.server.db.query(refusals, [logins['supervisor']!.user.id])).rowCount).toBe(audited! + 1);
    } finally {
      await s.server.db.query(`UPDATE users SET person_name = NULL WHERE username = 'supervisor'`);
    }
  });

  it('the audit page: the supervisor sees no row about a sealed matter, not even from before the seal; the audit administrator sees that they exist, not what they say', async () => {
    const rowsOf = async (who: string, objectId: string) =>
      (
        await api<{ items: { objectId: string | null; townshipCode: string | null; details: Record<string, unknown>; action: string }[] }>(
          s.url,
          'GET',
          `/api/audit?objectId=${objectId}&limit=200`,
          { token: token(who) },
        )
      ).body.items;
    // `later` was filed, referred and accepted in xingsha before it was sealed: those rows named the township.
    const raw = await s.server.db.query<{ township_code: string | null }>(
      `SELECT township_code FROM audit_log WHERE object_id = $1 AND action = 'case.refer'`,
      [later.id],
    );
    expect(raw.rows).toEqual([{ township_code: 'xingsha' }]);
    expect(await rowsOf('supervisor', later.id)).toEqual([]);
    const auditor = await rowsOf('auditor', later.id);
    expect(auditor.map((r) => r.action)).toEqual(expect.arrayContaining(['petition.create', 'case.refer', 'petition.seal']));
    for (const r of auditor)
      expect({ action: r.action, township: r.townshipCode, details: r.details }).toEqual({ action: r.action, township: null, details: {} });
    // Nor on the unfiltered page, newest first.
    const page = text((await api(s.url, 'GET', '/api/audit?limit=200', { token: token('supervisor') })).body);
    for (const m of markers()) expect({ leaks: page.includes(m) ? m : null }).toEqual({ leaks: null });
    // The open matter's rows are shown whole to both: the filter is about sealing.
    const openRows = await rowsOf('supervisor', open.id);
    expect(openRows.find((r) => r.action === 'case.refer')?.townshipCode).toBe('xingsha');
    // And rows about no matter at all (sign-ins) are on the supervisor's page.
    expect(page).toMatch(/"action":"auth\./);
  });

  it('a concluded, rated matter sealed later moves no published figure, nor does unsealing it', async () => {
    const done = petitionBody('langli', null, { narrative: '办结并评价后才密封的事项' });
    const filed = await api<{ caseCode: string; pin: string }>(s.url, 'POST', '/api/petitions', { token: officer(), body: done });
    expect(filed.status).toBe(200);
    const step = async (who: string, body: Record<string, unknown>) =>
      expect((await transition(s.url, token(who), done.id, { stepId: randomUUID(), ...body })).status).toBe(200);
    await step('officer1', { action: 'accept' });
    await step('officer1', { action: 'report', text: '经核查，反映问题属实，已处理' });
    await step('supervisor', { action: 'approve', feedback: '您反映的问题属实，已处理相关人员。' });
    const rated = await api(s.url, 'POST', '/api/receipts/rating', {
      token: kiosk,
      body: { caseCode: filed.body.caseCode, pin: filed.body.pin, rating: 'satisfied' },
    });
    expect(rated.status).toBe(200);
    type Stats = { townships: { townshipCode: string; closed: number }[]; ratings: { townshipCode: string; satisfied: number }[] };
    const figures = async () => {
      const [page, csv] = await Promise.all([
        api<Stats>(s.url, 'GET', '/api/stats?months=12', { token: officer() }),
        api<string>(s.url, 'GET', '/api/stats/export?months=12', { token: officer() }),
      ]);
      expect([page.status, csv.status]).toEqual([200, 200]);
      return { page: page.body, csv: csv.body };
    };
    const published = await figures();
    // It is in them: langli's closed matters and ratings.
    expect(published.page.townships.find((t) => t.townshipCode === 'langli')!.closed).toBeGreaterThanOrEqual(1);
    expect(published.page.ratings.find((r) => r.townshipCode === 'langli')!.satisfied).toBeGreaterThanOrEqual(1);

    expect((await api(s.url, 'POST', `/api/petitions/${done.id}/seal`, { token: token('supervisor'), body: { reason: SEAL_REASON } })).status).toBe(200);
    expect(text((await api(s.url, 'GET', '/api/petitions?limit=200', { token: officer() })).body)).not.toContain(done.id);
    expect(await figures()).toEqual(published);
    // The leader returns it to the office: an ordinary matter again, counted as it was all along.
    const unsealed = await api(s.url, 'POST', `/api/sealed/${done.id}/unseal`, { token: token('leader1'), body: { reason: '经审查，并非反映领导班子成员' } });
    expect(unsealed.status).toBe(200);
    expect(await figures()).toEqual(published);
  });

  it('the audit export: rows about a sealed matter, those from before the seal too, are redacted; the file verifies, a forged one does not', async () => {
    // China days, yesterday included: a run across midnight still finds the rows its setup wrote.
    const chinaDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
    const range = { from: chinaDay(Date.now() - 86_400_000), to: chinaDay(Date.now()) };
    const res = await fetch(`${s.url}/api/audit/export?${new URLSearchParams(range)}`, {
      headers: { authorization: `Bearer ${token('auditor')}` },
    });
    expect(res.status).toBe(200);
    const file = await res.text();
    const lines = file
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const bySeq = new Map(lines.map((l) => [String(l['seq']), l]));
    // `later` was filed, referred and accepted in xingsha before it was sealed: those rows name its township and category.
    const about = await s.server.db.query<{ seq: string; action: string; township_code: string | null; details: Record<string, unknown> }>(
      `SELECT seq, action, township_code, details FROM audit_log WHERE object_id = ANY($1) OR details->>'petitionId' = ANY($1) ORDER BY seq`,
      [[later.id, sealed.id]],
    );
    expect(about.rows.find((r) => r.action === 'petition.create' && r.township_code === 'xingsha')?.details).toMatchObject({ category: '工作作风' });
    expect(about.rows.filter((r) => r.action === 'case.refer').map((r) => r.township_code)).toEqual(['xingsha']);
    for (const r of about.rows) {
      const exported = bySeq.get(String(r.seq));
      expect({ action: r.action, fields: Object.keys(exported ?? {}).sort() }).toEqual({
        action: r.action,
        fields: ['action', 'at', 'hash', 'objectType', 'prevHash', 'redacted', 'seq', 'suite'],
      });
    }
    for (const m of [...markers(), SEAL_REASON]) expect({ leaks: file.includes(m) ? m : null }).toEqual({ leaks: null });
    // The open matter's rows are whole: the redaction is about sealing.
    expect(lines.find((l) => l['objectId'] === open.id && l['action'] === 'case.refer')).toMatchObject({ townshipCode: 'xingsha' });

    const keys = s.server.db.integrity!;
    expect(verifyExport(keys, file)).toMatchObject({ ok: true, rows: lines.length, redacted: expect.any(Number) });
    expect((verifyExport(keys, file) as { redacted: number }).redacted).toBeGreaterThanOrEqual(about.rows.length);
    // A redacted row given another hash: the file no longer verifies.
    const victim = bySeq.get(String(about.rows[0]!.seq))!;
    const forged = file.replace(String(victim['hash']), 'f'.repeat(64));
    expect(forged).not.toBe(file);
    expect(verifyExport(keys, forged)).toMatchObject({ ok: false });
  });

  it('the leader unseals a matter sealed by mistake, with a reason: it is an ordinary matter again', async () => {
    const leader = token('leader1');
    const mistaken = petitionBody('xingsha', null, { sealed: true, narrative: '误封的事项：反映村里路灯不亮' });
    expect((await api(s.url, 'POST', '/api/petitions', { token: officer(), body: mistaken })).status).toBe(200);
    expect(text((await api(s.url, 'GET', '/api/petitions?limit=200', { token: officer() })).body)).not.toContain(mistaken.id);
    const snap = await caseSnapshot(s.server.db, mistaken.id);
    expect((await api(s.url, 'POST', `/api/sealed/${mistaken.id}/unseal`, { token: leader, body: { reason: '' } })).status).toBe(400);
    expect(await caseSnapshot(s.server.db, mistaken.id)).toBe(snap);
    const r = await api(s.url, 'POST', `/api/sealed/${mistaken.id}/unseal`, { token: leader, body: { reason: '经审查，并非反映领导班子成员' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: mistaken.id, sealed: false });
    expect(text((await api(s.url, 'GET', '/api/petitions?limit=200', { token: officer() })).body)).toContain(mistaken.id);
    expect((await api(s.url, 'GET', `/api/sealed/${mistaken.id}`, { token: leader })).status).toBe(404);
    const row = (await s.server.db.query(`SELECT sealed, sealed_at, unseal_reason, unsealed_by FROM petitions WHERE id = $1`, [mistaken.id])).rows[0];
    expect(row).toEqual({ sealed: false, sealed_at: null, unseal_reason: '经审查，并非反映领导班子成员', unsealed_by: logins['leader1']!.user.id });
    const audit = await s.server.db.query(`SELECT township_code, details FROM audit_log WHERE object_id = $1 AND action = 'petition.unseal'`, [mistaken.id]);
    expect(audit.rows).toEqual([{ township_code: null, details: {} }]);
    // A matter already sent up stays sealed.
    const sentSnap = await caseSnapshot(s.server.db, sealed.id);
    const refused = await api<{ error: { code: string; message: string } }>(s.url, 'POST', `/api/sealed/${sealed.id}/unseal`, {
      token: leader,
      body: { reason: '已报送的不能解除' },
    });
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'INVALID_STATE' });
    expect(await caseSnapshot(s.server.db, sealed.id)).toBe(sentSnap);
  });

  it('audit rows about a sealed matter record that it exists, not what it says or where it came from', async () => {
    const rows = await s.server.db.query<{ action: string; township_code: string | null; details: Record<string, unknown> }>(
      `SELECT action, township_code, details FROM audit_log WHERE object_id = $1 ORDER BY seq`,
      [sealed.id],
    );
    expect(rows.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['petition.create', 'receipt.lookup', 'petition.send_up']));
    for (const r of rows.rows) {
      expect({ action: r.action, township: r.township_code }).toEqual({ action: r.action, township: null });
      expect(Object.keys(r.details).filter((k) => k !== 'sealed')).toEqual([]);
    }
    const seal = await s.server.db.query<{ township_code: string | null; details: Record<string, unknown> }>(
      `SELECT township_code, details FROM audit_log WHERE object_id = $1 AND action = 'petition.seal'`,
      [later.id],
    );
    expect(seal.rows).toEqual([{ township_code: null, details: {} }]);
    // Nothing of any sealed matter's content, nor the sealing reason, anywhere in the log.
    const all = JSON.stringify((await s.server.db.query('SELECT details FROM audit_log')).rows);
    for (const m of [CANARY_NARRATIVE, CANARY_ACCUSED, SEAL_REASON, '机要件', '市纪委监委']) expect({ m, found: all.includes(m) }).toEqual({ m, found: false });
  });
});
