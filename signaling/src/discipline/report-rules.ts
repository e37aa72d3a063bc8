import { WARNING_RULE_LABELS, WARNING_RULES, type UnitReport } from '@vj/shared';

/**
 * 政治生态报告's 研判: what a reader of the figures would conclude, in plain sentences, kept apart from storage so
 * it reads as the rules it is. Counts only: a report names no person and no accuser.
 */
export function reportSummary(r: Omit<UnitReport, 'summary'>): string[] {
  const out: string[] = [];
  out.push(`本单位现有党员干部 ${r.members} 人，其中关键少数 ${r.keyOfficials} 人${r.districtName ? `，由${r.districtName}督查组联系` : ''}。`);
  const d = r.discipline;
  if (!d.total) out.push('党的十八大以来，本单位现有人员无受党纪政务处分或组织处理记录。');
  else
    out.push(
      `党的十八大以来，本单位现有人员共有处分及组织处理记录 ${d.total} 条（党纪处分 ${d.party} 条、政务处分 ${d.government} 条、组织处理 ${d.handling} 条），` +
        `其中 ${d.inEffect} 条仍在影响期内；近一年新增 ${d.lastYear} 条。`,
    );
  const a = r.accusations;
  out.push(
    a.open || a.lastYear
      ? `涉及本单位人员的检举控告尚未办结 ${a.open} 件${a.openByName ? `（其中 ${a.openByName} 件仅姓名相符，尚待核实是否为本单位人员）` : ''}，近一年收到 ${a.lastYear} 件。`
      : '近一年未收到涉及本单位人员的检举控告。',
  );
  const w = r.warnings;
  const top = WARNING_RULES.filter((k) => (w.byRule[k] ?? 0) > 0).sort((x, y) => (w.byRule[y] ?? 0) - (w.byRule[x] ?? 0));
  if (!w.lastYear && !w.open) out.push('近一年未产生苗头性问题预警。');
  else
    out.push(
      `近一年产生苗头性问题预警 ${w.lastYear} 条，已提醒教育办结 ${w.closedLastYear} 条，尚有 ${w.open} 条待处置` +
        (top.length ? `；较多的是“${WARNING_RULE_LABELS[top[0]!]}”（${w.byRule[top[0]!]} 条）。` : '。'),
    );
  if (!r.findings) out.push('本单位暂无巡察审计问题整改记录。');
  else if (!r.findings.open) out.push(`据 ${r.findings.month} 月度情况，本单位巡察审计问题已全部整改。`);
  else
    out.push(
      `据 ${r.findings.month} 月度情况，本单位尚有 ${r.findings.open} 项巡察审计问题正在整改` +
        (r.findings.overdue ? `，其中 ${r.findings.overdue} 项已超期，应督促限期整改。` : '，均在整改期限内。'),
    );
  const entered = r.months.reduce((s, m) => s + m.entered, 0);
  const poor = r.months.reduce((s, m) => s + m.poor, 0);
  const half = Math.floor(r.months.length / 2);
  const warn = (ms: typeof r.months) => ms.reduce((s, m) => s + m.warnings, 0);
  const early = warn(r.months.slice(0, half));
  const late = warn(r.months.slice(half));
  if (!entered) out.push('近一年尚无关键少数月度廉政鉴定记录。');
  else
    out.push(
      `近一年录入关键少数月度廉政鉴定 ${entered} 人次，其中较差 ${poor} 人次；` +
        (late > early ? '预警较上半年增多，政治生态需重点关注。' : late < early ? '预警较上半年减少，政治生态总体向好。' : '预警数量与上半年持平。'),
    );
  // The overall standing, by the figures a 督查组 acts on first.
  const concern = d.inEffect > 0 || a.open > 0 || w.open > 0 || (r.findings?.overdue ?? 0) > 0 || poor > 0;
  out.push(concern ? '综合研判：本单位存在需关注的问题，建议督查组加强日常监督，及时提醒谈话。' : '综合研判：本单位政治生态总体良好。');
  return out;
}
