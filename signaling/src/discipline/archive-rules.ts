import type { Assessment, DisciplineRecordView, WarningRule } from '@vj/shared';

/**
 * 清廉档案's two pieces of judgement, kept apart from storage so they read as rules: the one-line portrait of a
 * person, and which early warnings (苗头性问题) a month's entry raises.
 */

export interface PortraitFacts {
  name: string;
  rank: string;
  records: readonly DisciplineRecordView[];
  /** The latest month any key official of the person's unit was entered: the unit's findings then. */
  unitFindings: { open: number; overdue: number } | null;
  openWarnings: number;
}

/** E.g. 张某，正科级干部，无违纪违法问题，所在党组织暂无审计巡察问题。 (the seed's own example). */
export function portraitOf(f: PortraitFacts): string {
  const parts = [f.name, f.rank ? `${f.rank}干部` : '干部'];
  // 诫勉谈话, 批评教育 and the like are 组织处理 (no 影响期), not 党纪政务处分: told apart, as a reviewer would.
  const sanctions = f.records.filter((r) => r.effect.state !== 'not_sanction');
  const handling = f.records.length - sanctions.length;
  if (!f.records.length) parts.push('无违纪违法问题');
  if (sanctions.length) {
    const live = sanctions.filter((r) => r.effect.state === 'in_effect' || r.effect.state === 'permanent').length;
    parts.push(
      `受党纪政务处分 ${sanctions.length} 次${live ? `（其中 ${live} 次在影响期内）` : sanctions.length === 1 ? '（已过影响期）' : '（均已过影响期）'}`,
    );
  }
  if (handling) parts.push(`受组织处理 ${handling} 次`);
  if (!f.unitFindings) parts.push('所在党组织暂无审计巡察问题记录');
  else if (!f.unitFindings.open) parts.push('所在党组织暂无审计巡察问题');
  else parts.push(`所在党组织有 ${f.unitFindings.open} 项审计巡察问题正在整改${f.unitFindings.overdue ? `（其中 ${f.unitFindings.overdue} 项超期）` : ''}`);
  if (f.openWarnings) parts.push(`有 ${f.openWarnings} 条苗头性问题预警待处置`);
  return `${parts.join('，')}。`;
}

export interface MonthFacts {
  /** 个人信息 (property, vehicles, family employment), whitespace folded, of the latest earlier month, if there is one. */
  previousPersonal: string | null;
  personal: string;
  assessment: Assessment;
  findingsOverdue: number;
  /** Discipline records decided after the previous entry's month (or in this month, for a first entry). */
  newRecords: number;
  /** Accusations naming the person received in the same span (never a sealed matter). */
  newAccusations: number;
}

/** The 个人信息 dimension as compared month to month: a reworded space or line break is no change. */
export const personalOf = (d: { property: string; vehicles: string; family: string }) =>
  [d.property, d.vehicles, d.family].map((s) => s.replace(/\s+/g, ' ').trim()).join('\u0000');

export function warningsFor(m: MonthFacts): WarningRule[] {
  const rules: WarningRule[] = [];
  if (m.previousPersonal !== null && m.previousPersonal !== m.personal) rules.push('property_changed');
  if (m.assessment === 'poor') rules.push('poor_assessment');
  if (m.findingsOverdue > 0) rules.push('findings_overdue');
  if (m.newRecords > 0) rules.push('new_discipline');
  if (m.newAccusations > 0) rules.push('new_accusation');
  return rules;
}

/** The month after 'YYYY-MM', and the first instant of a month on the county's clock (the server's time zone). */
export const nextMonth = (m: string) =>
  m.endsWith('-12') ? `${Number(m.slice(0, 4)) + 1}-01` : `${m.slice(0, 5)}${String(Number(m.slice(5, 7)) + 1).padStart(2, '0')}`;
export const monthStart = (m: string) => new Date(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1);

/** 'YYYY-MM' of a county calendar day 'YYYY-MM-DD'; and whole months from `a` to `b`. */
export const monthOf = (day: string) => day.slice(0, 7);
export const monthsBetween = (a: string, b: string) => (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));

/** The twelve months ending with `month` ('YYYY-MM'), oldest first. */
export function lastTwelve(month: string): string[] {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  return Array.from({ length: 12 }, (_, i) => {
    const t = y * 12 + (m - 1) - (11 - i);
    return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
  });
}
