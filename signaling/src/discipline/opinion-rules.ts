import { OPINION_VERDICT_LABELS, type Assessment, type DisciplineRecordView, type OpinionVerdict } from '@vj/shared';

/**
 * How an integrity opinion (廉政意见) is drafted for one candidate. The office reviews every draft and may reword it
 * or change the verdict before a leader signs; these are the defaults a reviewer would start from:
 * - 不同意 (blocked): a 党纪政务处分 still in its 影响期 (《中国共产党纪律处分条例》第十条 to 第十三条 and
 *   《公职人员政务处分法》第八条 and 第二十二条: no promotion in that period), or one without end (开除); a 诫勉 within
 *   six months (《关于对党员领导干部进行诫勉的规定》). The periods of 组织处理 (调整职务, 免职, 降职) are not on file yet.
 * - 暂缓 (hold): a sanction whose 影响期 cannot be told (its wording or 察看期 to be verified), an accusation naming them
 *   still being handled (the practice of 有问题线索正在核查的暂缓; counted, never who made it, never a sealed matter),
 *   an early warning of the 清廉档案 still open, or a 较差 latest 廉政鉴定.
 * - 无不同意见 (clear) otherwise; sanctions whose 影响期 has ended and 组织处理 are stated for the record.
 */
/** 《关于对党员领导干部进行诫勉的规定》: 受到诫勉的，六个月内不得提拔或者重用. The end day, as 影响期 are computed. */
const ADMONITION_MONTHS = 6;
export function admonitionEnds(decidedOn: string): string {
  const [y, m, d] = decidedOn.split('-').map(Number) as [number, number, number];
  const end = new Date(Date.UTC(y, m - 1 + ADMONITION_MONTHS, d) - 86_400_000);
  return end.toISOString().slice(0, 10);
}

export interface OpinionFacts {
  name: string;
  unitName: string | null;
  position: string;
  records: readonly DisciplineRecordView[];
  /** The day the facts are for. */
  today: string;
  openAccusations: number;
  openWarnings: number;
  latestAssessment: Assessment | null;
}

export interface Draft {
  verdict: OpinionVerdict;
  inEffect: number;
  text: string;
}

export function draftOpinion(f: OpinionFacts): Draft {
  const live = f.records.filter((r) => r.effect.state === 'in_effect' || r.effect.state === 'permanent');
  const unsure = f.records.filter((r) => r.effect.state === 'unknown');
  const ended = f.records.filter((r) => r.effect.state === 'ended');
  const handling = f.records.filter((r) => r.effect.state === 'not_sanction');
  // 诫勉 is no sanction, but bars promotion for six months: within them it blocks like a sanction in its 影响期.
  const admonished = handling.filter((r) => r.kind.includes('诫勉') && admonitionEnds(r.decidedOn) >= f.today);
  const said: string[] = [];
  for (const r of live)
    said.push(
      `于 ${r.decidedOn} 受${r.kind}处分，${r.effect.state === 'permanent' ? '影响长期有效' : `影响期至 ${r.effect.endsOn}`}，影响期内不得提拔使用或评优评先`,
    );
  for (const r of unsure) said.push(`于 ${r.decidedOn} 受${r.kind}处分，影响期待核实`);
  for (const r of ended) said.push(`于 ${r.decidedOn} 受${r.kind}处分，已过影响期`);
  for (const r of handling)
    said.push(admonished.includes(r) ? `于 ${r.decidedOn} 受${r.kind}，至 ${admonitionEnds(r.decidedOn)} 不得提拔或者重用` : `于 ${r.decidedOn} 受${r.kind}`);
  if (f.openAccusations) said.push(`有 ${f.openAccusations} 件信访举报正在办理，建议待办结后再行研究`);
  if (f.openWarnings) said.push(`清廉档案有 ${f.openWarnings} 条苗头性问题预警尚未处置`);
  if (f.latestAssessment === 'poor') said.push('最近一次廉政鉴定为较差');
  const verdict: OpinionVerdict =
    live.length || admonished.length ? 'blocked' : unsure.length || f.openAccusations || f.openWarnings || f.latestAssessment === 'poor' ? 'hold' : 'clear';
  const who = `${f.name}（${f.unitName ?? ''}${f.position}）`;
  const found = said.length ? `经查，该同志${said.join('；')}。` : '经查，未发现该同志有违纪违法问题，清廉档案无异常。';
  return { verdict, inEffect: live.length + admonished.length, text: withVerdict(`${who}：${found}`, verdict) };
}

/** The text ends in the verdict it gives, whatever was typed there: the two never disagree. */
export function withVerdict(text: string, verdict: OpinionVerdict): string {
  return `${text.replace(/廉政意见：[^。]*。?\s*$/u, '').trimEnd()}廉政意见：${OPINION_VERDICT_LABELS[verdict]}。`;
}
