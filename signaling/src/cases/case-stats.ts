import type { CaseStatsView } from '@vj/shared';
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
 * or a petitioner, so the figures may leave the office as CSV.
 */
export async function caseStats(q: Queryable, months: number, now: Date, rooms: readonly { code: string }[]): Promise<CaseStatsView> {
  const per = await q.query<Row>(
    `SELECT township_code, count(*) AS received,
            count(*) FILTER (WHERE status <> 'closed') AS in_handling,
            count(*) FILTER (WHERE status <> 'closed' AND due_state = 'overdue') AS overdue,
            count(*) FILTER (WHERE status = 'closed') AS closed,
            avg(extract(epoch FROM closed_at - created_at) / 86400) FILTER (WHERE status = 'closed') AS avg_days
     FROM petitions GROUP BY township_code`,
  );
  const total = await q.query<Omit<Row, 'township_code'>>(
    `SELECT count(*) AS received, count(*) FILTER (WHERE status <> 'closed') AS in_handling,
            count(*) FILTER (WHERE status <> 'closed' AND due_state = 'overdue') AS overdue, count(*) FILTER (WHERE status = 'closed') AS closed,
            avg(extract(epoch FROM closed_at - created_at) / 86400) FILTER (WHERE status = 'closed') AS avg_days FROM petitions`,
  );
  // Months in China time (UTC+8, written out: the embedded database ships no time zone names), oldest first, with empty months present so a trend line has no holes.
  const trend = await q.query<{ month: string; received: string; closed: string }>(
    `WITH m AS (
       SELECT to_char(date_trunc('month', (($1::timestamptz AT TIME ZONE 'UTC') + interval '8 hours')) - make_interval(months => g), 'YYYY-MM') AS month
       FROM generate_series(0, $2 - 1) AS g)
     SELECT m.month,
       (SELECT count(*) FROM petitions WHERE to_char((created_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM') = m.month) AS received,
       (SELECT count(*) FROM petitions WHERE closed_at IS NOT NULL AND to_char((closed_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM') = m.month) AS closed
     FROM m ORDER BY m.month`,
    [now.toISOString(), months],
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
    totals: { received: Number(t.received), inHandling: Number(t.in_handling), overdue: Number(t.overdue), closed: Number(t.closed), avgHandlingDays: round1(t.avg_days) },
    months: trend.rows.map((m) => ({ month: m.month, received: Number(m.received), closed: Number(m.closed) })),
  };
}

export function statsCsv(s: CaseStatsView, roomName: (code: string) => string): string {
  const lines = [['乡镇', '乡镇代码', '登记总数', '办理中', '超期', '已办结', '平均办理天数'].join(',')];
  for (const t of s.townships) lines.push([roomName(t.townshipCode), t.townshipCode, t.received, t.inHandling, t.overdue, t.closed, t.avgHandlingDays].map(csvCell).join(','));
  lines.push(['合计', '', s.totals.received, s.totals.inHandling, s.totals.overdue, s.totals.closed, s.totals.avgHandlingDays].map(csvCell).join(','));
  lines.push('');
  lines.push(['月份', '受理', '办结'].join(','));
  for (const m of s.months) lines.push([m.month, m.received, m.closed].map(csvCell).join(','));
  // A BOM so spreadsheet programs on Windows read the Chinese headers as UTF-8.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
