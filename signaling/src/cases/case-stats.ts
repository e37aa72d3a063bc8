import {
  DISPOSITION_LABELS,
  DISPOSITION_OUTCOME_LABELS,
  DISPOSITIONS,
  DISPOSITIONS_WITH_OUTCOME,
  dispositionTotals,
  type CaseStatsView,
  type Disposition,
  type DispositionCount,
  type MatterClass,
} from '@vj/shared';
import { ratingCounts, ratingsCsv } from './satisfaction-stats.js';
import { countedInStats } from './stats-scope.js';
import type { Queryable } from '../db/db.js';
import { csvCell } from '../registry/csv.js';

interface Row {
  township_code: string;
  received: string;
  in_handling: string;
  overdue: string;
  closed: string;
  avg_days: string | null;
}

const round1 = (v: string | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);

/**
 * Counts per township and month. Aggregates only: no case codes, no names, nothing that identifies a petition
 * or a petitioner, so the figures may leave the office as CSV. A sealed matter never moves them: one sealed at intake
 * is not counted, one sealed later stays counted as it stood at the seal (the rule and why: stats-scope.ts).
 */
const COUNTED = countedInStats();

export async function caseStats(q: Queryable, months: number, now: Date, rooms: readonly { code: string }[]): Promise<CaseStatsView> {
  const per = await q.query<Row>(
    `SELECT township_code, count(*) AS received,
            count(*) FILTER (WHERE status <> 'closed') AS in_handling,
            count(*) FILTER (WHERE status <> 'closed' AND due_state = 'overdue') AS overdue,
            count(*) FILTER (WHERE status = 'closed') AS closed,
            avg(extract(epoch FROM closed_at - created_at) / 86400) FILTER (WHERE status = 'closed') AS avg_days
     FROM petitions WHERE ${COUNTED} GROUP BY township_code`,
  );
  const total = await q.query<Omit<Row, 'township_code'>>(
    `SELECT count(*) AS received, count(*) FILTER (WHERE status <> 'closed') AS in_handling,
            count(*) FILTER (WHERE status <> 'closed' AND due_state = 'overdue') AS overdue, count(*) FILTER (WHERE status = 'closed') AS closed,
            avg(extract(epoch FROM closed_at - created_at) / 86400) FILTER (WHERE status = 'closed') AS avg_days FROM petitions WHERE ${COUNTED}`,
  );
  // Months in China time (UTC+8, written out: the embedded database ships no time zone names), oldest first, with
  // empty months present so a trend line has no holes.
  const trend = await q.query<{ month: string; received: string; closed: string }>(
    `WITH m AS (
       SELECT to_char(date_trunc('month', (($1::timestamptz AT TIME ZONE 'UTC') + interval '8 hours')) - make_interval(months => g), 'YYYY-MM') AS month
       FROM generate_series(0, $2 - 1) AS g)
     SELECT m.month,
       (SELECT count(*) FROM petitions WHERE ${COUNTED} AND to_char((created_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM') = m.month) AS received,
       (SELECT count(*) FROM petitions WHERE ${COUNTED} AND closed_at IS NOT NULL AND to_char((closed_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM') = m.month) AS closed
     FROM m ORDER BY m.month`,
    [now.toISOString(), months],
  );
  // 问题线索处置: the disposition in force and its outcome, counted; nothing else of the case leaves this query.
  const disp = await q.query<{ township_code: string; matter_class: MatterClass; disposition: Disposition; outcome: string | null; n: string }>(
    `SELECT township_code, matter_class, disposition, disposition_outcome AS outcome, count(*) AS n
     FROM petitions WHERE ${COUNTED} AND disposition IS NOT NULL GROUP BY township_code, matter_class, disposition, disposition_outcome`,
  );
  const order = new Map(rooms.map((r, i) => [r.code, i]));
  const dispositions: DispositionCount[] = disp.rows
    .map((r) => ({
      townshipCode: r.township_code,
      matterClass: r.matter_class,
      disposition: r.disposition,
      outcome: (r.outcome ?? (DISPOSITIONS_WITH_OUTCOME.includes(r.disposition) ? 'pending' : 'none')) as DispositionCount['outcome'],
      count: Number(r.n),
    }))
    .sort(
      (a, b) =>
        (order.get(a.townshipCode) ?? 1e9) - (order.get(b.townshipCode) ?? 1e9) ||
        DISPOSITIONS.indexOf(a.disposition) - DISPOSITIONS.indexOf(b.disposition) ||
        a.outcome.localeCompare(b.outcome),
    );
  const by = new Map(per.rows.map((r) => [r.township_code, r]));
  const t = total.rows[0]!;
  return {
    townships: rooms.map(({ code }) => {
      const r = by.get(code);
      return {
        townshipCode: code,
        received: Number(r?.received ?? 0),
        inHandling: Number(r?.in_handling ?? 0),
        overdue: Number(r?.overdue ?? 0),
        closed: Number(r?.closed ?? 0),
        avgHandlingDays: round1(r?.avg_days ?? null),
      };
    }),
    totals: {
      received: Number(t.received),
      inHandling: Number(t.in_handling),
      overdue: Number(t.overdue),
      closed: Number(t.closed),
      avgHandlingDays: round1(t.avg_days),
    },
    months: trend.rows.map((m) => ({ month: m.month, received: Number(m.received), closed: Number(m.closed) })),
    dispositions,
    ratings: await ratingCounts(q, rooms),
  };
}

export function statsCsv(s: CaseStatsView, roomName: (code: string) => string): string {
  const lines = [['乡镇', '乡镇代码', '登记总数', '办理中', '超期', '已办结', '平均办理天数'].join(',')];
  for (const t of s.townships)
    lines.push([roomName(t.townshipCode), t.townshipCode, t.received, t.inHandling, t.overdue, t.closed, t.avgHandlingDays].map(csvCell).join(','));
  lines.push(['合计', '', s.totals.received, s.totals.inHandling, s.totals.overdue, s.totals.closed, s.totals.avgHandlingDays].map(csvCell).join(','));
  lines.push('');
  lines.push(['月份', '受理', '办结'].join(','));
  for (const m of s.months) lines.push([m.month, m.received, m.closed].map(csvCell).join(','));
  lines.push('');
  lines.push(['问题线索处置：乡镇', '乡镇代码', '事项类别', '处置方式', '处置结果', '件数'].join(','));
  for (const d of s.dispositions) {
    lines.push(
      [
        roomName(d.townshipCode),
        d.townshipCode,
        MATTER_CLASS_LABELS[d.matterClass] ?? d.matterClass,
        DISPOSITION_LABELS[d.disposition],
        outcomeLabel(d.outcome),
        d.count,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  for (const t of dispositionTotals(s.dispositions))
    lines.push(['合计', '', '', DISPOSITION_LABELS[t.disposition], outcomeLabel(t.outcome), t.count].map(csvCell).join(','));
  lines.push('');
  lines.push(...ratingsCsv(s.ratings, roomName));
  // A BOM so spreadsheet programs on Windows read the Chinese headers as UTF-8.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const MATTER_CLASS_LABELS: Record<string, string> = { accusation: '检举控告', appeal: '申诉', suggestion: '批评建议', other: '其他' };
const outcomeLabel = (o: DispositionCount['outcome']) => (o === 'pending' ? '待记录结果' : o === 'none' ? '无需记录' : DISPOSITION_OUTCOME_LABELS[o]);
