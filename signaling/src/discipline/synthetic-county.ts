import { SANCTION_RULES, withIdCardCheck, type ManagementLevel, type Sanction } from '@vj/shared';
import type { PersonInput, RecordInput, UnitInput } from './people-store.js';

/**
 * A synthetic county for demo mode and benchmarks, the size the seed describes: 4 片区, ~600 units, ~57,000
 * people, ~900 关键少数, and discipline records since Nov 2012. Deterministic for a seed (mulberry32), so a
 * restart or another machine makes the same people. Nobody in it is real: names are drawn from surname
 * frequencies and a pool of given-name characters; ID numbers carry 长沙县's region code and a valid check
 * character but random birth dates and sequence numbers.
 */
export interface CountySize {
  /** Total people; units are sized from it (~95 a unit, as in the seed's 57,000 over 600). */
  people: number;
  records: number;
}
export const FULL_COUNTY: CountySize = { people: 57_000, records: 3_000 };
export const SMALL_COUNTY: CountySize = { people: 3_000, records: 300 };

export interface County {
  units: UnitInput[];
  people: PersonInput[];
  records: RecordInput[];
}

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The commonest surnames with their rough shares (per mille), Hunan-leaning. */
const SURNAMES: readonly [string, number][] = [
  ['李', 79],
  ['王', 72],
  ['张', 70],
  ['刘', 54],
  ['陈', 46],
  ['杨', 31],
  ['黄', 24],
  ['赵', 23],
  ['周', 21],
  ['吴', 20],
  ['徐', 17],
  ['孙', 15],
  ['胡', 13],
  ['朱', 13],
  ['高', 12],
  ['林', 12],
  ['何', 12],
  ['郭', 12],
  ['马', 12],
  ['罗', 11],
  ['梁', 9],
  ['宋', 9],
  ['郑', 8],
  ['谢', 8],
  ['韩', 7],
  ['唐', 7],
  ['冯', 7],
  ['于', 6],
  ['董', 6],
  ['萧', 6],
  ['程', 6],
  ['曹', 6],
  ['袁', 6],
  ['邓', 6],
  ['许', 6],
  ['傅', 5],
  ['沈', 5],
  ['曾', 5],
  ['彭', 5],
  ['吕', 5],
  ['苏', 5],
  ['卢', 5],
  ['蒋', 5],
  ['蔡', 5],
  ['贾', 4],
  ['丁', 4],
  ['魏', 4],
  ['薛', 4],
  ['叶', 4],
  ['阎', 4],
  ['余', 4],
  ['潘', 4],
  ['杜', 4],
  ['戴', 4],
  ['夏', 4],
  ['钟', 4],
  ['汪', 4],
  ['田', 4],
  ['任', 4],
  ['姜', 4],
  ['范', 3],
  ['方', 3],
  ['石', 3],
  ['姚', 3],
  ['谭', 3],
  ['廖', 3],
  ['邹', 3],
  ['熊', 3],
  ['金', 3],
  ['陆', 3],
  ['易', 2],
  ['单', 1],
  ['龚', 2],
  ['文', 2],
  ['颜', 2],
  ['欧阳', 1],
  ['喻', 1],
  ['柳', 1],
  ['雷', 2],
  ['贺', 2],
];
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红梅德文辉俊峰波斌宇浩凯健鹏飞立新海燕玲兰云萍亮林成军晓春雪琴慧颖婷丹蓉坤琳宁欣怡'.split(
  '',
);
const SANCTION_MIX: readonly [Sanction, number][] = [
  ['party_warning', 30],
  ['party_serious_warning', 18],
  ['party_removal_from_post', 4],
  ['party_probation', 5],
  ['party_expulsion', 5],
  ['gov_warning', 12],
  ['gov_demerit', 10],
  ['gov_major_demerit', 6],
  ['gov_demotion', 3],
  ['gov_dismissal_from_post', 3],
  ['gov_expulsion', 4],
];
const REASONS = [
  '违规收受礼品礼金',
  '违规发放津补贴',
  '公款吃喝',
  '违规操办婚丧喜庆事宜',
  '工程项目监管失职',
  '低保审核把关不严',
  '征拆补偿中优亲厚友',
  '违规借用管理服务对象车辆',
  '挪用集体资金',
  '工作失职造成损失',
  '违规兼职取酬',
  '虚报冒领补贴资金',
];

type Township = { code: string; name: string };
/** Which 片区's 督查组 covers each township (the demo's division of the 19 镇街 into four). */
export const DISTRICT_OF_TOWNSHIP: Readonly<Record<string, string>> = {
  xingsha: 'd1',
  xianglong: 'd1',
  quantang: 'd1',
  langli: 'd1',
  changlong: 'd1',
  huangxing: 'd2',
  jiangbei: 'd2',
  huanghua: 'd2',
  chunhua: 'd2',
  'huangxing-expo': 'd2',
  guoyuan: 'd3',
  lukou: 'd3',
  gaoqiao: 'd3',
  jinjing: 'd3',
  fulin: 'd3',
  qingshanpu: 'd4',
  ansha: 'd4',
  beishan: 'd4',
  kaihui: 'd4',
};

const COUNTY_OFFICES = [
  '县委办公室',
  '县人民政府办公室',
  '县委组织部',
  '县委宣传部',
  '县委统战部',
  '县委政法委',
  '县发展和改革局',
  '县教育局',
  '县科技和工业信息化局',
  '县公安局',
  '县民政局',
  '县司法局',
  '县财政局',
  '县人力资源和社会保障局',
  '县自然资源局',
  '县住房和城乡建设局',
  '县交通运输局',
  '县水利局',
  '县农业农村局',
  '县商务局',
  '县文化旅游体育局',
  '县卫生健康局',
  '县退役军人事务局',
  '县应急管理局',
  '县审计局',
  '县市场监督管理局',
  '县统计局',
  '县医疗保障局',
  '县城市管理和综合执法局',
  '县林业局',
];
const TOWNSHIP_OFFICES = ['党政综合办', '财政所', '城建办', '农业综合服务中心', '社会事务办', '征拆办', '综治中心', '纪（工）委'];
const VILLAGE_WORDS = [
  '松雅',
  '金鹰',
  '望仙',
  '花园',
  '枫林',
  '杨梅',
  '星光',
  '泉塘',
  '龙华',
  '石塘',
  '高桥',
  '双江',
  '白沙',
  '青山',
  '福田',
  '新桥',
  '长岭',
  '金塘',
  '东山',
  '荷花',
];

interface UnitPlan extends UnitInput {
  kind: 'county' | 'party' | 'gov' | 'office' | 'village' | 'school' | 'hospital';
  weight: number;
}

function planUnits(townships: readonly Township[], target: number, pick: () => number): UnitPlan[] {
  const districts = ['d1', 'd2', 'd3', 'd4'];
  const units: UnitPlan[] = [];
  const add = (u: Omit<UnitPlan, 'code'>) => units.push({ ...u, code: `DW-${String(units.length + 1).padStart(4, '0')}` });
  COUNTY_OFFICES.forEach((name, i) => add({ name, townshipCode: null, districtCode: districts[i % 4]!, kind: 'county', weight: 60 }));
  for (const t of townships) {
    const districtCode = DISTRICT_OF_TOWNSHIP[t.code] ?? districts[units.length % 4]!;
    const street = t.name.endsWith('街道');
    add({ name: `${t.name}${street ? '党工委' : '党委'}`, townshipCode: t.code, districtCode, kind: 'party', weight: 30 });
    add({ name: street ? `${t.name}办事处` : `${t.name}人民政府`, townshipCode: t.code, districtCode, kind: 'gov', weight: 40 });
    for (const o of TOWNSHIP_OFFICES) add({ name: `${t.name}${o}`, townshipCode: t.code, districtCode, kind: 'office', weight: 15 });
  }
  // Villages, communities, schools and hospitals fill up to the target: ~95 people a unit over all.
  const perTownship = Math.max(1, Math.round((target - units.length) / Math.max(1, townships.length)));
  for (const t of townships) {
    const districtCode = DISTRICT_OF_TOWNSHIP[t.code] ?? 'd1';
    for (let i = 0; i < perTownship; i++) {
      const roll = pick();
      const word = `${VILLAGE_WORDS[i % VILLAGE_WORDS.length]}${i >= VILLAGE_WORDS.length ? Math.floor(i / VILLAGE_WORDS.length) + 1 : ''}`;
      if (roll < 0.62)
        add({ name: `${t.name}${word}${t.name.endsWith('街道') ? '社区' : '村'}党总支`, townshipCode: t.code, districtCode, kind: 'village', weight: 12 });
      else if (roll < 0.9) add({ name: `${t.name}${word}${roll < 0.8 ? '小学' : '中学'}`, townshipCode: t.code, districtCode, kind: 'school', weight: 260 });
      else add({ name: `${t.name}${word}${roll < 0.95 ? '卫生院' : '社区卫生服务站'}`, townshipCode: t.code, districtCode, kind: 'hospital', weight: 280 });
    }
  }
  return units;
}

const HEAD: Record<UnitPlan['kind'], { title: string; deputy: string; rank: string; level: ManagementLevel }> = {
  county: { title: '局长', deputy: '副局长', rank: '正科级', level: 'county_managed' },
  party: { title: '党委书记', deputy: '党委副书记', rank: '正科级', level: 'county_managed' },
  gov: { title: '镇长', deputy: '副镇长', rank: '正科级', level: 'county_managed' },
  office: { title: '主任', deputy: '副主任', rank: '股级', level: 'township_cadre' },
  village: { title: '党总支书记', deputy: '村委会主任', rank: '', level: 'village_cadre' },
  school: { title: '校长', deputy: '副校长', rank: '副科级', level: 'county_managed' },
  hospital: { title: '院长', deputy: '副院长', rank: '副科级', level: 'county_managed' },
};
const STAFF: Record<UnitPlan['kind'], readonly string[]> = {
  county: ['科员', '股长', '办事员', '四级主任科员'],
  party: ['党建专干', '组织委员', '宣传委员', '科员'],
  gov: ['科员', '办事员', '专干'],
  office: ['科员', '专干', '办事员'],
  village: ['村委委员', '村务监督委员会主任', '网格员'],
  school: ['教师', '教师', '教师', '班主任', '教研组长'],
  hospital: ['医师', '护士', '护士', '药剂师', '检验师'],
};

/** A county office's head is a 局长 only in a 局; a 部 has a 部长, an 办公室 or 委 a 主任. */
function titleOf(u: UnitPlan, title: string): string {
  if (u.kind !== 'county' || u.name.endsWith('局')) return title;
  return title.replace('局长', u.name.endsWith('部') ? '部长' : '主任');
}

function weighted<T>(items: readonly (readonly [T, number])[], r: number): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [v, w] of items) if ((x -= w) < 0) return v;
  return items[items.length - 1]![0];
}

const commissionOf = (township: string) => `${township}${township.endsWith('街道') ? '纪工委' : '纪委'}`;

export function generateCounty(townships: readonly Township[], size: CountySize = FULL_COUNTY, seed = 2026): County {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const units = planUnits(townships, Math.round(size.people / 95), r);
  const totalWeight = units.reduce((s, u) => s + u.weight, 0);
  const people: PersonInput[] = [];
  const personName = () => `${weighted(SURNAMES, r())}${pick(GIVEN)}${r() < 0.7 ? pick(GIVEN) : ''}`;
  const idCard = () => {
    const y = 1962 + Math.floor(r() * 40);
    const m = 1 + Math.floor(r() * 12);
    const d = 1 + Math.floor(r() * 28);
    return withIdCardCheck(`430121${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(Math.floor(r() * 1000)).padStart(3, '0')}`);
  };
  for (const u of units) {
    const n = Math.max(3, Math.round((u.weight / totalWeight) * size.people));
    const head = HEAD[u.kind];
    for (let i = 0; i < n; i++) {
      // The head of every unit is a 关键少数, and outside villages the first deputy too (~900 in a full county).
      const key = i === 0 || (i === 1 && u.kind !== 'village');
      people.push({
        code: `RY-${String(people.length + 1).padStart(6, '0')}`,
        name: personName(),
        unitCode: u.code,
        position: i === 0 ? titleOf(u, head.title) : i === 1 ? titleOf(u, head.deputy) : pick(STAFF[u.kind]),
        rank: i === 0 ? head.rank : i === 1 && head.rank === '正科级' ? '副科级' : '',
        managementLevel: i < 2 ? head.level : u.kind === 'village' ? 'village_cadre' : u.kind === 'county' ? 'county_managed' : 'township_cadre',
        keyOfficial: key,
        townshipCode: u.townshipCode,
        idCard: idCard(),
      });
    }
  }
  const records: RecordInput[] = [];
  const start = Date.UTC(2012, 10, 15);
  const span = Date.UTC(2026, 5, 30) - start;
  for (let i = 0; i < size.records; i++) {
    const who = people[Math.floor(r() * people.length)]!;
    const sanction = weighted(SANCTION_MIX, r());
    const decidedOn = new Date(start + Math.floor(r() * span)).toISOString().slice(0, 10);
    const unit = units.find((u) => u.code === who.unitCode);
    records.push({
      id: `CF-${decidedOn.slice(0, 4)}-${String(i + 1).padStart(5, '0')}`,
      officialCode: who.code,
      decidedOn,
      kind: SANCTION_RULES[sanction].label,
      sanction,
      probationMonths: sanction === 'party_probation' ? (r() < 0.5 ? 12 : 24) : null,
      authority: unit?.townshipCode && r() < 0.4 ? commissionOf(townships.find((t) => t.code === unit.townshipCode)?.name ?? '') : '县纪委监委',
      reason: pick(REASONS),
    });
  }
  return { units: units.map(({ code, name, townshipCode, districtCode }) => ({ code, name, townshipCode, districtCode })), people, records };
}
