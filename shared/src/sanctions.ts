/**
 * The eleven sanctions a discipline record may be, and the 影响期 each carries: the one table the server computes
 * "still in effect" from (and later slices: 廉政意见回复, 回访教育). Every period names the rule it comes from.
 *
 * Party discipline: 《中国共产党纪律处分条例》 (2023 revision). Government sanctions: 《中华人民共和国公职人员政务处分法》
 * (2020). The article numbers of the 2023 条例 are as read from its published text (第十条 to 第十三条); the
 * periods are the same in the 2018 text (第九条 to 第十二条).
 */
export const SANCTIONS = [
  'party_warning',
  'party_serious_warning',
  'party_removal_from_post',
  'party_probation',
  'party_expulsion',
  'gov_warning',
  'gov_demerit',
  'gov_major_demerit',
  'gov_demotion',
  'gov_dismissal_from_post',
  'gov_expulsion',
] as const;
export type Sanction = (typeof SANCTIONS)[number];

export interface SanctionRule {
  label: string;
  kind: 'party' | 'government';
  /**
   * Months from the decision date; 'probation': the 察看期 (12 or 24 months) plus 24 months; 'permanent': no end.
   * The record's decision date is taken as the day the decision took effect (政务处分法 第八条: 政务处分决定自作出之日起
   * 生效; the 条例 counts from the 处分决定).
   */
  months: number | 'probation' | 'permanent';
  rule: string;
  /** Other wordings source systems use for it (the import takes these too). */
  aliases: readonly string[];
}

export const SANCTION_RULES: Record<Sanction, SanctionRule> = {
  party_warning: {
    label: '党内警告',
    kind: 'party',
    months: 12,
    rule: '《中国共产党纪律处分条例》第十条：受到警告处分一年内不得在党内提拔职务或者进一步使用',
    aliases: [],
  },
  party_serious_warning: {
    label: '党内严重警告',
    kind: 'party',
    months: 18,
    rule: '《中国共产党纪律处分条例》第十条：受到严重警告处分一年半内不得在党内提拔职务或者进一步使用',
    aliases: ['严重警告'],
  },
  party_removal_from_post: {
    label: '撤销党内职务',
    kind: 'party',
    months: 24,
    rule: '《中国共产党纪律处分条例》第十一条：二年内不得在党内担任和向党外组织推荐担任与其原任职务相当或者高于其原任职务的职务',
    aliases: [],
  },
  party_probation: {
    label: '留党察看',
    kind: 'party',
    months: 'probation',
    rule: '《中国共产党纪律处分条例》第十二条：留党察看一年或二年，恢复党员权利后二年内不得在党内担任和向党外组织推荐担任与其原任职务相当或者高于其原任职务的职务',
    aliases: [],
  },
  // The 条例 (第十三条) says only that an expelled member may not rejoin within five years; the person holds no party
  // post and the record never stops counting for promotion, so it is treated as permanent here. To be confirmed
  // by the 审理室 before opinions (a later slice) rely on it.
  party_expulsion: {
    label: '开除党籍',
    kind: 'party',
    months: 'permanent',
    rule: '《中国共产党纪律处分条例》第十三条：受到开除党籍处分，五年内不得重新入党（本系统按长期有效处理）',
    aliases: [],
  },
  gov_warning: { label: '政务警告', kind: 'government', months: 6, rule: '《公职人员政务处分法》第八条：警告，六个月', aliases: [] },
  gov_demerit: { label: '政务记过', kind: 'government', months: 12, rule: '《公职人员政务处分法》第八条：记过，十二个月', aliases: ['记过'] },
  gov_major_demerit: { label: '政务记大过', kind: 'government', months: 18, rule: '《公职人员政务处分法》第八条：记大过，十八个月', aliases: ['记大过'] },
  gov_demotion: { label: '政务降级', kind: 'government', months: 24, rule: '《公职人员政务处分法》第八条：降级、撤职，二十四个月', aliases: ['降级'] },
  gov_dismissal_from_post: {
    label: '政务撤职',
    kind: 'government',
    months: 24,
    rule: '《公职人员政务处分法》第八条：降级、撤职，二十四个月',
    aliases: ['撤职'],
  },
  gov_expulsion: {
    label: '开除公职',
    kind: 'government',
    months: 'permanent',
    rule: '《公职人员政务处分法》第八条、第十条：开除不设处分期间',
    aliases: ['政务开除', '开除'],
  },
};

/**
 * The sanction a source system's wording names, or undefined (诫勉谈话, 批评教育 and other measures that are not
 * sanctions, or a wording not recognised). A bare 警告 is undefined: it may be party or government.
 */
export function sanctionOf(wording: string): Sanction | undefined {
  const w = wording.trim();
  return SANCTIONS.find((s) => SANCTION_RULES[s].label === w || SANCTION_RULES[s].aliases.includes(w));
}

/**
 * Measures on file that are not sanctions and carry no 影响期: 第一种形态 and 组织处理 (谈话提醒, 批评教育, 诫勉…).
 * Any other wording the table does not know is 'unknown', to be read by a person, never taken as "no effect".
 */
export const NOT_SANCTIONS: readonly string[] = [
  '批评教育',
  '谈话提醒',
  '提醒谈话',
  '诫勉',
  '诫勉谈话',
  '责令检查',
  '责令作出书面检查',
  '通报批评',
  '停职检查',
  '调整职务',
  '责令辞职',
  '免职',
  '降职',
];

export type EffectState = 'in_effect' | 'ended' | 'permanent' | 'not_sanction' | 'unknown';

export interface Effect {
  state: EffectState;
  /** The last day of the 影响期 (YYYY-MM-DD), when it has one. */
  endsOn: string | null;
}

/** Adds months to a YYYY-MM-DD date, clamping to the month's end (2023-08-31 + 6 months → 2024-02-29). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}

/**
 * The 影响期 of one record on a given day (YYYY-MM-DD, the county's calendar day). A period of N months from the
 * decision date D ends the day before D + N months: a 政务警告 of 2024-01-15 counts through 2024-07-14.
 * 留党察看 without its 察看期 on file, or a wording not recognised, is 'unknown' rather than a guess.
 */
export function effectOf(r: { sanction: Sanction | null; kind: string; decidedOn: string; probationMonths: number | null }, onDay: string): Effect {
  if (!r.sanction) return { state: NOT_SANCTIONS.includes(r.kind.trim()) ? 'not_sanction' : 'unknown', endsOn: null };
  const months = SANCTION_RULES[r.sanction].months;
  if (months === 'permanent') return { state: 'permanent', endsOn: null };
  const total = months === 'probation' ? (r.probationMonths === null ? undefined : r.probationMonths + 24) : months;
  if (total === undefined) return { state: 'unknown', endsOn: null };
  const last = new Date(Date.parse(`${addMonths(r.decidedOn, total)}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return { state: onDay <= last ? 'in_effect' : 'ended', endsOn: last };
}

/** The calendar day (YYYY-MM-DD) in the server's time zone, which TZ sets to the county's, as for office hours. */
export function localDay(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}
