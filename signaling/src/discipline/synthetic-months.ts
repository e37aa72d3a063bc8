import { localDay, type ArchiveDims, type Assessment, type WarningAction, type WarningRule } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { newId } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';
import { lastTwelve, monthsBetween, personalOf, warningsFor } from './archive-rules.js';
import { sealWarningNote } from './integrity-archive.js';
import { sealMonth } from './person-data.js';
import { rng, type County } from './synthetic-county.js';

/**
 * A year of 清廉档案 months for the synthetic county's key officials (issue 17), made by rules, not written by
 * hand: each person's six dimensions month by month (mostly unchanged, now and then a purchase or a child's new
 * job), a 廉政鉴定 mostly 良好, the unit's findings rectified over the year (some late), and the warnings the
 * rules raise from them (archive-rules.ts warningsFor, as an entry on screen would), those older than two months closed.
 */
export interface MonthPlan {
  code: string;
  unitCode: string;
  districtCode: string | null;
  month: string;
  dims: ArchiveDims;
  assessment: Assessment;
  findingsOpen: number;
  findingsOverdue: number;
  warnings: WarningRule[];
}

const PROPERTY = ['县城住房一套（120平方米）', '县城住房一套（98平方米），老家自建房一栋', '县城住房两套（共210平方米）', '乡镇住房一套（135平方米）'];
const BOUGHT = ['新购商铺一间（45平方米）', '新购县城住房一套（110平方米）', '新购车位一个'];
const VEHICLES = ['小型轿车一辆', '无', '小型轿车一辆，电动车一辆', 'SUV一辆'];
const FAMILY = ['子女在读，无从业情况', '儿子在长沙市某银行工作，儿媳为中学教师', '女儿为县人民医院护士，女婿在外地经商', '子女在外地企业工作'];
const NEW_JOB = ['儿子新入职本县某建筑公司', '女婿开办建材店，承接过本镇项目'];
const GOVERNANCE = ['按时召开专题民主生活会，落实一岗双责', '组织党员集中学习四次，开展谈心谈话', '落实全面从严治党主体责任清单，按季度研判'];
const DUTY = ['重点项目按期推进，无群众投诉', '民生实事完成进度符合要求', '信访事项按时办结，群众满意度较高'];
const SPIRIT = ['工作状态饱满，敢于担当', '精神状态良好', '工作积极主动'];
const INTEGRITY = ['未发现违反中央八项规定精神问题', '按规定报告个人有关事项，未发现问题', '严守廉洁纪律，未收到相关反映'];
const POOR = ['工作推进迟缓，群众有意见', '存在违规接受宴请苗头，已谈话提醒'];
const NOTES = ['已约谈提醒，本人作了说明并承诺整改。', '已开展警示教育，本人写出书面说明。'];

/** The twelve months ending with the month before `today`'s (the current month is still the team's to enter). */
export function demoMonths(county: County, today: Date = new Date(), seed = 2026): MonthPlan[] {
  const r = rng(seed + 17);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const current = localDay(today).slice(0, 7);
  const months = lastTwelve(lastTwelve(current)[10]!);
  const units = new Map(county.units.map((u) => [u.code, u]));
  // Each unit's findings: found at the start of the year, rectified one by one; a unit in three is late with some.
  const findings = new Map<string, { total: number; lateFrom: number }>();
  for (const u of county.units) findings.set(u.code, { total: r() < 0.4 ? 1 + Math.floor(r() * 4) : 0, lateFrom: r() < 0.33 ? 6 : 99 });
  const records = new Map<string, string[]>();
  for (const rec of county.records) records.set(rec.officialCode, [...(records.get(rec.officialCode) ?? []), rec.decidedOn.slice(0, 7)]);
  const out: MonthPlan[] = [];
  for (const p of county.people.filter((x) => x.keyOfficial)) {
    const f = findings.get(p.unitCode)!;
    let dims: ArchiveDims = {
      property: pick(PROPERTY),
      vehicles: pick(VEHICLES),
      family: pick(FAMILY),
      partyGovernance: pick(GOVERNANCE),
      duty: pick(DUTY),
      spirit: pick(SPIRIT),
      integrity: pick(INTEGRITY),
      findings: '',
    };
    let previous: string | null = null;
    months.forEach((month, i) => {
      const change = r();
      if (i > 0 && change < 0.02) dims = { ...dims, property: `${dims.property}；${pick(BOUGHT)}` };
      else if (i > 0 && change < 0.03) dims = { ...dims, family: `${dims.family}；${pick(NEW_JOB)}` };
      const roll = r();
      const assessment: Assessment = roll < 0.03 ? 'poor' : roll < 0.15 ? 'fair' : 'good';
      const findingsOpen = Math.max(0, f.total - Math.floor(i / 3));
      const findingsOverdue = i >= f.lateFrom ? findingsOpen : 0;
      const month$ = {
        ...dims,
        duty: assessment === 'poor' ? pick(POOR) : dims.duty,
        findings: f.total
          ? `本单位巡察审计反馈问题 ${f.total} 项，已整改 ${f.total - findingsOpen} 项${findingsOverdue ? `，${findingsOverdue} 项超期` : ''}`
          : '本单位暂无巡察审计问题',
      };
      const warnings = warningsFor({
        previousPersonal: previous,
        personal: personalOf(month$),
        assessment,
        findingsOverdue,
        newRecords: (records.get(p.code) ?? []).filter((m) => m === month).length,
        // The synthetic county has no petitions: accusations come only from intake.
        newAccusations: 0,
      });
      previous = personalOf(month$);
      out.push({
        code: p.code,
        unitCode: p.unitCode,
        districtCode: units.get(p.unitCode)?.districtCode ?? null,
        month,
        dims: month$,
        assessment,
        findingsOpen,
        findingsOverdue,
        warnings,
      });
    });
  }
  return out;
}

/**
 * Writes planned months as the 督查组 of each 片区 would have entered them (`team`: its member who entered and the
 * leader who signed, where the 片区 has one), sealed like any entry; their warnings, those older than two
 * months closed with a 提醒 or 教育. A month already on file is left as it is.
 */
export async function writeMonths(
  q: Queryable,
  keys: IntegrityKeyring,
  plans: readonly MonthPlan[],
  team: ReadonlyMap<string, { enteredBy: string; signedBy: string | null }>,
  today: Date = new Date(),
): Promise<number> {
  const rows = plans.flatMap((p) => {
    const t = p.districtCode ? team.get(p.districtCode) : undefined;
    return t ? [{ p, t }] : [];
  });
  if (!rows.length) return 0;
  const at = (month: string) => new Date(`${month}-25T02:00:00Z`);
  const written = await q.query<{ official_code: string; month: string }>(
    `INSERT INTO archive_months (official_code, month, unit_code, dims_ct, assessment, findings_open, findings_overdue, entered_by, entered_at, signed_by, signed_at)
     SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::bytea[], $5::text[], $6::int[], $7::int[], $8::uuid[], $9::timestamptz[], $10::uuid[], $11::timestamptz[])
     ON CONFLICT (official_code, month) DO NOTHING RETURNING official_code, to_char(month, 'YYYY-MM') AS month`,
    [
      rows.map(({ p }) => p.code),
      rows.map(({ p }) => `${p.month}-01`),
      rows.map(({ p }) => p.unitCode),
      rows.map(({ p, t }) =>
        sealMonth(keys, p.code, p.month, {
          dims: p.dims,
          assessment: p.assessment,
          findingsOpen: p.findingsOpen,
          findingsOverdue: p.findingsOverdue,
          enteredBy: t.enteredBy,
          signedBy: t.signedBy,
        }),
      ),
      rows.map(({ p }) => p.assessment),
      rows.map(({ p }) => p.findingsOpen),
      rows.map(({ p }) => p.findingsOverdue),
      rows.map(({ t }) => t.enteredBy),
      rows.map(({ p }) => at(p.month)),
      rows.map(({ t }) => t.signedBy),
      rows.map(({ p, t }) => (t.signedBy ? at(p.month) : null)),
    ],
  );
  const fresh = new Set(written.rows.map((w) => `${w.official_code}|${w.month}`));
  const current = localDay(today).slice(0, 7);
  const warnings = rows.flatMap(({ p, t }) =>
    fresh.has(`${p.code}|${p.month}`)
      ? p.warnings.map((rule) => {
          const id = newId();
          const closed = monthsBetween(p.month, current) > 2;
          const action: WarningAction | null = closed ? (rule === 'poor_assessment' ? 'educate' : 'remind') : null;
          const w = { id, official_code: p.code, rule, month: p.month };
          return {
            ...w,
            raisedAt: at(p.month),
            action,
            by: closed ? t.enteredBy : null,
            note: closed ? sealWarningNote(keys, w, NOTES[action === 'educate' ? 1 : 0]!) : null,
          };
        })
      : [],
  );
  if (warnings.length)
    await q.query(
      `INSERT INTO archive_warnings (id, official_code, rule, month, raised_at, state, action, note_ct, closed_by, closed_at)
       SELECT id, code, rule, month, raised, CASE WHEN action IS NULL THEN 'open' ELSE 'closed' END, action, note, by, CASE WHEN action IS NULL THEN NULL ELSE raised + interval '10 days' END
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::timestamptz[], $6::text[], $7::bytea[], $8::uuid[]) AS x(id, code, rule, month, raised, action, note, by)
       ON CONFLICT (official_code, rule, month) DO NOTHING`,
      [
        warnings.map((w) => w.id),
        warnings.map((w) => w.official_code),
        warnings.map((w) => w.rule),
        warnings.map((w) => `${w.month}-01`),
        warnings.map((w) => w.raisedAt),
        warnings.map((w) => w.action),
        warnings.map((w) => w.note),
        warnings.map((w) => w.by),
      ],
    );
  return written.rows.length;
}
