import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay, type VisitListAnswer, type VisitView } from '@vj/shared';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';

// 回访教育 (issue 17): a visit is planned only within a running 影响期, recorded once with sealed notes, scoped to the
// 片区 for its 督查组, listed due first, and every step and list is audited. PostgreSQL or PGlite (VJ_TEST_DB=embedded).

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;
type Err = { error: { code: string; message: string } };
const plan = (who: string, body: unknown) => api<VisitView & Err>(s.url, 'POST', '/api/discipline/visits', { token: token(who), body });
const record = (who: string, id: string, body: unknown) =>
  api<VisitView & Err>(s.url, 'POST', `/api/discipline/visits/${id}/record`, { token: token(who), body });
const list = (who: string, state = 'planned') => api<VisitListAnswer & Err>(s.url, 'GET', `/api/discipline/visits?state=${state}`, { token: token(who) });
const day = (offset: number) => localDay(new Date(Date.now() + offset * 86_400_000));

async function snapshot(): Promise<string> {
  const q = (sql: string) => s.server.db.query(sql).then((r) => JSON.stringify(r.rows));
  return [
    await q('SELECT id, state, planned_on, done_on FROM discipline_visits ORDER BY id'),
    await q(`SELECT count(*) AS n FROM audit_log WHERE action <> 'auth.refused'`),
  ].join('\n');
}

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
  // In effect: a 党内警告 of 王建国 (第一片区) and of 黄伟 (第二片区) a month ago. Over: CF-2021-017. No 影响期: CF-2023-004 (诫勉).
  await s.server.db.query(
    `INSERT INTO discipline_records (id, official_code, decided_on, kind, reason, authority, sanction) VALUES
       ('CF-V-1', 'XS-0001', $1, '党内警告', '测试', '县纪委监委', 'party_warning'), ('CF-V-2', 'CH-0001', $1, '党内警告', '测试', '县纪委监委', 'party_warning')`,
    [day(-30)],
  );
});
afterAll(async () => {
  await s?.stop();
});

describe('回访教育', () => {
  let visit: string;

  it('refused, changing nothing: a record over or without 影响期, a day past or after it, another 片区, roles that do not visit', async () => {
    const before = await snapshot();
    const cases: [string, Promise<{ status: number; body: Err }>, number, string][] = [
      [
        '影响期 over',
        plan('reviewer1', { id: randomUUID(), recordId: 'CF-2021-017', plannedOn: day(7) }),
        409,
        '该处分不在影响期内（或没有影响期），无需安排回访教育。',
      ],
      [
        'no 影响期',
        plan('reviewer1', { id: randomUUID(), recordId: 'CF-2023-004', plannedOn: day(7) }),
        409,
        '该处分不在影响期内（或没有影响期），无需安排回访教育。',
      ],
      ['a day past', plan('reviewer1', { id: randomUUID(), recordId: 'CF-V-1', plannedOn: day(-1) }), 400, '回访日期不能早于今天'],
      ['after the 影响期', plan('reviewer1', { id: randomUUID(), recordId: 'CF-V-1', plannedOn: day(400) }), 400, ''],
      ['no such record', plan('reviewer1', { id: randomUUID(), recordId: 'CF-NONE', plannedOn: day(7) }), 400, '没有找到这条处分记录'],
      ['another 片区', plan('district2-inspector', { id: randomUUID(), recordId: 'CF-V-1', plannedOn: day(7) }), 400, '没有找到这条处分记录'],
      ['a leader plans', plan('leader1', { id: randomUUID(), recordId: 'CF-V-1', plannedOn: day(7) }), 403, ''],
      ['a township handler', plan('xingsha-handler', { id: randomUUID(), recordId: 'CF-V-1', plannedOn: day(7) }), 403, ''],
      ['a bad day', plan('reviewer1', { id: randomUUID(), recordId: 'CF-V-1', plannedOn: '2026-02-30' }), 400, '回访日期格式应为 YYYY-MM-DD'],
    ];
    for (const [what, call, status, message] of cases) {
      const r = await call;
      expect(r.status, what).toBe(status);
      if (message) expect(r.body.error.message, what).toBe(message);
    }
    expect(await snapshot()).toBe(before);
  });

  it('planned in the 影响期, listed due first and per 片区, recorded once with notes sealed; every step audited', async () => {
    const body = { id: randomUUID(), recordId: 'CF-V-1', plannedOn: day(0) };
    const r = await plan('reviewer1', body);
    expect(r.status).toBe(200);
    visit = r.body.id;
    expect(r.body).toMatchObject({
      recordId: 'CF-V-1',
      officialCode: 'XS-0001',
      name: '王建国',
      state: 'planned',
      overdue: false,
      plannedBy: '县纪委监委审理室 孟干事',
    });
    expect((await plan('reviewer1', body)).status).toBe(200);
    expect((await plan('reviewer1', { ...body, recordId: 'CF-V-2' })).status).toBe(409);
    expect((await plan('district2-inspector', { id: randomUUID(), recordId: 'CF-V-2', plannedOn: day(10) })).status).toBe(200);
    expect((await list('district1-leader')).body.items.map((v) => v.recordId)).toEqual(['CF-V-1']);
    expect((await list('district2-inspector')).body.items.map((v) => v.recordId)).toEqual(['CF-V-2']);
    expect((await list('leader1')).body.items.map((v) => v.recordId)).toEqual(['CF-V-1', 'CF-V-2']);
    expect((await list('leader1')).body.items.every((v) => v.notes === null)).toBe(true);

    const before = await snapshot();
    expect((await record('district2-inspector', visit, { doneOn: day(0), notes: '本人思想稳定' })).status).toBe(404);
    expect((await record('reviewer1', visit, { doneOn: day(1), notes: '本人思想稳定，工作积极' })).body.error.message).toBe('回访日期不能晚于今天');
    expect((await record('reviewer1', visit, { doneOn: day(-40), notes: '本人思想稳定，工作积极' })).body.error.message).toBe('回访日期不能早于处分决定日期');
    expect((await record('reviewer1', visit, { doneOn: day(0), notes: '好' })).body.error.message).toBe('请填写回访情况（至少 5 个字）');
    expect((await record('conduct1', visit, { doneOn: day(0), notes: '本人思想稳定，工作积极' })).status).toBe(403);
    expect(await snapshot()).toBe(before);

    const NOTES = '本人思想稳定，能正确对待处分，家庭和睦，工作积极主动。';
    const done = await record('district1-leader', visit, { doneOn: day(0), notes: NOTES });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'done', doneOn: day(0), notes: NOTES, recordedBy: '第一片区督查组 组长' });
    const raw = await s.server.db.query<{ notes_ct: Buffer }>('SELECT notes_ct FROM discipline_visits WHERE id = $1', [visit]);
    expect(raw.rows[0]!.notes_ct.includes(Buffer.from('家庭', 'utf8'))).toBe(false);
    expect((await record('reviewer1', visit, { doneOn: day(0), notes: NOTES })).body.error.message).toBe('这次回访已经记录，不能重复记录。');
    expect((await list('leader1', 'done')).body.items.map((v) => [v.recordId, v.doneOn])).toEqual([['CF-V-1', day(0)]]);
    const audits = await s.server.db.query<{ action: string; details: Record<string, unknown> }>(
      `SELECT action, details FROM audit_log WHERE object_id = $1 ORDER BY seq`,
      [visit],
    );
    expect(audits.rows).toEqual([
      { action: 'visit.plan', details: { record: 'CF-V-1', official: 'XS-0001' } },
      { action: 'visit.record', details: { record: 'CF-V-1' } },
    ]);
    const lists = await s.server.db.query(`SELECT 1 FROM audit_log WHERE action = 'visit.list'`);
    expect(lists.rowCount).toBeGreaterThanOrEqual(4);
  });
});
