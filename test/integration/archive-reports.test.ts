import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveProfile, RegistryImportView, UnitListAnswer, UnitReport } from '@vj/shared';
import { ArchiveImporter, IntegrityArchive, UnitReports } from '@vj/signaling';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';

// 清廉档案's monthly update by file (CSV and .xlsx) and the 政治生态报告 of a unit, on screen and as PDF: each row
// written as the screen writes a month (片区 scope, 回避, warnings, audit), row errors reported and nothing else
// changed; the report's figures from the members' profiles, scoped, 回避, audited, and its PDF's text in Chinese.
// PostgreSQL (DATABASE_URL) or PGlite (VJ_TEST_DB=embedded). The services' clock is the test's.

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;
const clock = new Date('2026-03-16T04:00:00Z');
type Err = { error: { code: string; message: string } };

const HEADER = '人员编码,月份,房产等财产情况,车辆情况,子女及其配偶从业情况,管党治党,工作履职,精神状态,廉洁自律,巡察审计问题,廉政鉴定,正在整改问题数,超期问题数';
const row = (code: string, month: string, property: string, assessment: string, open = '1', overdue = '0') => [
  code,
  month,
  property,
  '小型轿车一辆',
  '儿子在长沙市某银行工作',
  '落实一岗双责',
  '项目按期推进',
  '状态饱满',
  '未发现问题',
  '巡察反馈问题三项',
  assessment,
  open,
  overdue,
];

async function upload(who: string, data: Buffer | string, type = 'text/csv'): Promise<{ status: number; body: RegistryImportView & Err }> {
  const res = await fetch(`${s.url}/api/archive/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token(who)}`, 'content-type': type },
    body: typeof data === 'string' ? data : new Uint8Array(data),
  });
  return { status: res.status, body: (await res.json()) as RegistryImportView & Err };
}
const finished = (who: string, id: string) =>
  waitFor('the archive import to finish', async () => {
    const v = await api<RegistryImportView>(s.url, 'GET', `/api/archive/imports/${id}`, { token: token(who) });
    return v.body.status !== 'running' ? v.body : undefined;
  });
const profile = (who: string, code: string) => api<ArchiveProfile & Err>(s.url, 'GET', `/api/archive/people/${code}`, { token: token(who) });
const report = (who: string, unit: string) => api<UnitReport & Err>(s.url, 'GET', `/api/archive/units/${unit}/report`, { token: token(who) });

async function xlsx(rows: string[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('月度情况');
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await book.xlsx.writeBuffer());
}

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
  const ctx = s.server.ctx;
  ctx.archive = new IntegrityArchive(s.server.db, () => clock);
  ctx.archiveImports = new ArchiveImporter(s.server.db, ctx.archive, ctx.registry, ctx.log);
  ctx.unitReports = new UnitReports(s.server.db, () => clock);
});
afterAll(async () => {
  await s?.stop();
});

describe('清廉档案月度导入', () => {
  it('a CSV of months: good rows written as the screen writes them (warnings, audit), bad rows reported by line and nothing else changed', async () => {
    const csv = [
      HEADER,
      row('XS-0001', '2026-01', '住房一套', '良好').join(','),
      row('XS-0001', '2026年2月', '住房一套；新购商铺一间', '较差', '3', '1').join(','),
      row('XS-0002', '2026-02', '住房一套', '良好').join(','), // not a key official
      row('CH-0001', '2026-02', '住房一套', '良好').join(','), // another 片区
      row('XS-0006', '2026-13', '住房一套', '良好').join(','), // no such month
      row('XS-0006', '2026-02', '住房一套', '优秀').join(','), // no such assessment
      row('XS-0001', '2026-01', '住房一套', '良好').join(','), // twice in the file
      row('XS-0006', '2026-04', '住房一套', '良好').join(','), // a month to come
      row('XS-0006', '2026-02', '住房一套', '一般', '1', '2').join(','), // more overdue than open
    ].join('\n');
    const started = await upload('district1-inspector', csv);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ kind: 'archive_months', totalRows: 9 });
    const done = await finished('district1-inspector', started.body.id);
    expect(done).toMatchObject({ status: 'done', processedRows: 9, importedRows: 2, errorCount: 7 });
    expect(done.errors.map((e) => [e.line, e.message])).toEqual([
      [4, '此人不是关键少数，档案由导入和处分、信访等事项自动更新，无需按月录入。'],
      [5, '人员编码不在本片区的清廉档案中'],
      [6, '月份应写作“年-月”，如 2026-03'],
      [7, '廉政鉴定应为良好、一般或较差'],
      [8, '同一人员同一月份在本文件中重复'],
      [9, '不能录入尚未到来的月份'],
      [10, '超期问题数不能多于正在整改的问题数'],
    ]);
    const p = await profile('district1-leader', 'XS-0001');
    expect(p.body.months.map((m) => [m.month, m.assessment, m.dims.property])).toEqual([
      ['2026-02', 'poor', '住房一套；新购商铺一间'],
      ['2026-01', 'good', '住房一套'],
    ]);
    expect(p.body.warnings.map((w) => w.rule).sort()).toEqual(['findings_overdue', 'poor_assessment', 'property_changed']);
    const audits = await s.server.db.query<{ action: string; details: Record<string, unknown> }>(
      `SELECT action, details FROM audit_log WHERE action IN ('archive.month_entered', 'archive.months_import') ORDER BY seq`,
    );
    expect(audits.rows.map((a) => a.action)).toEqual(['archive.month_entered', 'archive.month_entered', 'archive.months_import']);
    expect(audits.rows[2]!.details).toEqual({ rows: 9, imported: 2, errors: 7, warningsRaised: 3 });
    // Only its importer follows it; the registry's route does not show it.
    expect((await api(s.url, 'GET', `/api/archive/imports/${started.body.id}`, { token: token('district1-leader') })).status).toBe(404);
    expect((await api(s.url, 'GET', `/api/registry/imports/${started.body.id}`, { token: token('supervisor') })).status).toBe(404);
  });

  it('the same from an .xlsx workbook (a date cell for the month); a file that is neither is refused and changes nothing', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('月度情况');
    sheet.addRow(HEADER.split(','));
    const r = sheet.addRow(row('XS-0006', '', '住房一套', '一般'));
    r.getCell(2).value = new Date(Date.UTC(2026, 2, 1));
    const started = await upload('district1-leader', Buffer.from(await book.xlsx.writeBuffer()), 'application/octet-stream');
    expect(started.status).toBe(202);
    const done = await finished('district1-leader', started.body.id);
    expect(done).toMatchObject({ status: 'done', importedRows: 1, errorCount: 0 });
    expect((await profile('district1-inspector', 'XS-0006')).body.months.map((m) => [m.month, m.assessment])).toEqual([['2026-03', 'fair']]);

    const count = async () => (await s.server.db.query<{ n: string }>('SELECT count(*) AS n FROM registry_imports')).rows[0]!.n;
    const before = await count();
    const broken = await upload('district1-inspector', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64, 1)]), 'application/octet-stream');
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toContain('无法读取这个 Excel 文件');
    const noColumns = await upload('district1-inspector', '人员编码,月份\nXS-0001,2026-03');
    expect(noColumns.status).toBe(400);
    expect(noColumns.body.error.message).toBe('表头缺少列：管党治党、工作履职、精神状态、廉洁自律、廉政鉴定。');
    expect(await count()).toBe(before);
    // Not a 督查组: refused before any reading.
    expect((await upload('conduct1', HEADER)).status).toBe(403);
  });

  it('a month typed as a number is refused, never misread; a workbook that would unpack too large is refused before it is read', async () => {
    const started = await upload('district1-inspector', [HEADER, row('XS-0006', '2026.1', '住房一套', '良好').join(',')].join('\n'));
    const done = await finished('district1-inspector', started.body.id);
    expect(done).toMatchObject({ status: 'done', importedRows: 0, errorCount: 1 });
    expect(done.errors[0]!.message).toBe('月份应写作“年-月”，如 2026-03');
    // A real workbook whose directory says its sheet unpacks to 3 GB (a zip bomb's tell).
    const data = await xlsx([HEADER.split(','), row('XS-0006', '2026-02', '住房一套', '良好')]);
    for (let at = data.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = data.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4))
      data.writeUInt32LE(0xb0000000, at + 24);
    const bomb = await upload('district1-inspector', data, 'application/octet-stream');
    expect(bomb.status).toBe(413);
    expect(bomb.body.error.message).toBe('这个 Excel 文件解压后过大，请分成几个文件导入，或另存为 CSV。');
  });

  it('a month altered behind the application fails the import closed: the batch is rolled back, nothing half-written, and the report says where it stopped', async () => {
    await s.server.db.query(`UPDATE archive_months SET findings_overdue = findings_overdue + 1 WHERE official_code = 'XS-0001' AND month = '2026-02-01'`);
    try {
      const before = await s.server.db.query(`SELECT count(*)::int AS n FROM archive_months`);
      const audits = await s.server.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'archive.month_entered'`);
      // XS-0006 first (fine on its own), then XS-0001 for March, whose February no longer matches its seal.
      const csv = [HEADER, row('XS-0006', '2026-01', '住房一套', '良好').join(','), row('XS-0001', '2026-03', '住房一套', '良好').join(',')].join('\n');
      const started = await upload('district1-inspector', csv);
      const done = await finished('district1-inspector', started.body.id);
      expect(done.status).toBe('failed');
      expect(done.importedRows).toBe(0);
      expect(done.errors.at(-1)!.message).toBe('导入在第 1 条数据处中止：之前已导入 0 行，之后的未导入。请稍后重新导入（已导入的月份会按新内容更新）。');
      expect((await s.server.db.query(`SELECT count(*)::int AS n FROM archive_months`)).rows).toEqual(before.rows);
      expect((await s.server.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'archive.month_entered'`)).rows).toEqual(audits.rows);
    } finally {
      await s.server.db.query(`UPDATE archive_months SET findings_overdue = findings_overdue - 1 WHERE official_code = 'XS-0001' AND month = '2026-02-01'`);
    }
  });

  it('a new accusation naming a key official raises a warning at the next entry; a sealed one does not, and neither says who made it', async () => {
    const officer = logins['officer1']!.user.id;
    const accuse = async (sealed: boolean, day: string) => {
      const id = randomUUID();
      await s.server.db.query(
        `INSERT INTO petitions (id, case_code, pin_hash, request_digest, township_code, category, narrative, anonymous, created_by, created_at, sealed, sealed_at)
         VALUES ($1, $2, 'none', 'none', 'xingsha', '工作作风', '测试', true, $3, $4, $5, CASE WHEN $5 THEN $4::timestamptz END)`,
        [id, `7${String(Date.now()).slice(-9)}`, officer, `${day}T02:00:00Z`, sealed],
      );
      await s.server.db.query(
        `INSERT INTO petition_accused (id, petition_id, ord, name, unit, position, official_code) VALUES (gen_random_uuid(), $1, 0, '孙立平', '', '', 'XS-0006')`,
        [id],
      );
      return id;
    };
    const body = {
      dims: {
        property: '住房一套',
        vehicles: '无',
        family: '子女在读',
        partyGovernance: '落实',
        duty: '推进',
        spirit: '良好',
        integrity: '未发现问题',
        findings: '',
      },
      assessment: 'good',
      findingsOpen: 0,
      findingsOverdue: 0,
    };
    const enter = () => api<ArchiveProfile & Err>(s.url, 'PUT', '/api/archive/people/XS-0006/months/2026-03', { token: token('district1-inspector'), body });
    await accuse(true, '2026-03-04');
    expect((await enter()).body.warnings.filter((w) => w.rule === 'new_accusation')).toEqual([]);
    await accuse(false, '2026-03-05');
    const p = await enter();
    expect(p.status).toBe(200);
    const raised = p.body.warnings.filter((w) => w.rule === 'new_accusation');
    expect(raised.map((w) => [w.month, w.state])).toEqual([['2026-03', 'open']]);
    const audit = await s.server.db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_log WHERE action = 'archive.warning_raised' AND object_id = $1`,
      [raised[0]!.id],
    );
    expect(audit.rows).toEqual([{ details: { official: 'XS-0006', month: '2026-03' } }]);
  });

  it('the registry import reads .xlsx too', async () => {
    const data = await xlsx([
      ['人员编码', '姓名', '单位编码', '单位名称', '职务', '乡镇', '管理层级', '职级', '关键少数'],
      ['XS-0101', '欧阳明', 'XS-CJB', '星沙街道城建办', '副主任', 'xingsha', '乡镇干部', '副科级', '否'],
    ]);
    const res = await fetch(`${s.url}/api/registry/imports?kind=officials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('supervisor')}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(data),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as RegistryImportView;
    const done = await waitFor('the registry import', async () => {
      const v = await api<RegistryImportView>(s.url, 'GET', `/api/registry/imports/${id}`, { token: token('supervisor') });
      return v.body.status !== 'running' ? v.body : undefined;
    });
    expect(done).toMatchObject({ status: 'done', importedRows: 1, errorCount: 0 });
    const o = await s.server.db.query('SELECT name, unit_code, rank FROM officials WHERE code = $1', ['XS-0101']);
    expect(o.rows).toEqual([{ name: '欧阳明', unit_code: 'XS-CJB', rank: '副科级' }]);
  });
});

describe('政治生态报告', () => {
  it("a unit's report from its members' profiles: people, discipline, warnings, findings and the months; audited; scoped to the 片区; 回避 of one's own unit", async () => {
    const r = await report('conduct1', 'XS-CJB');
    expect(r.status).toBe(200);
    const members = await s.server.db.query<{ n: number; k: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE key_official)::int AS k FROM officials WHERE unit_code = 'XS-CJB'`,
    );
    expect(r.body).toMatchObject({ code: 'XS-CJB', name: '星沙街道城建办', districtName: '第一片区', asOf: '2026-03-16' });
    expect([r.body.members, r.body.keyOfficials]).toEqual([members.rows[0]!.n, members.rows[0]!.k]);
    // 王建国's records: CF-2021-017 党内警告 (over) and CF-2023-004 诫勉谈话 (组织处理).
    expect(r.body.discipline).toMatchObject({ total: 2, inEffect: 0, party: 1, government: 0, handling: 1 });
    expect(r.body.warnings).toMatchObject({
      open: 3,
      lastYear: 3,
      closedLastYear: 0,
      byRule: { property_changed: 1, poor_assessment: 1, findings_overdue: 1, new_discipline: 0 },
    });
    expect(r.body.findings).toEqual({ month: '2026-02', open: 3, overdue: 1 });
    expect(r.body.months.map((m) => m.month)).toEqual([
      '2025-04',
      '2025-05',
      '2025-06',
      '2025-07',
      '2025-08',
      '2025-09',
      '2025-10',
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
    expect(r.body.months.slice(-3)).toEqual([
      { month: '2026-01', entered: 1, good: 1, fair: 0, poor: 0, warnings: 0, records: 0 },
      { month: '2026-02', entered: 1, good: 0, fair: 0, poor: 1, warnings: 3, records: 0 },
      { month: '2026-03', entered: 0, good: 0, fair: 0, poor: 0, warnings: 0, records: 0 },
    ]);
    expect(r.body.summary.at(-1)).toBe('综合研判：本单位存在需关注的问题，建议督查组加强日常监督，及时提醒谈话。');
    expect(r.body.summary.join('')).toContain('尚有 3 项巡察审计问题正在整改，其中 1 项已超期');
    const audit = await s.server.db.query<{ actor_role: string; object_type: string; details: Record<string, unknown> }>(
      `SELECT actor_role, object_type, details FROM audit_log WHERE action = 'archive.unit_report' AND object_id = 'XS-CJB' ORDER BY seq DESC LIMIT 1`,
    );
    expect(audit.rows[0]).toEqual({
      actor_role: 'conduct_office',
      object_type: 'org_unit',
      details: { form: 'screen', members: r.body.members, warningsOpen: 3 },
    });

    // The warnings stay with the unit whose months raised them: 王建国 moved to the 财政所 does not take them along.
    await s.server.db.query(`UPDATE officials SET unit_code = 'XS-CZS' WHERE code = 'XS-0001'`);
    try {
      expect((await report('conduct1', 'XS-CJB')).body.warnings).toMatchObject({ open: 3, lastYear: 3 });
      expect((await report('conduct1', 'XS-CZS')).body.warnings).toMatchObject({ open: 0, lastYear: 0 });
    } finally {
      await s.server.db.query(`UPDATE officials SET unit_code = 'XS-CJB' WHERE code = 'XS-0001'`);
    }
    // A 督查组 sees its own 片区's units only; the list says so too. 审理室 reads no profiles, so no reports.
    const refusedBefore = await s.server.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.refused'`);
    expect((await report('district2-inspector', 'XS-CJB')).status).toBe(404);
    // Another 片区's unit answers as if it did not exist, and the attempt is an audited refusal.
    expect((await s.server.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.refused'`)).rows[0]!.n).toBe(refusedBefore.rows[0]!.n + 1);
    const list = await api<UnitListAnswer>(s.url, 'GET', '/api/archive/units', { token: token('district2-inspector') });
    expect(list.body.items.some((u) => u.code === 'XS-CJB')).toBe(false);
    const mine = await api<UnitListAnswer>(s.url, 'GET', `/api/archive/units?q=${encodeURIComponent('星沙')}`, { token: token('district1-inspector') });
    expect(mine.body.items.find((u) => u.code === 'XS-CJB')).toMatchObject({ name: '星沙街道城建办', openWarnings: 3, records: 2 });
    expect((await report('reviewer1', 'XS-CJB')).status).toBe(403);
    // 回避: leader1 is linked to XJW-0001 of XJW-LD: refused, the refusal audited; the list leaves the unit out.
    const refusals = async () => (await s.server.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.refused'`)).rows[0]!.n as number;
    const refused = await refusals();
    const own = await report('leader1', 'XJW-LD');
    expect(own.status).toBe(409);
    expect(own.body.error.message).toBe('本人所在单位的政治生态报告须回避，请由其他同志查看。');
    expect(await refusals()).toBe(refused + 1);
    const leaderList = await api<UnitListAnswer>(s.url, 'GET', '/api/archive/units?q=XJW', { token: token('leader1') });
    expect(leaderList.body.items.map((u) => u.code)).not.toContain('XJW-LD');
    expect(leaderList.body.items.map((u) => u.code)).toContain('XJW-XFS');
    const listAudit = await s.server.db.query<{ actor_role: string; details: Record<string, unknown> }>(
      `SELECT actor_role, details FROM audit_log WHERE action = 'archive.units_view' ORDER BY seq DESC LIMIT 1`,
    );
    expect(listAudit.rows[0]).toEqual({ actor_role: 'county_leader', details: { results: leaderList.body.items.length } });
    expect((await report('leader1', 'NO-SUCH')).status).toBe(404);
  });

  it('as a PDF with the Chinese text embedded, audited as a PDF', async () => {
    const res = await fetch(`${s.url}/api/archive/units/XS-CJB/report/pdf`, { headers: { authorization: `Bearer ${token('leader1')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(decodeURIComponent(res.headers.get('content-disposition') ?? '')).toContain('星沙街道城建办政治生态报告-2026-03-16.pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-report-'));
    try {
      fs.writeFileSync(path.join(dir, 'r.pdf'), pdf);
      const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
      expect(text).toContain('星沙街道城建办政治生态报告');
      expect(text).toContain('综合研判：本单位存在需关注的问题');
      expect(text).toContain('本月廉政鉴定为较差');
      const fonts = execFileSync('pdffonts', [path.join(dir, 'r.pdf')], { encoding: 'utf8' });
      expect(fonts).toMatch(/WenQuanYi|Noto/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const audit = await s.server.db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_log WHERE action = 'archive.unit_report' AND object_id = 'XS-CJB' AND actor_role = 'county_leader'`,
    );
    expect(audit.rows.map((a) => a.details['form'])).toEqual(['pdf']);
  });
});
