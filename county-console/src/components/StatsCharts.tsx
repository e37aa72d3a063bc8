import type { CaseStatsView } from '@vj/shared';
import { TC } from '../case-strings';

/** Per township: a bar as long as its received count, split into closed, in handling and overdue. */
export function TownshipBars({ stats, roomName }: { stats: CaseStatsView; roomName: (c: string) => string }) {
  const max = Math.max(1, ...stats.townships.map((t) => t.received));
  const rowH = 18;
  const labelW = 90;
  const barW = 420;
  return (
    <svg className="chart" role="img" aria-label={TC.statsTitle} width={labelW + barW + 40} height={stats.townships.length * rowH + 24}>
      {stats.townships.map((t, i) => {
        const y = i * rowH;
        const scale = (n: number) => (n / max) * barW;
        const handling = t.inHandling - t.overdue;
        return (
          <g key={t.townshipCode} transform={`translate(0, ${y})`}>
            <text x={labelW - 6} y={rowH - 5} textAnchor="end" fontSize="12">
              {roomName(t.townshipCode)}
            </text>
            <rect x={labelW} y={3} width={scale(t.closed)} height={rowH - 6} className="bar-closed" />
            <rect x={labelW + scale(t.closed)} y={3} width={scale(handling)} height={rowH - 6} className="bar-handling" />
            <rect x={labelW + scale(t.closed + handling)} y={3} width={scale(t.overdue)} height={rowH - 6} className="bar-overdue" />
            <text x={labelW + scale(t.received) + 4} y={rowH - 5} fontSize="11">
              {t.received || ''}
            </text>
          </g>
        );
      })}
      <g transform={`translate(${labelW}, ${stats.townships.length * rowH + 6})`} fontSize="11">
        <rect width="10" height="10" className="bar-closed" />
        <text x="14" y="9">
          {TC.closed}
        </text>
        <rect x="70" width="10" height="10" className="bar-handling" />
        <text x="84" y="9">
          {TC.inHandling}
        </text>
        <rect x="140" width="10" height="10" className="bar-overdue" />
        <text x="154" y="9">
          {TC.overdue}
        </text>
      </g>
    </svg>
  );
}

/** Received and closed per month, oldest on the left. */
export function TrendChart({ months }: { months: CaseStatsView['months'] }) {
  const w = 520;
  const h = 140;
  const pad = 24;
  const max = Math.max(1, ...months.flatMap((m) => [m.received, m.closed]));
  const x = (i: number) => pad + (i * (w - 2 * pad)) / Math.max(1, months.length - 1);
  const y = (n: number) => h - pad - (n / max) * (h - 2 * pad);
  const line = (key: 'received' | 'closed') => months.map((m, i) => `${x(i)},${y(m[key])}`).join(' ');
  return (
    <svg className="chart" role="img" aria-label={TC.trendTitle} width={w} height={h}>
      <line x1={pad} y1={h - pad} x2={w - pad} y2={h - pad} className="axis" />
      <polyline points={line('received')} className="line-received" fill="none" />
      <polyline points={line('closed')} className="line-closed" fill="none" />
      {months.map((m, i) => (
        <text key={m.month} x={x(i)} y={h - 6} fontSize="10" textAnchor="middle">
          {m.month.slice(5)}
        </text>
      ))}
      <text x={pad} y={12} fontSize="11" className="legend-received">
        ━ {TC.trendReceived}
      </text>
      <text x={pad + 60} y={12} fontSize="11" className="legend-closed">
        ━ {TC.trendClosed}
      </text>
      <text x={w - pad} y={12} fontSize="10" textAnchor="end">
        {TC.trendMax(max)}
      </text>
    </svg>
  );
}
