import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecommendationDetail, RecommendationInput, RecommendationListAnswer } from '@vj/shared';
import { Recommendations } from '@vj/signaling';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';

// 查办 → 建议 → 整改 → 回头看 (issue 17): the letter's state machine over HTTP with the service's clock moved by the test;
// refusals that change nothing (the letter, its timeline, the audit log); the 督办 board; an audit row with every step
// in the step's transaction; 片区 scoping. PostgreSQL (DATABASE_URL) or PGlite (VJ_TEST_DB=embedded).

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;
/** The service's "now": noon UTC, the same calendar day in any county time zone from UTC-11 to UTC+11. */
let clock = new Date('2026-03-02T12:00:00Z');
const setDay = (day: string) => void (clock = new Date(`${day}T12:00:00Z`));

type Err = { error: { code: string; message: string } };
const issue = (who: string, body: RecommendationInput) => api<RecommendationDetail & Err>(s.url, 'POST', '/api/recommendations', { token: token(who), body });
const act = (who: string, id: string, body: unknown) =>
  api<RecommendationDetail & Err>(s.url, 'POST', `/api/recommendations/${id}/actions`, { token: token(who), body });
const page = (who: string, id: string) => api<RecommendationDetail & Err>(s.url, 'GET', `/api/recommendations/${id}`, { token: token(who) });
const list = (who: string, params: Record<string, string> = {}) =>
  api<RecommendationListAnswer>(s.url, 'GET', `/api/recommendations?${new URLSearchParams(params).toString()}`, { token: token(who) });
const board = (who: string) => api<RecommendationListAnswer>(s.url, 'GET', '/api/recommendations/board', { token: token(who) });

const letter = (over: Partial<RecommendationInput> = {}): RecommendationInput => ({
  id: randomUUID(),
  kind: 'discipline',
  docNumber: `长县纪建〔2026〕${Math.floor(Math.random() * 1e6)}号`,
  unitCode: 'XS-CJB',
  issuedOn: '2026-03-01',
  problems: '工程项目验收把关不严，违规收受管理服务对象礼金问题突出。',
  requests: '开展警示教育，健全工程验收制度，三十日内书面报告整改情况。',
  deadline: '2026-03-31',
  recordIds: ['CF-2021-017'],
  ...over,
});

/**
 * Everything a refusal must leave as it was: the letters, their timelines and records, and the audit log (but for the
 * refusal's own row, which the route chain writes for a role refused: auth.refused).
 */
async function snapshot(): Promise<string> {
  const q = (sql: string) => s.server.db.query(sql).then((r) => JSON.stringify(r.rows));
  return [
    await q(
      `SELECT id, state, round, to_char(deadline, 'YYYY-MM-DD') d, to_char(review_on, 'YYYY-MM-DD') r, updated_at FROM recommendation_letters ORDER BY id`,
    ),
    await q('SELECT letter_id, seq, type FROM recommendation_letter_events ORDER BY letter_id, seq'),
    await q('SELECT letter_id, record_id FROM recommendation_letter_records ORDER BY letter_id, record_id'),
    await q(`SELECT count(*) AS n FROM audit_log WHERE action <> 'auth.refused'`),
  ].join('\n');
}
const auditsOf = async (id: string) =>
  (
    await s.server.db.query<{ action: string; actor_role: string; details: Record<string, unknown> }>(
      `SELECT action, actor_role, details FROM audit_log WHERE object_type = 'recommendation' AND object_id = $1 ORDER BY seq`,
      [id],
    )
  ).rows;

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
  s.server.ctx.recommendations = new Recommendations(s.server.db, () => clock);
});
afterAll(async () => {
  await s?.stop();
});

describe('建议书 → 整改 → 回头看', () => {
  const a = letter({ recordIds: ['CF-2021-017', 'CF-2024-012'] });

  it('records a letter with its linked records, its first timeline entry and its audit row', async () => {
    const r = await issue('conduct1', a);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: a.id,
      docNumber: a.docNumber,
      kind: 'discipline',
      unit: { code: 'XS-CJB', name: '星沙街道城建办' },
      district: { code: 'd1' },
      state: 'awaiting_report',
      round: 1,
      deadline: '2026-03-31',
      overdue: null,
      hiddenLinks: 0,
    });
    expect(r.body.links.map((l) => [l.recordId, l.personCode])).toEqual([
      ['CF-2021-017', 'XS-0001'],
      ['CF-2024-012', 'CH-0001'],
    ]);
    expect(r.body.events.map((e) => [e.type, e.day, e.deadline])).toEqual([['issued', '2026-03-01', '2026-03-31']]);
    expect(await auditsOf(a.id)).toEqual([
      { action: 'recommendation.issue', actor_role: 'conduct_office', details: { kind: 'discipline', unit: 'XS-CJB', deadline: '2026-03-31', records: 2 } },
    ]);
    // The same request again (a lost answer retried) is the same letter, written once.
    const again = await issue('conduct1', a);
    expect(again.status).toBe(200);
    expect((await auditsOf(a.id)).length).toBe(1);
  });

  it('refuses a step out of order, a bad date or a bad letter with a Chinese error, and changes nothing', async () => {
    const before = await snapshot();
    const refusals: [Promise<{ status: number; body: Err }>, number, RegExp][] = [
      [act('conduct1', a.id, { action: 'accept', reviewOn: '2026-05-01' }), 409, /没有待评估的整改报告/],
      [act('conduct1', a.id, { action: 'return', reason: '整改措施不具体', deadline: '2026-05-01' }), 409, /没有待评估的整改报告/],
      [act('conduct1', a.id, { action: 'review', outcome: 'done', notes: '整改措施已落实到位' }), 409, /不在回头看阶段/],
      [act('conduct1', a.id, { action: 'report', receivedOn: '2026-02-27', summary: '已召开专题会议整改' }), 400, /不能早于建议书发出日期/],
      [act('conduct1', a.id, { action: 'report', receivedOn: '2026-03-09', summary: '已召开专题会议整改' }), 400, /不能晚于今天/],
      [act('conduct1', a.id, { action: 'report', receivedOn: '2026-03-01', summary: '短' }), 400, /整改报告摘要/],
      [act('conduct1', a.id, { action: 'close' }), 400, /请选择要办理的事项/],
      [act('conduct1', randomUUID(), { action: 'report', receivedOn: '2026-03-01', summary: '已召开专题会议整改' }), 404, /没有找到这份建议书/],
      [issue('conduct1', letter({ docNumber: a.docNumber })), 409, /文号已经登记过/],
      [issue('conduct1', letter({ unitCode: 'NO-SUCH-UNIT' })), 400, /没有这个单位/],
      [issue('conduct1', letter({ recordIds: ['CF-2021-017', 'NO-SUCH-RECORD'] })), 400, /NO-SUCH-RECORD/],
      [issue('conduct1', letter({ issuedOn: '2026-03-05', deadline: '2026-04-05' })), 400, /发出日期不能晚于今天/],
      [issue('conduct1', letter({ deadline: '2026-02-28' })), 400, /整改期限应晚于发出日期/],
      [issue('conduct1', letter({ deadline: '2026-02-30' })), 400, /整改期限/],
      [issue('conduct1', letter({ kind: 'other' as 'discipline' })), 400, /纪律检查建议书或监察建议书/],
    ];
    for (const [call, status, message] of refusals) {
      const r = await call;
      expect(r.status, message.source).toBe(status);
      expect(r.body.error.message, message.source).toMatch(message);
    }
    expect(await snapshot()).toBe(before);
  });

  it('roles that may not act are refused, and nothing changes', async () => {
    const before = await snapshot();
    const step = { action: 'report', receivedOn: '2026-03-02', summary: '已召开专题会议整改' };
    for (const who of ['reviewer1', 'district1-leader', 'district2-inspector', 'officer1', 'supervisor', 'xingsha-handler', 'admin', 'auditor']) {
      expect((await act(who, a.id, step)).status, who).toBe(403);
      expect((await issue(who, letter())).status, who).toBe(403);
    }
    for (const who of ['officer1', 'supervisor', 'xingsha-handler', 'xingsha-staff', 'admin', 'auditor']) {
      expect((await list(who)).status, who).toBe(403);
      expect((await board(who)).status, who).toBe(403);
      expect((await page(who, a.id)).status, who).toBe(403);
    }
    expect(await snapshot()).toBe(before);
  });

  const c = letter({ kind: 'supervision', unitCode: 'CH-MZB', deadline: '2026-03-20', recordIds: ['CF-2024-012'] });
  const later = letter({ deadline: '2026-04-30', recordIds: [] });

  it('the 督办 board: letters past their deadline without an accepted report, the latest first', async () => {
    expect((await issue('leader1', c)).status).toBe(200);
    expect((await issue('conduct1', later)).status).toBe(200);
    expect((await board('conduct1')).body.items).toEqual([]);
    setDay('2026-04-05');
    const b = await board('conduct1');
    expect(b.status).toBe(200);
    expect(b.body.asOf).toBe('2026-04-05');
    expect(b.body.items.map((x) => [x.id, x.overdue])).toEqual([
      [c.id, { reason: 'no_report', since: '2026-03-20', days: 16 }],
      [a.id, { reason: 'no_report', since: '2026-03-31', days: 5 }],
    ]);
    // The list filters the same way.
    expect((await list('conduct1', { overdue: '1' })).body.items.map((x) => x.id)).toEqual([c.id, a.id]);
    expect((await list('conduct1')).body.items.map((x) => x.id)).toEqual([c.id, a.id, later.id]);
  });

  it('report → returned → report → accepted → 回头看 未到位 → report → accepted → 回头看 整改到位: closed', async () => {
    let r = await act('conduct1', a.id, { action: 'report', receivedOn: '2026-04-03', summary: '已召开专题民主生活会，制定整改清单' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ state: 'report_received', round: 1, overdue: { reason: 'not_assessed', days: 5 } });
    // A report in but not assessed is still behind: on the board until it is accepted.
    expect((await board('conduct1')).body.items.map((x) => x.id)).toContain(a.id);
    r = await act('leader1', a.id, { action: 'return', reason: '整改措施不具体，未落实到人', deadline: '2026-04-30' });
    expect(r.body).toMatchObject({ state: 'awaiting_report', round: 2, deadline: '2026-04-30', overdue: null });
    expect((await board('conduct1')).body.items.map((x) => x.id)).toEqual([c.id]);
    r = await act('conduct1', a.id, { action: 'report', receivedOn: '2026-04-05', summary: '补充整改措施，明确责任人和完成时限' });
    expect(r.body.state).toBe('report_received');
    expect((await act('conduct1', a.id, { action: 'accept', reviewOn: '2026-04-05' })).body.error.message).toMatch(/回头看日期应晚于今天/);
    r = await act('conduct1', a.id, { action: 'accept', reviewOn: '2026-06-01', note: '整改报告内容完整' });
    expect(r.body).toMatchObject({ state: 'review_pending', reviewOn: '2026-06-01', overdue: null });
    setDay('2026-06-05');
    expect((await board('conduct1')).body.items.map((x) => [x.id, x.overdue?.reason, x.overdue?.days])).toEqual([
      [c.id, 'no_report', 77],
      [later.id, 'no_report', 36],
      [a.id, 'review_due', 4],
    ]);
    expect((await act('conduct1', a.id, { action: 'review', outcome: 'not_done', notes: '制度未建立，台账缺失' })).body.error.message).toMatch(/新的整改期限/);
    r = await act('conduct1', a.id, { action: 'review', outcome: 'not_done', notes: '制度未建立，台账缺失', deadline: '2026-07-01' });
    expect(r.body).toMatchObject({ state: 'awaiting_report', round: 3, deadline: '2026-07-01', overdue: null });
    setDay('2026-06-21');
    expect((await act('conduct1', a.id, { action: 'report', receivedOn: '2026-06-20', summary: '制度已印发，台账已建立' })).status).toBe(200);
    expect((await act('conduct1', a.id, { action: 'accept', reviewOn: '2026-08-01' })).status).toBe(200);
    setDay('2026-08-01');
    r = await act('conduct1', a.id, { action: 'review', outcome: 'done', notes: '回头看确认整改到位，予以销号' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ state: 'closed', round: 3, overdue: null });
    expect(r.body.events.map((e) => e.type)).toEqual([
      'issued',
      'report',
      'returned',
      'report',
      'accepted',
      'review_not_done',
      'report',
      'accepted',
      'review_done',
    ]);
    expect(r.body.events.map((e) => e.day)).toEqual([
      '2026-03-01',
      '2026-04-03',
      '2026-04-05',
      '2026-04-05',
      '2026-04-05',
      '2026-06-05',
      '2026-06-20',
      '2026-06-21',
      '2026-08-01',
    ]);
    expect(r.body.events.find((e) => e.type === 'returned')).toMatchObject({
      text: '整改措施不具体，未落实到人',
      deadline: '2026-04-30',
      byName: '县纪委监委 主要负责人',
    });
    // Every step audited, with the states it moved between.
    const audits = await auditsOf(a.id);
    expect(audits.filter((x) => x.action !== 'recommendation.view').map((x) => [x.action, x.details['from'] ?? null, x.details['to'] ?? null])).toEqual([
      ['recommendation.issue', null, null],
      ['recommendation.report', 'awaiting_report', 'report_received'],
      ['recommendation.return', 'report_received', 'awaiting_report'],
      ['recommendation.report', 'awaiting_report', 'report_received'],
      ['recommendation.accept', 'report_received', 'review_pending'],
      ['recommendation.review', 'review_pending', 'awaiting_report'],
      ['recommendation.report', 'awaiting_report', 'report_received'],
      ['recommendation.accept', 'report_received', 'review_pending'],
      ['recommendation.review', 'review_pending', 'closed'],
    ]);
    expect(audits.at(-1)!.details).toEqual({ from: 'review_pending', to: 'closed', round: 3, outcome: 'done' });
    // Closed: nothing more, and the refusal changes nothing.
    const before = await snapshot();
    for (const step of [
      { action: 'report', receivedOn: '2026-08-01', summary: '再次报送整改情况' },
      { action: 'accept', reviewOn: '2026-09-01' },
      { action: 'review', outcome: 'done', notes: '再次回头看确认' },
    ]) {
      const x = await act('conduct1', a.id, step);
      expect(x.status).toBe(409);
      expect(x.body.error.message).toMatch(/已经销号/);
    }
    expect(await snapshot()).toBe(before);
    expect((await list('conduct1', { state: 'closed' })).body.items.map((x) => x.id)).toEqual([a.id]);
    expect((await board('conduct1')).body.items.map((x) => x.id)).not.toContain(a.id);
  });

  it('two assessments at once: one wins, the other is refused by state', async () => {
    expect((await act('conduct1', later.id, { action: 'report', receivedOn: '2026-07-30', summary: '整改报告已按时报送' })).status).toBe(200);
    const [x, y] = await Promise.all([
      act('conduct1', later.id, { action: 'accept', reviewOn: '2026-09-01' }),
      act('leader1', later.id, { action: 'return', reason: '整改措施不具体，需补充', deadline: '2026-09-01' }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    const events = (await page('conduct1', later.id)).body.events.map((e) => e.type);
    expect(events.filter((e) => e === 'accepted' || e === 'returned')).toHaveLength(1);
  });

  it('no step without its audit row: a failing audit append leaves the letter as it was', async () => {
    await s.server.db.query(`ALTER TABLE audit_log ADD CONSTRAINT test_no_letter_audit CHECK (action NOT LIKE 'recommendation.%') NOT VALID`);
    const before = await snapshot();
    try {
      expect((await act('conduct1', c.id, { action: 'report', receivedOn: '2026-07-01', summary: '整改报告已报送' })).status).toBe(500);
      expect((await issue('conduct1', letter())).status).toBe(500);
      expect((await page('conduct1', c.id)).status).toBe(500);
    } finally {
      await s.server.db.query('ALTER TABLE audit_log DROP CONSTRAINT test_no_letter_audit');
    }
    expect(await snapshot()).toBe(before);
  });

  it('a 片区督查组 reads only letters to units of its own 片区, and the people of its own 片区 only', async () => {
    const d1 = await list('district1-leader');
    expect(d1.status).toBe(200);
    expect(d1.body.items.every((x) => x.district?.code === 'd1')).toBe(true);
    expect(d1.body.items.map((x) => x.id)).toContain(a.id);
    expect((await board('district1-leader')).body.items.map((x) => x.id)).not.toContain(c.id);
    expect((await page('district1-leader', c.id)).status).toBe(404);
    const own = await page('district1-leader', a.id);
    expect(own.status).toBe(200);
    // The linked record of a 第二片区 person is counted, not named.
    expect(own.body.links.map((l) => l.personCode)).toEqual(['XS-0001']);
    expect(own.body.hiddenLinks).toBe(1);
    const d2 = await board('district2-inspector');
    expect(d2.body.items.map((x) => x.id)).toEqual([c.id]);
    expect((await page('district2-inspector', a.id)).status).toBe(404);
    // The reviewer and the leader read the whole county.
    expect((await page('reviewer1', c.id)).status).toBe(200);
    expect((await board('reviewer1')).body.items.map((x) => x.id)).toContain(c.id);
  });

  it('opening a letter is audited (it names people); the form finds units by name', async () => {
    const n = (await auditsOf(c.id)).length;
    expect((await page('reviewer1', c.id)).status).toBe(200);
    const rows = await auditsOf(c.id);
    expect(rows.length).toBe(n + 1);
    expect(rows.at(-1)).toMatchObject({ action: 'recommendation.view', actor_role: 'case_reviewer', details: { records: 1 } });
    const units = await api<{ items: { code: string; name: string }[] }>(s.url, 'GET', `/api/recommendations/units?q=${encodeURIComponent('城建办')}`, {
      token: token('conduct1'),
    });
    expect(units.status).toBe(200);
    expect(units.body.items.map((u) => u.code).sort()).toEqual(['LL-CJB', 'XS-CJB']);
  });
});
