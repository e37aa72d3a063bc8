import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveMonthInput, ArchiveProfile, WarningListAnswer, WarningView } from '@vj/shared';
import { IntegrityArchive } from '@vj/signaling';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';

// 清廉档案 (issue 17): a key official's months entered and signed by their 片区's 督查组, the warnings the entries raise
// and their closing, the portrait, the 片区 scope, refusals that change nothing, audit rows in the same transaction,
// the words sealed at rest, and the 职级 / 关键少数 columns of the registry import. The service's clock is the test's.
// PostgreSQL (DATABASE_URL) or PGlite (VJ_TEST_DB=embedded).

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;
const clock = new Date('2026-03-16T04:00:00Z');

type Err = { error: { code: string; message: string; fields?: string[] } };
const profile = (who: string, code: string) => api<ArchiveProfile & Err>(s.url, 'GET', `/api/archive/people/${code}`, { token: token(who) });
const enter = (who: string, code: string, month: string, body: unknown) =>
  api<ArchiveProfile & Err>(s.url, 'PUT', `/api/archive/people/${code}/months/${month}`, { token: token(who), body });
const sign = (who: string, code: string, month: string) =>
  api<ArchiveProfile & Err>(s.url, 'POST', `/api/archive/people/${code}/months/${month}/sign`, { token: token(who) });
const warnings = (who: string, state = 'open') => api<WarningListAnswer & Err>(s.url, 'GET', `/api/archive/warnings?state=${state}`, { token: token(who) });
const close = (who: string, id: string, body: unknown) =>
  api<WarningView & Err>(s.url, 'POST', `/api/archive/warnings/${id}/close`, { token: token(who), body });

const PROPERTY = '星沙街道住房一套（120平方米）';
const month = (over: Partial<ArchiveMonthInput['dims']> = {}, rest: Partial<Omit<ArchiveMonthInput, 'dims'>> = {}): ArchiveMonthInput => ({
  dims: {
    property: PROPERTY,
    vehicles: '小型轿车一辆',
    family: '儿子在长沙市某银行工作，儿媳为中学教师',
    partyGovernance: '按时召开专题民主生活会，落实一岗双责',
    duty: '城建项目按期推进，无群众投诉',
    spirit: '工作状态饱满',
    integrity: '未发现违反中央八项规定精神问题',
    findings: '巡察反馈问题三项，已完成整改两项',
    ...over,
  },
  assessment: 'good',
  findingsOpen: 1,
  findingsOverdue: 0,
  ...rest,
});

/** Everything a refusal must leave as it was: the months, the warnings and the audit log (but for auth.refused rows). */
async function snapshot(): Promise<string> {
  const q = (sql: string) => s.server.db.query(sql).then((r) => JSON.stringify(r.rows));
  return [
    await q(`SELECT official_code, month, encode(dims_ct, 'hex') AS ct, assessment, signed_by FROM archive_months ORDER BY official_code, month`),
    await q('SELECT id, state, action FROM archive_warnings ORDER BY id'),
    await q(`SELECT count(*) AS n FROM audit_log WHERE action <> 'auth.refused'`),
  ].join('\n');
}
const auditsOf = async (objectId: string) =>
  (
    await s.server.db.query<{ action: string; actor_role: string; details: Record<string, unknown> }>(
      `SELECT action, actor_role, details FROM audit_log WHERE object_id = $1 AND action LIKE 'archive.%' ORDER BY seq`,
      [objectId],
    )
  ).rows;

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
  s.server.ctx.archive = new IntegrityArchive(s.server.db, () => clock);
});
afterAll(async () => {
  await s?.stop();
});

describe('清廉档案', () => {
  it('the portrait of a person with nothing entered yet tells sanctions from 组织处理, and opening the profile is audited', async () => {
    const before = (await auditsOf('XS-0001')).length;
    const p = await profile('district1-leader', 'XS-0001');
    expect(p.status).toBe(200);
    // CF-2021-017 党内警告 (its 影响期 long over) and CF-2023-004 诫勉谈话 (组织处理).
    expect(p.body.portrait).toBe('王建国，正科级干部，受党纪政务处分 1 次（已过影响期），受组织处理 1 次，所在党组织暂无审计巡察问题记录。');
    expect(p.body).toMatchObject({
      keyOfficial: true,
      rank: '正科级',
      months: [],
      warnings: [],
      canEnter: true,
      canSign: true,
      canClose: true,
      currentMonth: '2026-03',
    });
    const audits = await auditsOf('XS-0001');
    expect(audits.length).toBe(before + 1);
    expect(audits.at(-1)).toMatchObject({ action: 'archive.profile_view', actor_role: 'district_leader', details: { months: 0, warnings: 0 } });
    // The leader reads, enters nothing; 审理室 reads the discipline records, not the profiles.
    expect((await profile('leader1', 'XS-0001')).body).toMatchObject({ canEnter: false, canSign: false, canClose: false });
    expect((await profile('reviewer1', 'XS-0001')).status).toBe(403);
    expect((await profile('leader1', 'XS-0006')).body.portrait).toBe('孙立平，正处级干部，无违纪违法问题，所在党组织暂无审计巡察问题记录。');
    // 回避: the leader is linked to XJW-0001; their own profile is refused.
    const own = await profile('leader1', 'XJW-0001');
    expect(own.status).toBe(409);
    expect(own.body.error.message).toBe('本人的清廉档案须回避，不能查看或办理。');
  });

  it('months entered by a member: sealed at rest, read back whole; a change in property, a 较差 and an overdue rectification each raise one warning; audit rows say no more than months and counts', async () => {
    const feb = await enter('district1-inspector', 'XS-0001', '2026-02', month());
    expect(feb.status).toBe(200);
    expect(feb.body.warnings).toEqual([]);
    const raw = await s.server.db.query<{ dims_ct: Buffer }>(`SELECT dims_ct FROM archive_months WHERE official_code = 'XS-0001'`);
    for (const r of raw.rows) {
      expect(r.dims_ct.includes(Buffer.from(PROPERTY, 'utf8'))).toBe(false);
      expect(r.dims_ct.includes(Buffer.from('儿子', 'utf8'))).toBe(false);
    }
    const body = month({ property: `${PROPERTY}；新购商铺一间` }, { assessment: 'poor', findingsOpen: 3, findingsOverdue: 2 });
    const mar = await enter('district1-inspector', 'XS-0001', '2026-03', body);
    expect(mar.status).toBe(200);
    expect(mar.body.months.map((m) => m.month)).toEqual(['2026-03', '2026-02']);
    expect(mar.body.months[0]!.dims.property).toBe(`${PROPERTY}；新购商铺一间`);
    expect(mar.body.months[0]).toMatchObject({ assessment: 'poor', findingsOpen: 3, findingsOverdue: 2, enteredBy: '第一片区督查组 组员', signedBy: null });
    expect(mar.body.warnings.map((w) => w.rule).sort()).toEqual(['findings_overdue', 'poor_assessment', 'property_changed']);
    expect(mar.body.portrait).toBe(
      '王建国，正科级干部，受党纪政务处分 1 次（已过影响期），受组织处理 1 次，所在党组织有 3 项审计巡察问题正在整改（其中 2 项超期），有 3 条苗头性问题预警待处置。',
    );
    // Saved again (a retry) and with only the spacing of 个人信息 changed: the same warnings, no new ones.
    const again = await enter('district1-inspector', 'XS-0001', '2026-03', { ...body, dims: { ...body.dims, property: ` ${PROPERTY}；新购商铺一间\n` } });
    expect(again.body.warnings.map((w) => w.id).sort()).toEqual(mar.body.warnings.map((w) => w.id).sort());
    const audits = await auditsOf('XS-0001');
    expect(audits.filter((a) => a.action === 'archive.month_entered').map((a) => a.details)).toEqual([
      { month: '2026-02', replaced: false, warningsRaised: 0, warningsWithdrawn: 0 },
      { month: '2026-03', replaced: false, warningsRaised: 3, warningsWithdrawn: 0 },
      { month: '2026-03', replaced: true, warningsRaised: 0, warningsWithdrawn: 0 },
    ]);
    const raisedRows = await s.server.db.query<{ details: Record<string, unknown> }>(`SELECT details FROM audit_log WHERE action = 'archive.warning_raised'`);
    expect(raisedRows.rows.map((r) => r.details)).toEqual(Array(3).fill({ official: 'XS-0001', month: '2026-03' }));
    // The unit's findings are the unit's: a colleague in it shows them; 王建国 moved elsewhere does not take them along.
    await s.server.db.query(`UPDATE officials SET unit_code = 'XS-CJB' WHERE code = 'XS-0003'`);
    expect((await profile('leader1', 'XS-0003')).body.portrait).toContain('所在党组织有 3 项审计巡察问题正在整改（其中 2 项超期）');
    await s.server.db.query(`UPDATE officials SET unit_code = 'XS-SQ01' WHERE code = 'XS-0003'`);
    await s.server.db.query(`UPDATE officials SET unit_code = 'XS-CZS' WHERE code = 'XS-0001'`);
    expect((await profile('leader1', 'XS-0001')).body.portrait).toContain('所在党组织暂无审计巡察问题记录');
    await s.server.db.query(`UPDATE officials SET unit_code = 'XS-CJB' WHERE code = 'XS-0001'`);
  });

  it('a correction withdraws what no longer holds; a back-filled earlier month is compared with the next one; a record raises its warning once', async () => {
    // LL-0001 (第一片区, a key official): March first, then February back-filled with other property.
    expect((await enter('district1-inspector', 'LL-0001', '2026-03', month({}, { assessment: 'poor' }))).body.warnings.map((w) => w.rule)).toEqual([
      'poor_assessment',
    ]);
    const back = await enter('district1-inspector', 'LL-0001', '2026-02', month({ vehicles: '无' }));
    expect(back.body.warnings.map((w) => [w.rule, w.month]).sort()).toEqual([
      ['poor_assessment', '2026-03'],
      ['property_changed', '2026-03'],
    ]);
    // March corrected to 良好 with February's vehicles: both its warnings are withdrawn, not left open.
    const fixed = await enter('district1-inspector', 'LL-0001', '2026-03', month({ vehicles: '无' }));
    expect(fixed.body.warnings.map((w) => [w.rule, w.state]).sort()).toEqual([
      ['poor_assessment', 'withdrawn'],
      ['property_changed', 'withdrawn'],
    ]);
    expect(fixed.body.portrait).not.toContain('预警');
    expect((await auditsOf('LL-0001')).filter((a) => a.action === 'archive.month_entered').at(-1)!.details).toMatchObject({ warningsWithdrawn: 2 });
    // And raised again when the cause comes back.
    const back2 = await enter('district1-inspector', 'LL-0001', '2026-03', month({ vehicles: '无' }, { assessment: 'poor' }));
    expect(back2.body.warnings.filter((w) => w.state === 'open').map((w) => w.rule)).toEqual(['poor_assessment']);

    // CH-0001: a record of 2026-02-10 raises new_discipline in February, and not again in March.
    await s.server.db.query(
      `INSERT INTO discipline_records (id, official_code, decided_on, kind, reason, authority, sanction) VALUES ('CF-2026-ARCH', 'CH-0001', '2026-02-10', '党内警告', '测试', '县纪委监委', 'party_warning')`,
    );
    const chFeb = await enter('district2-inspector', 'CH-0001', '2026-02', month());
    expect(chFeb.body.warnings.map((w) => [w.rule, w.month])).toEqual([['new_discipline', '2026-02']]);
    const chMar = await enter('district2-inspector', 'CH-0001', '2026-03', month());
    expect(chMar.body.warnings.map((w) => [w.rule, w.month])).toEqual([['new_discipline', '2026-02']]);
    expect(chMar.body.portrait).toContain('受党纪政务处分 1 次（其中 1 次在影响期内）');
    // An inspector enters; only a leader signs.
    expect((await sign('district2-inspector', 'CH-0001', '2026-03')).status).toBe(403);
    expect(chMar.body.canSign).toBe(false);
  });

  it('refused, changing nothing: another 片区, a person not among the 关键少数, months to come or too old, bad input, signing one’s own entry', async () => {
    await enter('district1-leader', 'XS-0006', '2026-03', month());
    const before = await snapshot();
    const cases: [string, Promise<{ status: number; body: Err }>, number, string | RegExp][] = [
      ['another 片区 reads', profile('district2-inspector', 'XS-0001'), 404, '没有找到这个人员'],
      ['another 片区 enters', enter('district2-inspector', 'XS-0001', '2026-03', month()), 404, '没有找到这个人员'],
      ['another 片区 signs', sign('district1-leader', 'CH-0001', '2026-03'), 404, '没有找到这个人员'],
      ['not a key official', enter('district1-inspector', 'XS-0002', '2026-03', month()), 409, /不是关键少数/],
      ['a month to come', enter('district1-inspector', 'XS-0001', '2026-04', month()), 400, '不能录入尚未到来的月份'],
      ['a month too old', enter('district1-inspector', 'XS-0001', '2025-03', month()), 400, '只能录入或修改最近 12 个月的档案'],
      ['a month that is none', enter('district1-inspector', 'XS-0001', '2026-13', month()), 400, '月份格式应为 YYYY-MM'],
      ['a dimension left out', enter('district1-inspector', 'XS-0001', '2026-01', month({ duty: '  ' })), 400, '请填写工作履职情况'],
      [
        'more overdue than open',
        enter('district1-inspector', 'XS-0001', '2026-01', month({}, { findingsOpen: 1, findingsOverdue: 2 })),
        400,
        /超期问题数不能多于/,
      ],
      ['no assessment', enter('district1-inspector', 'XS-0001', '2026-01', { ...month(), assessment: 'excellent' }), 400, '请选择廉政鉴定结果'],
      ['a month not entered is signed', sign('district1-leader', 'XS-0001', '2026-01'), 409, '该月档案尚未录入，不能签字确认。'],
      ['the leader signs their own entry', sign('district1-leader', 'XS-0006', '2026-03'), 409, '录入人不能签字确认本人录入的月度情况，请由其他组长签字。'],
      ['a leader of the commission enters', enter('leader1', 'XS-0001', '2026-03', month()), 403, /./],
      ['one’s own profile', profile('leader1', 'XJW-0001'), 409, '本人的清廉档案须回避，不能查看或办理。'],
    ];
    for (const [what, call, status, message] of cases) {
      const r = await call;
      expect(r.status, what).toBe(status);
      if (typeof message === 'string') expect(r.body.error.message, what).toBe(message);
      else expect(r.body.error.message, what).toMatch(message);
    }
    expect(await snapshot()).toBe(before);
  });

  it('the leader signs off a member’s month: it is fixed from then on, and signing again is answered as done', async () => {
    const signed = await sign('district1-leader', 'XS-0001', '2026-02');
    expect(signed.status).toBe(200);
    expect(signed.body.months.find((m) => m.month === '2026-02')).toMatchObject({ signedBy: '第一片区督查组 组长', enteredBy: '第一片区督查组 组员' });
    expect((await sign('district1-leader', 'XS-0001', '2026-02')).status).toBe(200);
    const before = await snapshot();
    const edit = await enter('district1-inspector', 'XS-0001', '2026-02', month({ vehicles: '无' }));
    expect(edit.status).toBe(409);
    expect(edit.body.error.message).toBe('该月档案已由组长签字确认，不能再修改。');
    expect(await snapshot()).toBe(before);
    expect((await auditsOf('XS-0001')).filter((a) => a.action === 'archive.month_signed')).toHaveLength(1);
  });

  it('warnings: each 片区 sees its own, the leader all (but their own), open first; the list is audited; closed by a 提醒 or an 教育 with a sealed note, once', async () => {
    const d1 = (await warnings('district1-leader')).body.items;
    const d2 = (await warnings('district2-inspector')).body.items;
    const all = (await warnings('leader1')).body.items;
    expect(new Set(d1.map((w) => w.officialCode))).toEqual(new Set(['XS-0001', 'LL-0001']));
    expect(d2.map((w) => w.officialCode)).toEqual(['CH-0001']);
    expect(all.map((w) => w.id).sort()).toEqual([...d1, ...d2].map((w) => w.id).sort());
    expect(all.every((w) => w.note === null && w.state === 'open')).toBe(true);
    const listed = await s.server.db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_log WHERE action = 'archive.warnings_view' AND actor_role = 'county_leader' ORDER BY seq DESC LIMIT 1`,
    );
    expect(listed.rows[0]!.details).toEqual({ state: 'open', results: all.length, district: null });
    const withWithdrawn = (await warnings('district1-leader', 'all')).body.items;
    expect(withWithdrawn.findIndex((w) => w.state !== 'open')).toBe(d1.length);

    const target = d1.find((w) => w.rule === 'property_changed' && w.officialCode === 'XS-0001')!;
    const before = await snapshot();
    expect((await close('district2-inspector', target.id, { action: 'remind', note: '已提醒' })).status).toBe(404);
    expect((await close('district1-leader', target.id, { action: 'warn', note: '已提醒' })).body.error.message).toBe('请选择处置方式（提醒或教育）');
    expect((await close('district1-leader', target.id, { action: 'remind', note: ' ' })).body.error.message).toBe('请填写处置情况');
    expect((await close('leader1', target.id, { action: 'remind', note: '已提醒' })).status).toBe(403);
    expect(await snapshot()).toBe(before);

    const NOTE = '3月18日约谈提醒，本人说明商铺系夫妻共同出资购买，已补报个人有关事项。';
    const done = await close('district1-leader', target.id, { action: 'remind', note: NOTE });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'closed', action: 'remind', note: NOTE, closedBy: '第一片区督查组 组长' });
    const raw = await s.server.db.query<{ note_ct: Buffer }>('SELECT note_ct FROM archive_warnings WHERE id = $1', [target.id]);
    expect(raw.rows[0]!.note_ct.includes(Buffer.from('商铺', 'utf8'))).toBe(false);
    expect((await close('district1-inspector', target.id, { action: 'educate', note: '再次' })).body.error.message).toBe('这条预警已经办结或已撤销。');
    expect((await warnings('district1-leader')).body.items.map((w) => w.id)).not.toContain(target.id);
    expect((await warnings('district1-leader', 'closed')).body.items.map((w) => w.id)).toEqual([target.id]);
    expect((await profile('leader1', 'XS-0001')).body.warnings.find((w) => w.id === target.id)!.note).toBe(NOTE);
    expect((await auditsOf(target.id)).map((a) => [a.action, a.details])).toEqual([
      ['archive.warning_raised', { official: 'XS-0001', month: '2026-03' }],
      ['archive.warning_closed', { official: 'XS-0001', action: 'remind' }],
    ]);
  });

  it('rows changed behind the application’s back do not pass: a month moved, a 较差 made 良好, a signature removed, a note moved', async () => {
    const tampered = async (sql: string, undo: string) => {
      await s.server.db.query(sql);
      const r = await profile('leader1', 'XS-0001');
      await s.server.db.query(undo);
      expect(r.status, sql).toBe(500);
      expect(r.body.error.code, sql).toBe('INTEGRITY');
      expect((await profile('leader1', 'XS-0001')).status).toBe(200);
    };
    await tampered(
      `UPDATE archive_months SET assessment = 'good' WHERE official_code = 'XS-0001' AND month = '2026-03-01'`,
      `UPDATE archive_months SET assessment = 'poor' WHERE official_code = 'XS-0001' AND month = '2026-03-01'`,
    );
    const signedBy = (
      await s.server.db.query<{ signed_by: string; signed_at: Date }>(
        `SELECT signed_by, signed_at FROM archive_months WHERE official_code = 'XS-0001' AND month = '2026-02-01'`,
      )
    ).rows[0]!;
    await tampered(
      `UPDATE archive_months SET signed_by = NULL, signed_at = NULL WHERE official_code = 'XS-0001' AND month = '2026-02-01'`,
      `UPDATE archive_months SET signed_by = '${signedBy.signed_by}', signed_at = '${signedBy.signed_at.toISOString()}' WHERE official_code = 'XS-0001' AND month = '2026-02-01'`,
    );
    const closed = (await s.server.db.query<{ id: string }>(`SELECT id FROM archive_warnings WHERE state = 'closed' AND official_code = 'XS-0001'`)).rows[0]!
      .id;
    await tampered(
      `UPDATE archive_warnings SET month = '2026-02-01' WHERE id = '${closed}'`,
      `UPDATE archive_warnings SET month = '2026-03-01' WHERE id = '${closed}'`,
    );
    const march = (await s.server.db.query<{ dims_ct: Buffer }>(`SELECT dims_ct FROM archive_months WHERE official_code = 'XS-0001' AND month = '2026-03-01'`))
      .rows[0]!;
    await s.server.db.query(
      `UPDATE archive_months SET dims_ct = (SELECT dims_ct FROM archive_months WHERE official_code = 'XS-0001' AND month = '2026-02-01')
        WHERE official_code = 'XS-0001' AND month = '2026-03-01'`,
    );
    const r = await profile('leader1', 'XS-0001');
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe('INTEGRITY');
    // A colleague's portrait reads the unit's findings from that month: it fails too, rather than show what was altered.
    expect((await profile('leader1', 'XS-0006')).status).toBe(200);
    await s.server.db.query(`UPDATE officials SET unit_code = 'XS-CJB' WHERE code = 'XS-0003'`);
    expect((await profile('leader1', 'XS-0003')).status).toBe(500);
    await s.server.db.query(`UPDATE officials SET unit_code = 'XS-SQ01' WHERE code = 'XS-0003'`);
    await s.server.db.query(`UPDATE archive_months SET dims_ct = $1 WHERE official_code = 'XS-0001' AND month = '2026-03-01'`, [march.dims_ct]);
    expect((await profile('leader1', 'XS-0001')).status).toBe(200);
  });

  it('the registry import takes 职级 and 关键少数, refuses a 关键少数 that is neither, and a file without them leaves them as they are', async () => {
    const importCsv = async (csv: string) => {
      const r = await fetch(`${s.url}/api/registry/imports?kind=officials`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token('supervisor')}`, 'content-type': 'text/csv' },
        body: csv,
      });
      expect(r.status).toBe(202);
      const { id } = (await r.json()) as { id: string };
      return waitFor('the import is done', async () => {
        const st = await api<{ status: string; errors: { line: number; message: string }[] }>(s.url, 'GET', `/api/registry/imports/${id}`, {
          token: token('supervisor'),
        });
        return st.body.status === 'done' ? st.body : undefined;
      });
    };
    const done = await importCsv(
      '人员编码,姓名,单位编码,单位名称,职级,关键少数\nAR-1,欧阳明,XS-CJB,星沙街道城建办,副科级,是\nAR-2,欧阳亮,XS-CJB,星沙街道城建办,科员,也许\n',
    );
    expect(done.errors).toEqual([{ line: 3, message: '关键少数应填“是”或“否”，或留空' }]);
    const row = async () =>
      (await s.server.db.query<{ rank: string; key_official: boolean }>(`SELECT rank, key_official FROM officials WHERE code = 'AR-1'`)).rows[0];
    expect(await row()).toEqual({ rank: '副科级', key_official: true });
    expect((await s.server.db.query(`SELECT 1 FROM officials WHERE code = 'AR-2'`)).rowCount).toBe(0);
    await importCsv('人员编码,姓名,单位编码,单位名称\nAR-1,欧阳明,XS-CJB,星沙街道城建办\n');
    expect(await row()).toEqual({ rank: '副科级', key_official: true });
    expect((await enter('district1-inspector', 'AR-1', '2026-03', month())).status).toBe(200);
  });
});
