import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay, type OpinionDetail, type OpinionListAnswer, type OpinionRequestInput } from '@vj/shared';
import { api } from '../helpers/api.js';
import { loginAll, petitionBody, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';

// 廉政意见回复 (issue 17): a request's drafts follow the rules (a sanction in its 影响期 blocks, an open accusation or
// warning holds, a sealed matter is never counted), the office rewords, a leader signs and it is fixed; refusals
// change nothing; every step audited; the words sealed at rest. PostgreSQL (DATABASE_URL) or PGlite (VJ_TEST_DB=embedded).

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;
type Err = { error: { code: string; message: string } };
const create = (who: string, body: OpinionRequestInput) => api<OpinionDetail & Err>(s.url, 'POST', '/api/opinions', { token: token(who), body });
const view = (who: string, id: string) => api<OpinionDetail & Err>(s.url, 'GET', `/api/opinions/${id}`, { token: token(who) });
const edit = (who: string, id: string, code: string, body: unknown) =>
  api<OpinionDetail & Err>(s.url, 'PUT', `/api/opinions/${id}/candidates/${code}`, { token: token(who), body });
const sign = (who: string, id: string) => api<OpinionDetail & Err>(s.url, 'POST', `/api/opinions/${id}/sign`, { token: token(who) });

const request = (codes: string[], over: Partial<OpinionRequestInput> = {}): OpinionRequestInput => ({
  id: randomUUID(),
  purpose: 'promotion',
  requester: '中共长沙县委组织部',
  docNumber: `县组函〔2026〕${Math.floor(Math.random() * 1e6)}号`,
  receivedOn: localDay(),
  codes,
  ...over,
});

async function snapshot(): Promise<string> {
  const q = (sql: string) => s.server.db.query(sql).then((r) => JSON.stringify(r.rows));
  return [
    await q('SELECT id, state, signed_by FROM opinion_requests ORDER BY id'),
    await q(`SELECT request_id, official_code, verdict, encode(text_ct, 'hex') AS t FROM opinion_candidates ORDER BY request_id, seq`),
    await q(`SELECT count(*) AS n FROM audit_log WHERE action <> 'auth.refused'`),
  ].join('\n');
}
const auditsOf = async (id: string) =>
  (
    await s.server.db.query<{ action: string; actor_role: string; details: Record<string, unknown> }>(
      `SELECT action, actor_role, details FROM audit_log WHERE object_id = $1 ORDER BY seq`,
      [id],
    )
  ).rows;

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
  // 何文涛 (CH-0002): a 党内警告 decided a month ago, in its 影响期 for a year.
  const monthAgo = localDay(new Date(Date.now() - 30 * 86_400_000));
  await s.server.db.query(
    `INSERT INTO discipline_records (id, official_code, decided_on, kind, reason, authority, sanction) VALUES ('CF-OP-1', 'CH-0002', $1, '党内警告', '测试', '县纪委监委', 'party_warning')`,
    [monthAgo],
  );
  // 周红梅 (XS-0002): an accusation naming her, being handled. 孙立平 (XS-0006): only a sealed one, which counts for nothing here.
  const accuse = (code: string, name: string, over: Record<string, unknown> = {}) =>
    petitionBody('xingsha', null, {
      accused: [{ name, unit: '', position: '', townshipCode: null, officialCode: code, managementLevel: 'township_cadre', standing: 'none' }],
      ...over,
    });
  expect((await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: accuse('XS-0002', '周红梅') })).status).toBe(200);
  expect((await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: accuse('XS-0006', '孙立平', { sealed: true }) })).status).toBe(200);
});
afterAll(async () => {
  await s?.stop();
});

describe('廉政意见回复', () => {
  let id: string;

  it('drafts one opinion per candidate by the rules, in the order given, sealed at rest, audited with counts', async () => {
    const body = request(['CH-0002', 'XS-0002', 'XS-0006', 'XS-0001']);
    const r = await create('conduct1', body);
    expect(r.status).toBe(200);
    id = r.body.id;
    expect(r.body.items.map((c) => [c.code, c.verdict, c.inEffect, c.openAccusations])).toEqual([
      ['CH-0002', 'blocked', 1, 0],
      ['XS-0002', 'hold', 0, 1],
      ['XS-0006', 'clear', 0, 0],
      ['XS-0001', 'clear', 0, 0],
    ]);
    const [blocked, hold, clear, withPast] = r.body.items;
    expect(blocked!.text).toMatch(
      /^何文涛（春华镇人民政府镇长）：经查，该同志于 \d{4}-\d\d-\d\d 受党内警告处分，影响期至 \d{4}-\d\d-\d\d，影响期内不得提拔使用或评优评先。廉政意见：不同意。$/,
    );
    expect(hold!.text).toBe('周红梅（星沙街道财政所所长）：经查，该同志有 1 件信访举报正在办理，建议待办结后再行研究。廉政意见：暂缓。');
    expect(clear!.text).toBe('孙立平（星沙街道党工委书记）：经查，未发现该同志有违纪违法问题，清廉档案无异常。廉政意见：无不同意见。');
    expect(withPast!.text).toBe(
      '王建国（星沙街道城建办主任）：经查，该同志于 2021-06-18 受党内警告处分，已过影响期；于 2023-03-02 受诫勉谈话。廉政意见：无不同意见。',
    );
    expect(r.body).toMatchObject({ state: 'draft', candidates: 4, blocked: 1, hold: 1, createdBy: '县纪委监委党风政风监督室 邱干事' });
    const raw = await s.server.db.query<{ text_ct: Buffer }>('SELECT text_ct FROM opinion_candidates WHERE request_id = $1', [id]);
    for (const x of raw.rows) for (const w of ['何文涛', '周红梅', '信访举报', '党内警告']) expect(x.text_ct.includes(Buffer.from(w, 'utf8'))).toBe(false);
    // A retry of the same request (a lost answer) is answered with what it recorded, once.
    const again = await create('conduct1', body);
    expect(again.status).toBe(200);
    expect(again.body.items.map((c) => c.text)).toEqual(r.body.items.map((c) => c.text));
    // The replay is audited as a reading; the same id with another body is refused.
    expect(await auditsOf(id)).toEqual([
      { action: 'opinion.request', actor_role: 'conduct_office', details: { candidates: 4, blocked: 1, hold: 1, purpose: 'promotion' } },
      { action: 'opinion.view', actor_role: 'conduct_office', details: { candidates: 4 } },
    ]);
    const other = await create('conduct1', { ...body, codes: ['XS-0001'] });
    expect(other.status).toBe(409);
    expect(other.body.error.message).toBe('该请求编号已用于另一份征求意见函');
  });

  it('refused, changing nothing: unknown or repeated codes, a letter dated tomorrow, roles that hold no opinions', async () => {
    const before = await snapshot();
    const tomorrow = localDay(new Date(Date.now() + 86_400_000));
    const cases: [string, Promise<{ status: number; body: Err }>, number, string][] = [
      ['unknown codes', create('conduct1', request(['XS-0001', 'NOPE-1', 'NOPE-2'])), 400, '以下人员编码不在档案中：NOPE-1、NOPE-2'],
      ['a code twice', create('conduct1', request(['XS-0001', 'XS-0001'])), 400, '人员编码有重复，请核对'],
      ['dated tomorrow', create('conduct1', request(['XS-0001'], { receivedOn: tomorrow })), 400, '收文日期不能晚于今天'],
      ['no candidates', create('conduct1', request([])), 400, '请填写拟任人选的人员编码'],
      ['no requester', create('conduct1', request(['XS-0001'], { requester: ' ' })), 400, '请填写来函单位'],
      ['the same id by another', create('leader1', request(['XS-0001'], { id })), 403, ''],
      ['the 审理室 reads', view('reviewer1', id), 403, ''],
      ['a 督查组 reads', view('district1-leader', id), 403, ''],
      ['the leader words', edit('leader1', id, 'XS-0001', { verdict: 'hold', text: '领导修改意见内容' }), 403, ''],
      ['the office signs', sign('conduct1', id), 403, ''],
      ['not a candidate', edit('conduct1', id, 'LL-0001', { verdict: 'hold', text: '不在名单中的人员' }), 404, '该人员不在这份征求意见函中'],
      ['a verdict that is none', edit('conduct1', id, 'XS-0001', { verdict: 'maybe', text: '意见内容意见内容' }), 400, '请选择廉政意见'],
    ];
    for (const [what, call, status, message] of cases) {
      const r = await call;
      expect(r.status, what).toBe(status);
      if (message) expect(r.body.error.message, what).toBe(message);
    }
    expect(await snapshot()).toBe(before);
    expect((await api(s.url, 'GET', '/api/opinions', { token: token('xingsha-handler') })).status).toBe(403);
  });

  it('the office rewords one, the leader reads and signs, and from then on it is fixed', async () => {
    const text = '王建国（星沙街道城建办主任）：经查，该同志曾受党内警告处分，已过影响期。鉴于其近年表现，廉政意见：无不同意见。';
    const r = await edit('conduct1', id, 'XS-0001', { verdict: 'clear', text });
    expect(r.status).toBe(200);
    expect(r.body.items.find((c) => c.code === 'XS-0001')).toMatchObject({
      text,
      verdict: 'clear',
      drafted: 'clear',
      editedBy: '县纪委监委党风政风监督室 邱干事',
    });
    // The text ends in the verdict given, whatever was typed there.
    const held = await edit('conduct1', id, 'XS-0006', { verdict: 'hold', text: '孙立平：拟暂缓，待核实有关情况。廉政意见：无不同意见。' });
    expect(held.body).toMatchObject({ hold: 2 });
    expect(held.body.items.find((c) => c.code === 'XS-0006')!.text).toBe('孙立平：拟暂缓，待核实有关情况。廉政意见：暂缓。');
    const list = await api<OpinionListAnswer>(s.url, 'GET', '/api/opinions', { token: token('leader1') });
    expect(list.body.items.find((x) => x.id === id)).toMatchObject({ state: 'draft', candidates: 4, blocked: 1, hold: 2 });
    expect((await view('leader1', id)).status).toBe(200);
    const signed = await sign('leader1', id);
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ state: 'signed', signedBy: expect.stringContaining('') });
    expect((await sign('leader1', id)).status).toBe(200);
    const before = await snapshot();
    const late = await edit('conduct1', id, 'XS-0001', { verdict: 'hold', text: '签发之后再改的意见' });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toBe('该回复已签发，不能再修改。');
    expect(await snapshot()).toBe(before);
    expect((await auditsOf(id)).map((a) => [a.action, a.actor_role, a.details])).toEqual([
      ['opinion.request', 'conduct_office', { candidates: 4, blocked: 1, hold: 1, purpose: 'promotion' }],
      ['opinion.view', 'conduct_office', { candidates: 4 }],
      ['opinion.edit', 'conduct_office', { official: 'XS-0001' }],
      ['opinion.edit', 'conduct_office', { official: 'XS-0006' }],
      ['opinion.view', 'county_leader', { candidates: 4 }],
      ['opinion.sign', 'county_leader', { candidates: 4, blocked: 1, hold: 2 }],
      ['opinion.view', 'county_leader', { candidates: 4 }],
    ]);
  });

  it('回避: a leader among the candidates neither reads nor signs the reply; 诫勉 within six months blocks; a grievance is no accusation', async () => {
    // 郑国栋 (XJW-0001) is leader1's own entry. 赵小兵 (LL-0002): a 诫勉谈话 two months ago, and a 申诉 naming him.
    const twoMonthsAgo = localDay(new Date(Date.now() - 60 * 86_400_000));
    await s.server.db.query(
      `INSERT INTO discipline_records (id, official_code, decided_on, kind, reason, authority, sanction) VALUES ('CF-OP-2', 'LL-0002', $1, '诫勉谈话', '测试', '县纪委监委', NULL)`,
      [twoMonthsAgo],
    );
    const appeal = petitionBody('langli', null, {
      matterClass: 'appeal',
      accused: [{ name: '赵小兵', unit: '', position: '', townshipCode: null, officialCode: 'LL-0002', managementLevel: 'township_cadre', standing: 'none' }],
    });
    const filed = await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: appeal });
    expect(filed.status).toBe(200);
    const r = await create('conduct1', request(['XJW-0001', 'LL-0002']));
    expect(r.status).toBe(200);
    const zhao = r.body.items.find((c) => c.code === 'LL-0002')!;
    expect(zhao).toMatchObject({ verdict: 'blocked', openAccusations: 0 });
    expect(zhao.text).toContain(`于 ${twoMonthsAgo} 受诫勉谈话，至 `);
    expect(zhao.text).toContain('不得提拔或者重用');
    const before = await snapshot();
    for (const call of [view('leader1', r.body.id), sign('leader1', r.body.id)]) {
      const x = await call;
      expect(x.status).toBe(409);
      expect(x.body.error.message).toBe('拟任人选中有本人，须回避，不能办理这份征求意见函。');
    }
    expect(await snapshot()).toBe(before);
  });

  it('a verdict changed in the database no longer matches its sealed text: an integrity failure', async () => {
    await s.server.db.query(`UPDATE opinion_candidates SET verdict = 'clear' WHERE request_id = $1 AND official_code = 'CH-0002'`, [id]);
    const r = await view('leader1', id);
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe('INTEGRITY');
    await s.server.db.query(`UPDATE opinion_candidates SET verdict = 'blocked' WHERE request_id = $1 AND official_code = 'CH-0002'`, [id]);
    expect((await view('leader1', id)).status).toBe(200);
  });

  it('an opinion copied onto another candidate (someone with database access) does not open there', async () => {
    await s.server.db.query(
      `UPDATE opinion_candidates SET text_ct = (SELECT text_ct FROM opinion_candidates WHERE request_id = $1 AND official_code = 'XS-0006') WHERE request_id = $1 AND official_code = 'XS-0001'`,
      [id],
    );
    const r = await view('leader1', id);
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe('INTEGRITY');
  });
});
